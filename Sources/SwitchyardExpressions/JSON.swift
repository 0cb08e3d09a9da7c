extension Value {
    /// Parses JSON text with `JSON.parse` semantics (duplicate keys: the last wins; nesting is
    /// bounded by ``Limits/default``'s `maxDepth`).
    public static func parseJSON(_ text: String) throws(ExpressionError) -> Value {
        var p = JSONParser(bytes: Array(text.utf8), maxDepth: Limits.default.maxDepth)
        return try p.parseDocument().located(in: text)
    }

    /// Serialises with `JSON.stringify` semantics: `nil` for `undefined` and functions;
    /// non-finite numbers become `null`; `undefined`/function properties are left out and
    /// array elements become `null`.
    public func jsonString() -> String? {
        var out = ""
        var w = JSONWriter(indent: "", maxLength: Int.max, maxDepth: 10_000)
        do throws(ExpressionError) {
            guard try w.write(self, into: &out, level: 0) else { return nil }
        } catch {
            return nil
        }
        return out
    }
}

extension Result where Success == Value, Failure == ExpressionError {
    func located(in text: String) throws(ExpressionError) -> Value {
        switch self {
        case .success(let v): return v
        case .failure(let e): throw e.located(in: SourceText(text))
        }
    }
}

/// A strict JSON parser (RFC 8259) producing ``Value``s.
struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var pos = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() -> Result<Value, ExpressionError> {
        do throws(ExpressionError) {
            skipWS()
            let v = try value()
            skipWS()
            if pos < bytes.count { throw fail("unexpected character after JSON value") }
            return .success(v)
        } catch {
            return .failure(error)
        }
    }

    func fail(_ m: String) -> ExpressionError { ExpressionError(.syntax, "JSON: " + m, at: Int32(pos)) }

    mutating func skipWS() {
        while pos < bytes.count,
            bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0A || bytes[pos] == 0x0D
        {
            pos += 1
        }
    }

    mutating func literal(_ word: String, _ v: Value) throws(ExpressionError) -> Value {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else {
            throw fail("unexpected token")
        }
        pos += w.count
        return v
    }

    mutating func value() throws(ExpressionError) -> Value {
        guard pos < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            if depth > maxDepth {
                throw ExpressionError(.limit, "JSON nested deeper than \(maxDepth)", at: Int32(pos))
            }
            pos += 1
            var o = JSObject()
            skipWS()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return .object(o)
            }
            while true {
                skipWS()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                    throw fail("expected property name")
                }
                let k = try string()
                skipWS()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                pos += 1
                skipWS()
                o[k] = try value()
                skipWS()
                guard pos < bytes.count else { throw fail("unexpected end of input") }
                if bytes[pos] == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if bytes[pos] == UInt8(ascii: "}") {
                    pos += 1
                    return .object(o)
                }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            if depth > maxDepth {
                throw ExpressionError(.limit, "JSON nested deeper than \(maxDepth)", at: Int32(pos))
            }
            pos += 1
            var a: [Value] = []
            skipWS()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                return .array(a)
            }
            while true {
                skipWS()
                a.append(try value())
                skipWS()
                guard pos < bytes.count else { throw fail("unexpected end of input") }
                if bytes[pos] == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if bytes[pos] == UInt8(ascii: "]") {
                    pos += 1
                    return .array(a)
                }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws(ExpressionError) -> Value {
        let start = pos
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 else { throw fail("unexpected token") }
        if bytes[pos] == 48 {
            pos += 1
        } else {
            while pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 else { throw fail("invalid number") }
            while pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
                pos += 1
            }
            guard pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 else { throw fail("invalid number") }
            while pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 { pos += 1 }
        }
        return .number(Double(String(decoding: bytes[start..<pos], as: UTF8.self)) ?? .nan)
    }

    mutating func hex4() throws(ExpressionError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw fail("invalid unicode escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = JSNumber.digitValue(bytes[pos]), d < 16 else {
                throw fail("invalid unicode escape")
            }
            v = v * 16 + UInt32(d)
            pos += 1
        }
        return v
    }

    mutating func string() throws(ExpressionError) -> String {
        pos += 1
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw fail("unterminated string") }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                pos += 1
                continue
            }
            pos += 1
            guard pos < bytes.count else { throw fail("unterminated string") }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var s = try hex4()
                if s >= 0xD800, s <= 0xDBFF, pos + 6 <= bytes.count, bytes[pos] == UInt8(ascii: "\\"),
                    bytes[pos + 1] == UInt8(ascii: "u")
                {
                    let save = pos
                    pos += 2
                    let lo = try hex4()
                    if lo >= 0xDC00, lo <= 0xDFFF {
                        s = 0x10000 + ((s - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        pos = save
                    }
                }
                out += Array(String(Unicode.Scalar(s) ?? "\u{FFFD}").utf8)
            default: throw fail("invalid escape")
            }
        }
    }
}

/// `JSON.stringify`, bounded in output length and depth.
struct JSONWriter {
    var indent: String
    let maxLength: Int
    let maxDepth: Int

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        var needs = false
        for b in s.utf8 where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            needs = true
            break
        }
        if !needs {
            out += s
        } else {
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{8}": out += "\\b"
                case "\u{C}": out += "\\f"
                default:
                    if u.value < 0x20 {
                        let h = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
        }
        out += "\""
    }

    /// Appends `v`; returns false when `v` has no JSON form (undefined, function).
    mutating func write(_ v: Value, into out: inout String, level: Int) throws(ExpressionError) -> Bool {
        if out.utf8.count > maxLength {
            throw ExpressionError(.limit, "JSON text longer than the limit of \(maxLength) bytes", at: 0)
        }
        if level > maxDepth { throw ExpressionError(.limit, "value nested deeper than \(maxDepth)", at: 0) }
        switch v {
        case .undefined, .function: return false
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += d.isFinite ? JSNumber.toString(d) : "null"
        case .string(let s): JSONWriter.quote(s, into: &out)
        case .regex: out += "{}"  // no own enumerable properties
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return true
            }
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += "," }
                newline(&out, level + 1)
                if try !write(e, into: &out, level: level + 1) { out += "null" }
            }
            newline(&out, level)
            out += "]"
        case .object(let o):
            out += "{"
            var first = true
            for i in 0..<o.keys.count {
                switch o.values[i] {
                case .undefined, .function: continue
                default: break
                }
                if !first { out += "," }
                first = false
                newline(&out, level + 1)
                JSONWriter.quote(o.keys[i], into: &out)
                out += indent.isEmpty ? ":" : ": "
                _ = try write(o.values[i], into: &out, level: level + 1)
            }
            if !first { newline(&out, level) }
            out += "}"
        }
        return true
    }

    func newline(_ out: inout String, _ level: Int) {
        guard !indent.isEmpty else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }
}
