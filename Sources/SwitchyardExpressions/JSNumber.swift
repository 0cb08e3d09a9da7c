/// JavaScript number conversions: `Number::toString` and `StringToNumber`, plus the integer
/// conversions the bitwise operators use.
enum JSNumber {
    /// `Number.prototype.toString()` with radix 10: the shortest round-trip digits, laid out
    /// exactly as ECMA-262 §6.1.6.1.20 specifies.
    static func toString(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d == 0 { return "0" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d < 0 { return "-" + toString(-d) }
        if d < 1e15, d == d.rounded(.towardZero) { return String(Int64(d)) }
        // Swift's description is the shortest round-trip representation; re-lay it out.
        let s = d.description
        var mantissa = Substring(s)
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = s[..<e]
            var es = s[s.index(after: e)...]
            if es.first == "+" { es = es.dropFirst() }
            exp = Int(es) ?? 0
        }
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        for c in mantissa.utf8 {
            if c == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            digits.append(c)
            if !seenPoint { point += 1 }
        }
        point += exp
        while let f = digits.first, f == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while let l = digits.last, l == UInt8(ascii: "0") { digits.removeLast() }
        let k = digits.count
        let n = point
        let ds = String(decoding: digits, as: UTF8.self)
        if k <= n && n <= 21 {
            return ds + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return String(decoding: digits[0..<n], as: UTF8.self) + "."
                + String(decoding: digits[n...], as: UTF8.self)
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + ds
        }
        let e = n - 1
        let es = e < 0 ? "-\(-e)" : "+\(e)"
        if k == 1 { return ds + "e" + es }
        return String(decoding: digits[0..<1], as: UTF8.self) + "."
            + String(decoding: digits[1...], as: UTF8.self) + "e" + es
    }

    /// JavaScript whitespace and line terminators (what `String.prototype.trim` removes).
    static func isJSWhitespace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F,
            0x205F, 0x3000, 0xFEFF:
            return true
        default: return false
        }
    }

    static func trim(_ s: String) -> Substring {
        let scalars = s.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isJSWhitespace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isJSWhitespace(scalars[scalars.index(before: end)]) {
            end = scalars.index(before: end)
        }
        return Substring(scalars[start..<end])
    }

    /// `StringToNumber` (ECMA-262 §7.1.4.1.1).
    static func parse(_ s: String) -> Double {
        let t = trim(s)
        if t.isEmpty { return 0 }
        let u = Array(t.utf8)
        if u.count > 2, u[0] == UInt8(ascii: "0") {
            let r: Int
            switch u[1] | 0x20 {
            case UInt8(ascii: "x"): r = 16
            case UInt8(ascii: "o"): r = 8
            case UInt8(ascii: "b"): r = 2
            default: r = 0
            }
            if r != 0 { return parseRadixDigits(u[2...], radix: r, whole: true) ?? .nan }
        }
        switch t {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        guard decimalPrefixLength(u[...]) == u.count else { return .nan }
        return Double(String(t)) ?? .nan
    }

    /// Length of the longest prefix that is a `StrDecimalLiteral` (without Infinity), or 0.
    static func decimalPrefixLength(_ u: ArraySlice<UInt8>) -> Int {
        var i = u.startIndex
        if i < u.endIndex, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < u.endIndex, u[i] >= 48, u[i] <= 57 {
            i += 1
            digits += 1
        }
        if i < u.endIndex, u[i] == UInt8(ascii: ".") {
            var j = i + 1
            var frac = 0
            while j < u.endIndex, u[j] >= 48, u[j] <= 57 {
                j += 1
                frac += 1
            }
            if digits + frac > 0 {
                i = j
                digits += frac
            }
        }
        if digits == 0 { return 0 }
        if i < u.endIndex, u[i] | 0x20 == UInt8(ascii: "e") {
            var j = i + 1
            if j < u.endIndex, u[j] == UInt8(ascii: "+") || u[j] == UInt8(ascii: "-") { j += 1 }
            var ed = 0
            while j < u.endIndex, u[j] >= 48, u[j] <= 57 {
                j += 1
                ed += 1
            }
            if ed > 0 { i = j }
        }
        return i - u.startIndex
    }

    static func digitValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 97...122: return Int(c - 97 + 10)
        case 65...90: return Int(c - 65 + 10)
        default: return nil
        }
    }

    /// Parses digits in `radix`; with `whole` all bytes must be digits, otherwise stops at the
    /// first non-digit. Returns nil when no digit was read.
    static func parseRadixDigits(_ u: ArraySlice<UInt8>, radix: Int, whole: Bool) -> Double? {
        var value = 0.0
        var any = false
        for c in u {
            guard let d = digitValue(c), d < radix else {
                if whole { return nil }
                break
            }
            value = value * Double(radix) + Double(d)
            any = true
        }
        return any ? value : nil
    }

    /// `parseInt(string, radix)`.
    static func parseInt(_ s: String, radix r: Double) -> Double {
        let t = trim(s)
        var u = Array(t.utf8)[...]
        var sign = 1.0
        if let f = u.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
            if f == UInt8(ascii: "-") { sign = -1 }
            u = u.dropFirst()
        }
        var radix = r.isFinite ? Int(toInt32(r)) : 0
        var stripPrefix = true
        if radix != 0 {
            if radix < 2 || radix > 36 { return .nan }
            if radix != 16 { stripPrefix = false }
        } else {
            radix = 10
        }
        if stripPrefix, u.count >= 2, u[u.startIndex] == UInt8(ascii: "0"),
            u[u.startIndex + 1] | 0x20 == UInt8(ascii: "x")
        {
            u = u.dropFirst(2)
            radix = 16
        }
        if radix == 10 {
            var n = 0
            while n < u.count, u[u.startIndex + n] >= 48, u[u.startIndex + n] <= 57 { n += 1 }
            if n == 0 { return .nan }
            return sign * (Double(String(decoding: u.prefix(n), as: UTF8.self)) ?? .nan)
        }
        guard let v = parseRadixDigits(u, radix: radix, whole: false) else { return .nan }
        return sign * v
    }

    /// `parseFloat(string)`.
    static func parseFloat(_ s: String) -> Double {
        let t = trim(s)
        let u = Array(t.utf8)[...]
        var rest = t[...]
        var sign = 1.0
        if rest.hasPrefix("-") {
            sign = -1
            rest = rest.dropFirst()
        } else if rest.hasPrefix("+") {
            rest = rest.dropFirst()
        }
        if rest.hasPrefix("Infinity") { return sign * .infinity }
        let n = decimalPrefixLength(u)
        if n == 0 { return .nan }
        return Double(String(decoding: u.prefix(n), as: UTF8.self)) ?? .nan
    }

    /// `ToInt32`.
    @inline(__always) static func toInt32(_ d: Double) -> Int32 {
        if d.isNaN || d.isInfinite { return 0 }
        if abs(d) < 2_147_483_648 { return Int32(d.rounded(.towardZero)) }
        let m = d.rounded(.towardZero).truncatingRemainder(dividingBy: 4_294_967_296)
        return Int32(truncatingIfNeeded: Int64(m))
    }

    /// `ToUint32`.
    @inline(__always) static func toUInt32(_ d: Double) -> UInt32 {
        UInt32(bitPattern: toInt32(d))
    }

    /// The integer index a number denotes, if it is a non-negative integer.
    @inline(__always) static func arrayIndex(_ d: Double) -> Int? {
        if d >= 0, d < 4_294_967_295, d == d.rounded(.towardZero) { return Int(d) }
        return nil
    }
}
