/// A regular expression value: what a literal `/pattern/flags` (or `RegExp(pattern, flags)`)
/// evaluates to.
///
/// The pattern is JavaScript syntax (ECMA-262 §22.2 with the Annex B extensions browsers and
/// node accept without the `u` flag) and is compiled once, when the expression is compiled; an
/// invalid pattern is a syntax error there, not at run time. Matching is done by Switchyard's
/// own backtracking matcher, which counts its work against the evaluation's step limit, so no
/// pattern or subject can hang the process.
///
/// A regex is immutable: it has no writable `lastIndex`, so `test` and `exec` always search
/// from the start of the string. Equality is identity, as in JavaScript (`/a/ == /a/` is
/// false); each evaluation of a literal creates a new value (sharing the compiled pattern).
public final class RegexValue: Sendable, Hashable, CustomStringConvertible {
    /// The pattern text (`re.source`): as written in a literal; `(?:)` for an empty pattern.
    public let source: String
    /// The flags in canonical order (`re.flags`): a subset of `gimsuy`.
    public let flags: String
    let program: RegexProgram

    /// Compiles a pattern, like `new RegExp(pattern, flags)`: `source` is the pattern with `/`
    /// and line breaks escaped (`RegexValue(pattern: "a/b").source` is `a\/b`). Errors are
    /// ``ExpressionError/Kind/syntax`` errors positioned inside `pattern` (or inside `flags` for
    /// a bad flag, offset by the pattern's length plus one).
    public convenience init(pattern: String, flags: String = "", limits: Limits = .default)
        throws(ExpressionError)
    {
        do throws(RegexSyntaxError) {
            try self.init(compiling: pattern, flags: flags, maxDepth: limits.maxDepth, escaping: true)
        } catch {
            throw ExpressionError(.syntax, error.message, at: Int32(error.offset))
                .located(in: SourceText(pattern + "/" + flags))
        }
    }

    /// Compiles a pattern; error offsets are UTF-8 bytes into `pattern`, or into `flags`
    /// counted from the pattern's end plus one (as in `pattern/flags`).
    /// `RegExp(text, flags)` passes `escaping: true`: its source is ``escapedSource(_:)``.
    init(compiling pattern: String, flags: String, maxDepth: Int, escaping: Bool = false)
        throws(RegexSyntaxError)
    {
        let f: RegexFlags
        switch RegexFlags.parse(flags) {
        case .success(let x): f = x
        case .failure(var e):
            e.offset = pattern.utf8.count + 1 + flags.prefix(e.offset).utf8.count
            throw e
        }
        program = try RegexProgram(pattern: pattern, flags: f, maxDepth: maxDepth)
        source = pattern.isEmpty ? "(?:)" : escaping ? RegexValue.escapedSource(pattern) : pattern
        self.flags = f.text
    }

    /// A new value sharing another's compiled pattern (each evaluation of a literal).
    init(sharing other: RegexValue) {
        source = other.source
        flags = other.flags
        program = other.program
    }

    /// Whether the `g` flag is set.
    public var global: Bool { program.flags.contains(.global) }
    /// Whether the `i` flag is set.
    public var ignoreCase: Bool { program.flags.contains(.ignoreCase) }
    /// Whether the `m` flag is set.
    public var multiline: Bool { program.flags.contains(.multiline) }
    /// Whether the `s` flag is set.
    public var dotAll: Bool { program.flags.contains(.dotAll) }
    /// Whether the `u` flag is set.
    public var unicode: Bool { program.flags.contains(.unicode) }
    /// Whether the `y` flag is set.
    public var sticky: Bool { program.flags.contains(.sticky) }

    /// `/source/flags`, like `RegExp.prototype.toString`.
    public var description: String { "/" + source + "/" + flags }

    /// Identity.
    public static func == (a: RegexValue, b: RegexValue) -> Bool { a === b }

    /// Hashes the identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// `EscapeRegExpPattern` (ECMA-262 §22.2.6.13.1): the source of `RegExp(text)`, with `/`
    /// and line terminators escaped so that `/source/flags` reads back as the same pattern.
    static func escapedSource(_ pattern: String) -> String {
        var out = ""
        var inClass = false
        var escaped = false
        for c in pattern.unicodeScalars {
            if escaped {
                escaped = false
                switch c {
                case "\n": out += "n"
                case "\r": out += "r"
                case "\u{2028}": out += "u2028"
                case "\u{2029}": out += "u2029"
                default: out.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case "/" where !inClass:
                out += "\\/"
                continue
            case "\n":
                out += "\\n"
                continue
            case "\r":
                out += "\\r"
                continue
            case "\u{2028}":
                out += "\\u2028"
                continue
            case "\u{2029}":
                out += "\\u2029"
                continue
            default: break
            }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
