/// Punctuators of the language.
enum Punct: String, CaseIterable {
    case lbrace = "{"
    case rbrace = "}"
    case lparen = "("
    case rparen = ")"
    case lbracket = "["
    case rbracket = "]"
    case dot = "."
    case semicolon = ";"
    case comma = ","
    case question = "?"
    case colon = ":"
    case arrow = "=>"
    case lt = "<"
    case gt = ">"
    case le = "<="
    case ge = ">="
    case eq = "=="
    case ne = "!="
    case seq = "==="
    case sne = "!=="
    case plus = "+"
    case minus = "-"
    case star = "*"
    case slash = "/"
    case percent = "%"
    case starstar = "**"
    case inc = "++"
    case dec = "--"
    case shl = "<<"
    case shr = ">>"
    case ushr = ">>>"
    case amp = "&"
    case pipe = "|"
    case caret = "^"
    case bang = "!"
    case tilde = "~"
    case and = "&&"
    case or = "||"
    case nullish = "??"
    case assign = "="
    case plusAssign = "+="
    case minusAssign = "-="
    case starAssign = "*="
    case slashAssign = "/="
    case percentAssign = "%="
    case starstarAssign = "**="
    case shlAssign = "<<="
    case shrAssign = ">>="
    case ushrAssign = ">>>="
    case ampAssign = "&="
    case pipeAssign = "|="
    case caretAssign = "^="
    case andAssign = "&&="
    case orAssign = "||="
    case nullishAssign = "??="
    case optionalDot = "?."
}

/// One token with its byte range.
struct Token {
    enum Kind: Equatable {
        case number(Double)
        case string(String)
        case identifier(String)
        case punct(Punct)
        /// A regular expression literal: the text between the slashes and the flag letters.
        case regex(String, String)
        case eof
    }
    var kind: Kind
    var start: Int32
    var end: Int32
    /// A line terminator precedes the token (for automatic semicolon insertion).
    var newlineBefore: Bool
}

/// Splits expression text into tokens. Works on UTF-8 bytes; positions are byte offsets.
struct Lexer {
    let src: [UInt8]
    var pos = 0
    /// Whether a `/` here starts a regular expression literal rather than a division: true
    /// unless the previous token ends an operand (ECMA-262 §12 goal symbols, decided the way
    /// every JavaScript tokenizer does from the previous token).
    var regexAllowed = true

    /// Keywords after which an operand (so a regular expression) follows.
    static let operandKeywords: Set<String> = [
        "return", "typeof", "void", "delete", "in", "instanceof", "new", "throw", "case", "do", "else",
        "yield", "await",
    ]

    init(_ bytes: [UInt8]) { src = bytes }

    /// The longest punctuator at `i` and its length.
    func punctuator(at i: Int) -> (Punct, Int)? {
        @inline(__always) func at(_ k: Int) -> UInt8 { i + k < src.count ? src[i + k] : 0 }
        let c = src[i]
        let c1 = at(1)
        let c2 = at(2)
        switch c {
        case UInt8(ascii: "{"): return (.lbrace, 1)
        case UInt8(ascii: "}"): return (.rbrace, 1)
        case UInt8(ascii: "("): return (.lparen, 1)
        case UInt8(ascii: ")"): return (.rparen, 1)
        case UInt8(ascii: "["): return (.lbracket, 1)
        case UInt8(ascii: "]"): return (.rbracket, 1)
        case UInt8(ascii: "."): return (.dot, 1)
        case UInt8(ascii: ";"): return (.semicolon, 1)
        case UInt8(ascii: ","): return (.comma, 1)
        case UInt8(ascii: ":"): return (.colon, 1)
        case UInt8(ascii: "~"): return (.tilde, 1)
        case UInt8(ascii: "?"):
            if c1 == UInt8(ascii: "?") {
                return c2 == UInt8(ascii: "=") ? (.nullishAssign, 3) : (.nullish, 2)
            }
            if c1 == UInt8(ascii: ".") { return (.optionalDot, 2) }
            return (.question, 1)
        case UInt8(ascii: "="):
            if c1 == UInt8(ascii: "=") { return c2 == UInt8(ascii: "=") ? (.seq, 3) : (.eq, 2) }
            if c1 == UInt8(ascii: ">") { return (.arrow, 2) }
            return (.assign, 1)
        case UInt8(ascii: "!"):
            if c1 == UInt8(ascii: "=") { return c2 == UInt8(ascii: "=") ? (.sne, 3) : (.ne, 2) }
            return (.bang, 1)
        case UInt8(ascii: "<"):
            if c1 == UInt8(ascii: "<") { return c2 == UInt8(ascii: "=") ? (.shlAssign, 3) : (.shl, 2) }
            if c1 == UInt8(ascii: "=") { return (.le, 2) }
            return (.lt, 1)
        case UInt8(ascii: ">"):
            if c1 == UInt8(ascii: ">") {
                if c2 == UInt8(ascii: ">") {
                    return at(3) == UInt8(ascii: "=") ? (.ushrAssign, 4) : (.ushr, 3)
                }
                return c2 == UInt8(ascii: "=") ? (.shrAssign, 3) : (.shr, 2)
            }
            if c1 == UInt8(ascii: "=") { return (.ge, 2) }
            return (.gt, 1)
        case UInt8(ascii: "+"):
            if c1 == UInt8(ascii: "+") { return (.inc, 2) }
            if c1 == UInt8(ascii: "=") { return (.plusAssign, 2) }
            return (.plus, 1)
        case UInt8(ascii: "-"):
            if c1 == UInt8(ascii: "-") { return (.dec, 2) }
            if c1 == UInt8(ascii: "=") { return (.minusAssign, 2) }
            return (.minus, 1)
        case UInt8(ascii: "*"):
            if c1 == UInt8(ascii: "*") {
                return c2 == UInt8(ascii: "=") ? (.starstarAssign, 3) : (.starstar, 2)
            }
            if c1 == UInt8(ascii: "=") { return (.starAssign, 2) }
            return (.star, 1)
        case UInt8(ascii: "/"): return c1 == UInt8(ascii: "=") ? (.slashAssign, 2) : (.slash, 1)
        case UInt8(ascii: "%"): return c1 == UInt8(ascii: "=") ? (.percentAssign, 2) : (.percent, 1)
        case UInt8(ascii: "^"): return c1 == UInt8(ascii: "=") ? (.caretAssign, 2) : (.caret, 1)
        case UInt8(ascii: "&"):
            if c1 == UInt8(ascii: "&") { return c2 == UInt8(ascii: "=") ? (.andAssign, 3) : (.and, 2) }
            if c1 == UInt8(ascii: "=") { return (.ampAssign, 2) }
            return (.amp, 1)
        case UInt8(ascii: "|"):
            if c1 == UInt8(ascii: "|") { return c2 == UInt8(ascii: "=") ? (.orAssign, 3) : (.or, 2) }
            if c1 == UInt8(ascii: "=") { return (.pipeAssign, 2) }
            return (.pipe, 1)
        default: return nil
        }
    }

    func error(_ message: String, _ at: Int) -> ExpressionError {
        ExpressionError(.syntax, message, at: Int32(at))
    }

    mutating func next() throws(ExpressionError) -> Token {
        var newline = false
        // Skip whitespace and comments.
        while pos < src.count {
            let c = src[pos]
            if c == 0x0A || c == 0x0D {
                newline = true
                pos += 1
            } else if c == 0x20 || c == 0x09 || c == 0x0B || c == 0x0C {
                pos += 1
            } else if c == UInt8(ascii: "/"), pos + 1 < src.count, src[pos + 1] == UInt8(ascii: "/") {
                while pos < src.count, src[pos] != 0x0A { pos += 1 }
            } else if c == UInt8(ascii: "/"), pos + 1 < src.count, src[pos + 1] == UInt8(ascii: "*") {
                let start = pos
                pos += 2
                while true {
                    if pos + 1 >= src.count { throw error("unterminated comment", start) }
                    if src[pos] == 0x0A { newline = true }
                    if src[pos] == UInt8(ascii: "*"), src[pos + 1] == UInt8(ascii: "/") {
                        pos += 2
                        break
                    }
                    pos += 1
                }
            } else if c == 0xC2, pos + 1 < src.count, src[pos + 1] == 0xA0 {
                pos += 2  // no-break space
            } else if c == 0xEF, pos + 2 < src.count, src[pos + 1] == 0xBB, src[pos + 2] == 0xBF {
                pos += 3  // BOM
            } else if c == 0xE2, pos + 2 < src.count, src[pos + 1] == 0x80,
                src[pos + 2] == 0xA8 || src[pos + 2] == 0xA9
            {
                newline = true
                pos += 3
            } else {
                break
            }
        }
        let start = pos
        guard pos < src.count else {
            return Token(kind: .eof, start: Int32(pos), end: Int32(pos), newlineBefore: true)
        }
        let c = src[pos]
        let kind: Token.Kind
        if isIdentStart(c) {
            while pos < src.count, isIdentPart(src[pos]) { pos += 1 }
            kind = .identifier(String(decoding: src[start..<pos], as: UTF8.self))
        } else if c >= 0x80 {
            throw error("unexpected character", start)
        } else if isDigit(c) || (c == UInt8(ascii: ".") && pos + 1 < src.count && isDigit(src[pos + 1])) {
            kind = .number(try number())
        } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            kind = .string(try string(quote: c))
        } else if c == UInt8(ascii: "/"), regexAllowed {
            kind = try regex()
        } else {
            guard let match = punctuator(at: pos) else {
                if c == UInt8(ascii: "`") { throw error("template literals are not supported", start) }
                throw error("unexpected character '\(String(decoding: [c], as: UTF8.self))'", start)
            }
            let (p, len) = match
            // `a?.5:1` is a conditional, not optional chaining.
            if p == .optionalDot, pos + 2 < src.count, isDigit(src[pos + 2]) {
                pos += 1
                kind = .punct(.question)
            } else {
                pos += len
                kind = .punct(p)
            }
        }
        regexAllowed = Lexer.allowsRegex(after: kind)
        return Token(kind: kind, start: Int32(start), end: Int32(pos), newlineBefore: newline)
    }

    /// Whether a `/` after a token of this kind starts a regular expression: not after an
    /// operand (a name, a literal, `)`, `]`, `}`, postfix `++`/`--`).
    static func allowsRegex(after kind: Token.Kind) -> Bool {
        switch kind {
        case .identifier(let name): return operandKeywords.contains(name)
        case .punct(let p): return !(p == .rparen || p == .rbracket || p == .rbrace || p == .inc || p == .dec)
        case .eof: return true
        default: return false
        }
    }

    /// A regular expression literal at `pos` (ECMA-262 §12.9.5): the body up to an unescaped `/`
    /// outside a class, then identifier characters as flags (checked by the compiler).
    private mutating func regex() throws(ExpressionError) -> Token.Kind {
        let start = pos
        pos += 1
        var inClass = false
        while true {
            guard pos < src.count else { throw error("unterminated regular expression literal", start) }
            let c = src[pos]
            if c == 0x0A || c == 0x0D
                || (c == 0xE2 && pos + 2 < src.count && src[pos + 1] == 0x80
                    && (src[pos + 2] == 0xA8 || src[pos + 2] == 0xA9))
            {
                throw error("unterminated regular expression literal (line break inside)", start)
            }
            if c == UInt8(ascii: "\\") {
                pos += 1
                if pos < src.count, src[pos] == 0x0A || src[pos] == 0x0D {
                    throw error("unterminated regular expression literal (line break inside)", start)
                }
                if pos < src.count { pos += 1 }
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
            } else if c == UInt8(ascii: "]") {
                inClass = false
            } else if c == UInt8(ascii: "/"), !inClass {
                break
            }
            pos += 1
        }
        let body = String(decoding: src[(start + 1)..<pos], as: UTF8.self)
        pos += 1
        let flagsStart = pos
        while pos < src.count, isIdentPart(src[pos]) { pos += 1 }
        return .regex(body, String(decoding: src[flagsStart..<pos], as: UTF8.self))
    }

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    @inline(__always) func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c == 36
    }
    @inline(__always) func isIdentPart(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

    private mutating func number() throws(ExpressionError) -> Double {
        let start = pos
        if src[pos] == UInt8(ascii: "0"), pos + 1 < src.count {
            let r: Int
            switch src[pos + 1] | 0x20 {
            case UInt8(ascii: "x"): r = 16
            case UInt8(ascii: "o"): r = 8
            case UInt8(ascii: "b"): r = 2
            default: r = 0
            }
            if r != 0 {
                pos += 2
                let ds = pos
                while pos < src.count, let d = JSNumber.digitValue(src[pos]), d < r { pos += 1 }
                if pos == ds { throw error("missing digits after radix prefix", start) }
                if pos < src.count, isIdentPart(src[pos]) { throw error("invalid number literal", start) }
                return JSNumber.parseRadixDigits(src[ds..<pos], radix: r, whole: true) ?? 0
            }
            if isDigit(src[pos + 1]) { throw error("legacy octal literals are not supported", start) }
        }
        while pos < src.count, isDigit(src[pos]) { pos += 1 }
        if pos < src.count, src[pos] == UInt8(ascii: ".") {
            pos += 1
            while pos < src.count, isDigit(src[pos]) { pos += 1 }
        }
        if pos < src.count, src[pos] | 0x20 == UInt8(ascii: "e") {
            var p = pos + 1
            if p < src.count, src[p] == UInt8(ascii: "+") || src[p] == UInt8(ascii: "-") { p += 1 }
            guard p < src.count, isDigit(src[p]) else {
                throw error("invalid exponent in number literal", start)
            }
            while p < src.count, isDigit(src[p]) { p += 1 }
            pos = p
        }
        if pos < src.count, isIdentStart(src[pos]) { throw error("identifier directly after number", start) }
        return Double(String(decoding: src[start..<pos], as: UTF8.self)) ?? .nan
    }

    private mutating func hex(_ n: Int, _ at: Int) throws(ExpressionError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<n {
            guard pos < src.count, let d = JSNumber.digitValue(src[pos]), d < 16 else {
                throw error("invalid escape sequence", at)
            }
            v = v * 16 + UInt32(d)
            pos += 1
        }
        return v
    }

    private mutating func string(quote: UInt8) throws(ExpressionError) -> String {
        let start = pos
        pos += 1
        var bytes: [UInt8] = []
        var pendingHigh: UInt32? = nil
        func flushHigh(_ bytes: inout [UInt8], _ pending: inout UInt32?) {
            if pending != nil {
                bytes += Array("\u{FFFD}".utf8)
                pending = nil
            }
        }
        while true {
            guard pos < src.count else { throw error("unterminated string literal", start) }
            let c = src[pos]
            if c == quote {
                pos += 1
                break
            }
            if c == 0x0A || c == 0x0D { throw error("unterminated string literal", start) }
            if c != UInt8(ascii: "\\") {
                flushHigh(&bytes, &pendingHigh)
                bytes.append(c)
                pos += 1
                continue
            }
            let escStart = pos
            pos += 1
            guard pos < src.count else { throw error("unterminated string literal", start) }
            let e = src[pos]
            pos += 1
            var scalar: UInt32? = nil
            switch e {
            case UInt8(ascii: "n"): scalar = 0x0A
            case UInt8(ascii: "t"): scalar = 0x09
            case UInt8(ascii: "r"): scalar = 0x0D
            case UInt8(ascii: "b"): scalar = 0x08
            case UInt8(ascii: "f"): scalar = 0x0C
            case UInt8(ascii: "v"): scalar = 0x0B
            case UInt8(ascii: "0") where !(pos < src.count && isDigit(src[pos])): scalar = 0
            case UInt8(ascii: "x"): scalar = try hex(2, escStart)
            case UInt8(ascii: "u"):
                if pos < src.count, src[pos] == UInt8(ascii: "{") {
                    pos += 1
                    var v: UInt32 = 0
                    var n = 0
                    while pos < src.count, src[pos] != UInt8(ascii: "}") {
                        guard let d = JSNumber.digitValue(src[pos]), d < 16, v <= 0x10FFFF else {
                            throw error("invalid escape sequence", escStart)
                        }
                        v = v * 16 + UInt32(d)
                        n += 1
                        pos += 1
                    }
                    guard pos < src.count, n > 0, v <= 0x10FFFF else {
                        throw error("invalid escape sequence", escStart)
                    }
                    pos += 1
                    scalar = v
                } else {
                    scalar = try hex(4, escStart)
                }
            case 0x0A:
                continue  // line continuation
            case 0x0D:
                if pos < src.count, src[pos] == 0x0A { pos += 1 }
                continue
            case UInt8(ascii: "1")...UInt8(ascii: "9"):
                throw error("octal escape sequences are not supported", escStart)
            default:
                flushHigh(&bytes, &pendingHigh)
                bytes.append(e)
                // Copy any continuation bytes of a multi-byte character.
                while pos < src.count, src[pos] & 0xC0 == 0x80 {
                    bytes.append(src[pos])
                    pos += 1
                }
                continue
            }
            guard let s = scalar else { continue }
            if s >= 0xD800, s <= 0xDBFF {
                flushHigh(&bytes, &pendingHigh)
                pendingHigh = s
                continue
            }
            if s >= 0xDC00, s <= 0xDFFF {
                if let h = pendingHigh {
                    let combined = 0x10000 + ((h - 0xD800) << 10) + (s - 0xDC00)
                    bytes += Array(String(Unicode.Scalar(combined)!).utf8)
                    pendingHigh = nil
                } else {
                    bytes += Array("\u{FFFD}".utf8)
                }
                continue
            }
            flushHigh(&bytes, &pendingHigh)
            bytes += Array(String(Unicode.Scalar(s) ?? "\u{FFFD}").utf8)
        }
        flushHigh(&bytes, &pendingHigh)
        return String(decoding: bytes, as: UTF8.self)
    }
}
