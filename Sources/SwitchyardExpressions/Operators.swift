#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// JavaScript operator semantics over ``Value`` (ECMA-262 §7.1-7.2, §13).
enum Ops {
    /// `ToPrimitive` with no hint: arrays, objects and functions become their string form.
    @inline(__always) static func toPrimitive(_ v: Value) -> Value {
        switch v {
        case .array, .object, .function, .regex: return .string(v.jsString)
        default: return v
        }
    }

    static func add(_ a: Value, _ b: Value, _ run: inout Run, at pos: Int32) throws(ExpressionError) -> Value
    {
        if case .number(let x) = a, case .number(let y) = b { return .number(x + y) }
        let pa = toPrimitive(a)
        let pb = toPrimitive(b)
        switch (pa, pb) {
        case (.string(let x), .string(let y)): return try concat(x, y, &run, at: pos)
        case (.string(let x), _): return try concat(x, pb.jsString, &run, at: pos)
        case (_, .string(let y)): return try concat(pa.jsString, y, &run, at: pos)
        default: return .number(pa.jsNumber + pb.jsNumber)
        }
    }

    static func concat(_ x: String, _ y: String, _ run: inout Run, at pos: Int32) throws(ExpressionError)
        -> Value
    {
        let n = x.utf8.count + y.utf8.count
        if n > run.limits.maxStringLength {
            throw ExpressionError(
                .limit, "string longer than the limit of \(run.limits.maxStringLength) bytes", at: pos)
        }
        try run.chargeWork(n, at: pos)
        return .string(x + y)
    }

    static func arith(_ op: BinaryOp, _ x: Double, _ y: Double) -> Double {
        switch op {
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .mod: return jsMod(x, y)
        case .pow: return jsPow(x, y)
        case .band: return Double(JSNumber.toInt32(x) & JSNumber.toInt32(y))
        case .bor: return Double(JSNumber.toInt32(x) | JSNumber.toInt32(y))
        case .bxor: return Double(JSNumber.toInt32(x) ^ JSNumber.toInt32(y))
        case .shl: return Double(JSNumber.toInt32(x) << (JSNumber.toUInt32(y) & 31))
        case .shr: return Double(JSNumber.toInt32(x) >> (JSNumber.toUInt32(y) & 31))
        case .ushr: return Double(JSNumber.toUInt32(x) >> (JSNumber.toUInt32(y) & 31))
        default: return .nan
        }
    }

    static func jsMod(_ x: Double, _ y: Double) -> Double {
        if x.isNaN || y.isNaN || x.isInfinite || y == 0 { return .nan }
        if y.isInfinite { return x }
        if x == 0 { return x }
        let r = x.truncatingRemainder(dividingBy: y)
        return r
    }

    static func jsPow(_ x: Double, _ y: Double) -> Double {
        if y.isNaN { return .nan }
        if y == 0 { return 1 }
        if (x == 1 || x == -1) && y.isInfinite { return .nan }
        return pow(x, y)
    }

    /// Relational comparison `a < b` (or `b < a` when `swap`); nil means undefined (NaN).
    static func lessThan(_ a: Value, _ b: Value) -> Bool? {
        if case .number(let x) = a, case .number(let y) = b {
            if x.isNaN || y.isNaN { return nil }
            return x < y
        }
        let pa = toPrimitive(a)
        let pb = toPrimitive(b)
        if case .string(let x) = pa, case .string(let y) = pb {
            return stringLess(x, y)
        }
        let x = pa.jsNumber
        let y = pb.jsNumber
        if x.isNaN || y.isNaN { return nil }
        return x < y
    }

    /// Compares strings by UTF-16 code units, as JavaScript does.
    static func stringLess(_ x: String, _ y: String) -> Bool {
        var i = x.utf8.makeIterator()
        var j = y.utf8.makeIterator()
        // UTF-8 byte order equals code point order; it differs from UTF-16 order only for
        // code points above U+FFFF against U+E000...U+FFFF, handled by the slow path.
        var ascii = true
        while true {
            let a = i.next()
            let b = j.next()
            guard let a else { return b != nil }
            guard let b else { return false }
            if a >= 0xEE || b >= 0xEE { ascii = false }
            if a != b {
                if ascii { return a < b }
                break
            }
        }
        return x.utf16.lexicographicallyPrecedes(y.utf16)
    }

    static func compare(_ op: BinaryOp, _ a: Value, _ b: Value) -> Bool {
        switch op {
        case .lt: return lessThan(a, b) ?? false
        case .gt: return lessThan(b, a) ?? false
        case .le:
            guard let r = lessThan(b, a) else { return false }
            return !r
        case .ge:
            guard let r = lessThan(a, b) else { return false }
            return !r
        case .eq: return looseEquals(a, b)
        case .ne: return !looseEquals(a, b)
        case .seq: return strictEquals(a, b)
        case .sne: return !strictEquals(a, b)
        default: return false
        }
    }

    /// Byte equality: JavaScript compares code units, not canonical equivalence (Swift's `==`).
    @inline(__always) static func stringEquals(_ x: String, _ y: String) -> Bool {
        let n = x.utf8.count
        if n != y.utf8.count { return false }
        if n == 0 { return true }
        // For ASCII strings Swift's `==` is byte equality (and compares small strings by
        // their raw bits); only non-ASCII text needs the byte comparison below.
        guard x == y else { return false }
        if x.utf16.count == n { return true }
        var x = x
        var y = y
        return x.withUTF8 { a in y.withUTF8 { b in memcmp(a.baseAddress!, b.baseAddress!, n) == 0 } }
    }

    /// `IsStrictlyEqual`. Arrays and objects compare by structure (value semantics).
    static func strictEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return stringEquals(x, y)
        case (.bool(let x), .bool(let y)): return x == y
        case (.undefined, .undefined), (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        case (.function(let x), .function(let y)): return x === y
        case (.regex(let x), .regex(let y)): return x === y
        default: return false
        }
    }

    /// `IsLooselyEqual`.
    static func looseEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return stringEquals(x, y)
        case (.undefined, .undefined), (.null, .null), (.undefined, .null), (.null, .undefined): return true
        case (.undefined, _), (.null, _), (_, .undefined), (_, .null): return false
        case (.number(let x), .string): return x == b.jsNumber
        case (.string, .number(let y)): return a.jsNumber == y
        case (.bool(let x), _): return looseEquals(.number(x ? 1 : 0), b)
        case (_, .bool(let y)): return looseEquals(a, .number(y ? 1 : 0))
        case (.array, .array), (.object, .object), (.function, .function), (.regex, .regex):
            return strictEquals(a, b)
        case (.array, _), (.object, _), (.function, _), (.regex, _): return looseEquals(toPrimitive(a), b)
        case (_, .array), (_, .object), (_, .function), (_, .regex): return looseEquals(a, toPrimitive(b))
        default: return false
        }
    }

    static func typeError(_ message: String, at pos: Int32) -> ExpressionError {
        ExpressionError(.type, message, at: pos)
    }

    /// A short description of a value for error messages.
    static func describe(_ v: Value) -> String {
        switch v {
        case .undefined: return "undefined"
        case .null: return "null"
        case .string(let s): return s.utf8.count > 20 ? "a string" : "'\(s)'"
        case .array: return "an array"
        case .object: return "an object"
        case .function: return "a function"
        case .regex: return "a regular expression"
        case .number, .bool: return v.jsString
        }
    }

    /// Property names that would walk a prototype chain in JavaScript; reading them yields
    /// `undefined` unless the object has such an own property.
    static let forbidden: Set<String> = ["__proto__", "constructor", "prototype"]

    /// `obj[key]` / `obj.key`.
    static func getProperty(_ obj: Value, _ key: Value, at pos: Int32) throws(ExpressionError) -> Value {
        switch obj {
        case .array(let a):
            if case .number(let d) = key {
                if let i = JSNumber.arrayIndex(d) { return i < a.count ? a[i] : .undefined }
                return .undefined
            }
            let k = key.jsString
            if k == "length" { return .number(Double(a.count)) }
            if let d = canonicalIndex(k) { return d < a.count ? a[d] : .undefined }
            return .undefined
        case .object(let o):
            let k: String
            if case .string(let s) = key { k = s } else { k = key.jsString }
            return o[k] ?? .undefined
        case .string(let s):
            if case .number(let d) = key {
                guard let i = JSNumber.arrayIndex(d) else { return .undefined }
                return Builtins.charAt(s, i).map { .string($0) } ?? .undefined
            }
            let k = key.jsString
            if k == "length" { return .number(Double(s.utf16.count)) }
            if let i = canonicalIndex(k) { return Builtins.charAt(s, i).map { .string($0) } ?? .undefined }
            return .undefined
        case .undefined, .null:
            throw typeError("cannot read properties of \(obj.jsString) (reading '\(key.jsString)')", at: pos)
        case .function(let f):
            let k = key.jsString
            if k == "length" { return .number(Double(f.paramCount)) }
            if k == "name" { return .string(f.name ?? "") }
            return .undefined
        case .regex(let r):
            switch key.jsString {
            case "source": return .string(r.source)
            case "flags": return .string(r.flags)
            case "global": return .bool(r.global)
            case "ignoreCase": return .bool(r.ignoreCase)
            case "multiline": return .bool(r.multiline)
            case "dotAll": return .bool(r.dotAll)
            case "unicode": return .bool(r.unicode)
            case "sticky": return .bool(r.sticky)
            case "hasIndices": return .bool(false)
            case "lastIndex": return .number(0)
            default: return .undefined
            }
        case .number, .bool:
            return .undefined
        }
    }

    /// The array index a property-name string denotes ("0", "12", not "01").
    static func canonicalIndex(_ s: String) -> Int? {
        guard let f = s.utf8.first, f >= 48, f <= 57 else { return nil }
        guard let i = Int(s), i >= 0, String(i) == s else { return nil }
        return i
    }

    /// `obj[key] = value` on a value in place.
    static func setProperty(
        _ obj: inout Value, _ key: Value, _ value: Value, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) {
        switch obj {
        case .array(var a):
            var idx: Int? = nil
            if case .number(let d) = key {
                idx = JSNumber.arrayIndex(d)
                if idx == nil {
                    throw typeError("cannot set non-index property \(key.jsString) of an array", at: pos)
                }
            } else {
                let k = key.jsString
                if k == "length" {
                    let n = value.jsNumber
                    guard let len = JSNumber.arrayIndex(n) else {
                        throw ExpressionError(.range, "invalid array length", at: pos)
                    }
                    try run.checkArray(len, at: pos)
                    obj = .undefined
                    if len < a.count {
                        a.removeLast(a.count - len)
                    } else {
                        try run.chargeWork(len - a.count, at: pos)
                        a += Array(repeating: .undefined, count: len - a.count)
                    }
                    obj = .array(a)
                    return
                }
                idx = canonicalIndex(k)
                if idx == nil { throw typeError("cannot set non-index property '\(k)' of an array", at: pos) }
            }
            let i = idx!
            try run.checkArray(i + 1, at: pos)
            obj = .undefined  // release our reference so `a` is uniquely owned
            if i < a.count {
                a[i] = value
            } else {
                try run.chargeWork(i - a.count, at: pos)
                a += Array(repeating: .undefined, count: i - a.count)
                a.append(value)
            }
            obj = .array(a)
        case .object(var o):
            let k: String
            if case .string(let s) = key { k = s } else { k = key.jsString }
            obj = .undefined
            if o[k] == nil { try run.checkArray(o.count + 1, at: pos) }
            o[k] = value
            obj = .object(o)
        case .undefined, .null:
            throw typeError("cannot set properties of \(obj.jsString) (setting '\(key.jsString)')", at: pos)
        default:
            throw typeError("cannot set property '\(key.jsString)' of \(describe(obj))", at: pos)
        }
    }

    /// Runs `body` on `obj[key]` in place (for nested assignment `a.b.c = v`).
    static func modifyProperty(
        _ obj: inout Value, _ key: Value, _ run: inout Run, at pos: Int32,
        _ body: (inout Value, inout Run) throws(ExpressionError) -> Void
    ) throws(ExpressionError) {
        switch obj {
        case .array(var a):
            var idx: Int? = nil
            if case .number(let d) = key {
                idx = JSNumber.arrayIndex(d)
            } else {
                idx = canonicalIndex(key.jsString)
            }
            guard let i = idx, i < a.count else {
                var v = try getProperty(obj, key, at: pos)
                try body(&v, &run)
                try setProperty(&obj, key, v, &run, at: pos)
                return
            }
            obj = .undefined
            defer { obj = .array(a) }
            try body(&a[i], &run)
        case .object(var o):
            let k: String
            if case .string(let s) = key { k = s } else { k = key.jsString }
            obj = .undefined
            defer { obj = .object(o) }
            if let i = o.position(of: k) {
                try body(&o.values[i], &run)
            } else {
                var v = Value.undefined
                try body(&v, &run)
                try run.checkArray(o.count + 1, at: pos)
                o[k] = v
            }
        default:
            var v = try getProperty(obj, key, at: pos)
            try body(&v, &run)
            try setProperty(&obj, key, v, &run, at: pos)
        }
    }
}
