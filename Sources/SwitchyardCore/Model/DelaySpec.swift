/// Parses delay strings: CSS2 times (`"500ms"`, `"2s"`, `"1.5s"`, `".5s"`) and Switchyard's
/// extensions `"5m"`, `"24h"`, `"2d"`. A bare number is not accepted (SCXML requires a unit).
public enum DelaySpec {
    /// The delay as a `Duration`, or nil when the text is not a valid delay.
    public static func parse(_ text: String) -> Duration? {
        let t = text.trimmingWhitespace()
        var digits = Substring(t)
        let units: [(String, Double)] = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var factor: Double?
        for (suffix, f) in units where digits.hasSuffix(suffix) {
            digits = digits.dropLast(suffix.count)
            factor = f
            break
        }
        guard let factor, !digits.isEmpty else { return nil }
        var sawDigit = false
        var sawDot = false
        for c in digits.unicodeScalars {
            if c == "." {
                if sawDot { return nil }
                sawDot = true
            } else if c.value >= 48 && c.value <= 57 {
                sawDigit = true
            } else {
                return nil
            }
        }
        guard sawDigit, let n = Double(digits) else { return nil }
        let seconds = n * factor
        guard seconds.isFinite, seconds < 1e10 else { return nil }
        let whole = seconds.rounded(.down)
        let attos = Int64(((seconds - whole) * 1e18).rounded())
        return Duration(secondsComponent: Int64(whole), attosecondsComponent: attos)
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace (space, tab, CR, LF).
    package func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func isWS(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }
        while start < end, isWS(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isWS(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
