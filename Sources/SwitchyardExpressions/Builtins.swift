#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Built-in methods of strings and arrays.
enum Method: String {
    case includes, contains, startsWith, endsWith, indexOf, lastIndexOf, slice, substring, substr
    case toLowerCase, toUpperCase, trim, trimStart, trimEnd, split, replace, replaceAll, charAt, charCodeAt
    case concat, join, push, pop, shift, unshift, reverse, toString, toFixed, at, padStart, padEnd, `repeat`
    case search, match, test, exec

    /// Methods that change the receiver array in place.
    var mutates: Bool {
        switch self {
        case .push, .pop, .shift, .unshift, .reverse: return true
        default: return false
        }
    }
}

/// Built-in global functions and namespace functions (`Math.max`, `JSON.parse`, ...).
enum GlobalFunction: String {
    case number = "Number"
    case string = "String"
    case boolean = "Boolean"
    case parseInt, parseFloat, isNaN, isFinite
    case mathMin = "Math.min"
    case mathMax = "Math.max"
    case mathAbs = "Math.abs"
    case mathFloor = "Math.floor"
    case mathCeil = "Math.ceil"
    case mathRound = "Math.round"
    case mathTrunc = "Math.trunc"
    case mathSign = "Math.sign"
    case mathSqrt = "Math.sqrt"
    case mathPow = "Math.pow"
    case jsonStringify = "JSON.stringify"
    case jsonParse = "JSON.parse"
    case arrayIsArray = "Array.isArray"
    case objectKeys = "Object.keys"
    case objectValues = "Object.values"
    case numberIsInteger = "Number.isInteger"
    case regExp = "RegExp"
}

enum Builtins {
    /// The UTF-16 code unit at `i` as a string (lone surrogates become U+FFFD).
    static func charAt(_ s: String, _ i: Int) -> String? {
        let u = s.utf16
        guard i < u.count else { return nil }
        let idx = u.index(u.startIndex, offsetBy: i)
        return String(decoding: [u[idx]], as: UTF16.self)
    }

    /// The substring between UTF-16 offsets (clamped).
    static func utf16Slice(_ s: String, _ from: Int, _ to: Int) -> String {
        let u = s.utf16
        if from >= to { return "" }
        if s.utf8.count == u.count {  // ASCII: bytes and code units coincide
            let b = s.utf8
            return String(
                decoding: b[b.index(b.startIndex, offsetBy: from)..<b.index(b.startIndex, offsetBy: to)],
                as: UTF8.self)
        }
        let a = u.index(u.startIndex, offsetBy: from)
        let b = u.index(u.startIndex, offsetBy: to)
        if let sub = String(u[a..<b]) { return sub }
        return String(decoding: Array(u[a..<b]), as: UTF16.self)
    }

    /// `ToIntegerOrInfinity` then clamping a relative index into 0...len.
    static func relIndex(_ v: Value, _ len: Int, default d: Int) -> Int {
        if case .undefined = v { return d }
        let n = v.jsNumber
        if n.isNaN { return 0 }
        let t = n.rounded(.towardZero)
        if t < 0 { return max(0, len + Int(max(t, -Double(len) - 1))) }
        return min(len, Int(min(t, Double(len))))
    }

    static func clampIndex(_ v: Value, _ len: Int, default d: Int) -> Int {
        if case .undefined = v { return d }
        let n = v.jsNumber
        if n.isNaN { return 0 }
        return Int(min(max(n.rounded(.towardZero), 0), Double(len)))
    }

    /// UTF-16 offset of `needle` in `hay` at or after `from`, or -1.
    static func indexOf(_ hay: String, _ needle: String, from: Int) -> Int {
        let h = Array(hay.utf16)
        let n = Array(needle.utf16)
        if n.count == 0 { return min(from, h.count) }
        if n.count > h.count { return -1 }
        var i = max(0, from)
        while i + n.count <= h.count {
            if h[i] == n[0] {
                var j = 1
                while j < n.count, h[i + j] == n[j] { j += 1 }
                if j == n.count { return i }
            }
            i += 1
        }
        return -1
    }

    static func lastIndexOf(_ hay: String, _ needle: String, from: Int) -> Int {
        let h = Array(hay.utf16)
        let n = Array(needle.utf16)
        var i = min(from, h.count - n.count)
        while i >= 0 {
            if Array(h[i..<i + n.count]) == n { return i }
            i -= 1
        }
        return -1
    }

    @inline(__always) static func stringIncludes(_ s: String, _ t: String) -> Bool {
        if t.isEmpty { return true }
        if s.utf8.count < t.utf8.count { return false }
        // Byte-wise search is exact for UTF-8 (no false matches inside characters).
        return s.utf8.withContiguousStorageIfAvailable { hs in
            t.utf8.withContiguousStorageIfAvailable { ns in
                bytesContain(hs, ns)
            } ?? (indexOf(s, t, from: 0) >= 0)
        } ?? (indexOf(s, t, from: 0) >= 0)
    }

    static func bytesContain(_ h: UnsafeBufferPointer<UInt8>, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = n[0]
        var i = 0
        let last = h.count - n.count
        while i <= last {
            if h[i] == first {
                var j = 1
                while j < n.count, h[i + j] == n[j] { j += 1 }
                if j == n.count { return true }
            }
            i += 1
        }
        return false
    }

    static func arrayIndexOf(_ a: [Value], _ v: Value, from: Int) -> Int {
        var i = max(0, from)
        while i < a.count {
            if Ops.strictEquals(a[i], v) { return i }
            i += 1
        }
        return -1
    }

    /// `includes` of a string in an array, reading the elements in place.
    @inline(__always) static func arrayIncludesString(_ a: [Value], _ s: String) -> Bool {
        a.withUnsafeBufferPointer { buf in
            for i in 0..<buf.count {
                if case .string(let t) = buf[i], Ops.stringEquals(s, t) { return true }
            }
            return false
        }
    }

    /// `Array.prototype.includes` uses SameValueZero (NaN is found).
    @inline(__always) static func arrayIncludes(_ a: [Value], _ v: Value) -> Bool {
        if case .string(let s) = v {
            for e in a {
                if case .string(let t) = e, Ops.stringEquals(s, t) { return true }
            }
            return false
        }
        if case .number(let d) = v, d.isNaN {
            for e in a {
                if case .number(let x) = e, x.isNaN { return true }
            }
            return false
        }
        for e in a where Ops.strictEquals(e, v) { return true }
        return false
    }

    /// `Number.prototype.toFixed`: the exact binary value rounded half away from zero (ties
    /// pick the larger magnitude, as ECMA-262 specifies).
    static func numberToFixed(_ d: Double, _ digits: Int) -> String {
        if !d.isFinite || abs(d) >= 1e21 { return JSNumber.toString(d) }
        let x = abs(d)
        var buf = [CChar](repeating: 0, count: 512)
        _ = withVaList([digits + 30, x]) { vsnprintf(&buf, 512, "%.*f", $0) }
        var chars = Array(buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) })
        let dot = chars.firstIndex(of: UInt8(ascii: "."))!
        let keep = dot + digits  // index of the last kept digit (or the dot when digits == 0)
        let roundUp = chars[keep + 1] >= UInt8(ascii: "5")
        chars.removeSubrange((digits == 0 ? keep : keep + 1)...)
        if roundUp {
            var i = chars.count - 1
            while true {
                if i < 0 {
                    chars.insert(UInt8(ascii: "1"), at: 0)
                    break
                }
                if chars[i] == UInt8(ascii: ".") {
                    i -= 1
                    continue
                }
                if chars[i] == UInt8(ascii: "9") {
                    chars[i] = UInt8(ascii: "0")
                    i -= 1
                } else {
                    chars[i] += 1
                    break
                }
            }
        }
        let r = String(decoding: chars, as: UTF8.self)
        return d < 0 ? "-" + r : r
    }

    /// Calls a built-in method on a receiver.
    static func callMethod(
        _ recv: Value, _ m: Method, _ args: Args, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        switch recv {
        case .string(let s):
            return try stringMethod(s, m, args, &run, at: pos)
        case .array(let a):
            var copy = a
            var r = recv
            r = .undefined
            _ = r
            return try arrayMethod(&copy, m, args, &run, at: pos)
        case .number(let d):
            switch m {
            case .toString:
                if case .undefined = args[0] { return .string(JSNumber.toString(d)) }
                let radix = args[0].jsNumber
                guard radix == 10 else {
                    guard radix >= 2, radix <= 36, radix == radix.rounded() else {
                        throw ExpressionError(.range, "toString() radix must be between 2 and 36", at: pos)
                    }
                    if d.isFinite, d == d.rounded(), abs(d) < 9e15 {
                        return .string(String(Int64(d), radix: Int(radix)))
                    }
                    throw ExpressionError(.range, "toString(radix) supports only integers", at: pos)
                }
                return .string(JSNumber.toString(d))
            case .toFixed:
                let f = args[0].jsNumber
                let digits = f.isNaN ? 0 : f.rounded(.towardZero)
                guard digits >= 0, digits <= 100 else {
                    throw ExpressionError(
                        .range, "toFixed() digits argument must be between 0 and 100", at: pos)
                }
                return .string(numberToFixed(d, Int(digits)))
            default: break
            }
        case .bool(let b):
            if m == .toString { return .string(b ? "true" : "false") }
        case .object:
            if m == .toString { return .string("[object Object]") }
        case .function(let f):
            if m == .toString { return .string(f.source) }
        case .regex(let r):
            return try regexMethod(r, m, args, &run, at: pos)
        case .undefined, .null:
            throw Ops.typeError(
                "cannot read properties of \(recv.jsString) (reading '\(m.rawValue)')", at: pos)
        }
        throw Ops.typeError("'\(m.rawValue)' is not a method of \(Ops.describe(recv))", at: pos)
    }

    static func stringMethod(
        _ s: String, _ m: Method, _ args: Args, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        try run.chargeWork(s.utf8.count, at: pos)
        switch m {
        case .search, .match:
            return try stringRegexMethod(s, m, args, &run, at: pos)
        case .replace, .replaceAll, .split:
            if case .regex = args[0] { return try stringRegexMethod(s, m, args, &run, at: pos) }
        default: break
        }
        switch m {
        case .includes, .contains:
            let t = args[0].jsString
            if case .undefined = args[1] { return .bool(stringIncludes(s, t)) }
            let len = s.utf16.count
            return .bool(indexOf(s, t, from: clampIndex(args[1], len, default: 0)) >= 0)
        case .startsWith:
            let t = args[0].jsString
            if case .undefined = args[1] { return .bool(s.utf8.starts(with: t.utf8)) }
            let u = Array(s.utf16)
            let from = clampIndex(args[1], u.count, default: 0)
            return .bool(u[from...].starts(with: t.utf16))
        case .endsWith:
            let t = args[0].jsString
            let u = Array(s.utf16)
            let end = clampIndex(args[1], u.count, default: u.count)
            let tu = Array(t.utf16)
            if tu.count > end { return .bool(false) }
            return .bool(Array(u[(end - tu.count)..<end]) == tu)
        case .indexOf:
            let len = s.utf16.count
            return .number(Double(indexOf(s, args[0].jsString, from: clampIndex(args[1], len, default: 0))))
        case .lastIndexOf:
            let len = s.utf16.count
            let n = args[1].jsNumber
            let from = n.isNaN ? len : Int(min(max(n.rounded(.towardZero), 0), Double(len)))
            return .number(Double(lastIndexOf(s, args[0].jsString, from: from)))
        case .slice:
            let len = s.utf16.count
            let a = relIndex(args[0], len, default: 0)
            let b = relIndex(args[1], len, default: len)
            return .string(utf16Slice(s, a, b))
        case .substring:
            let len = s.utf16.count
            let a = clampIndex(args[0], len, default: 0)
            let b = clampIndex(args[1], len, default: len)
            return .string(utf16Slice(s, min(a, b), max(a, b)))
        case .substr:
            let len = s.utf16.count
            let a = relIndex(args[0], len, default: 0)
            var n = len - a
            if case .undefined = args[1] {
            } else {
                let l = args[1].jsNumber
                n = l.isNaN ? 0 : Int(min(max(l.rounded(.towardZero), 0), Double(len - a)))
            }
            return .string(utf16Slice(s, a, a + n))
        case .toLowerCase: return .string(s.lowercased())
        case .toUpperCase:
            let r = s.uppercased()
            try run.checkString(r, at: pos)
            return .string(r)
        case .trim: return .string(String(JSNumber.trim(s)))
        case .trimStart:
            let t = s.unicodeScalars.drop(while: { JSNumber.isJSWhitespace($0) })
            return .string(String(String.UnicodeScalarView(t)))
        case .trimEnd:
            var u = Array(s.unicodeScalars)
            while let l = u.last, JSNumber.isJSWhitespace(l) { u.removeLast() }
            var r = String.UnicodeScalarView()
            r.append(contentsOf: u)
            return .string(String(r))
        case .split:
            var limit = Int.max
            if case .undefined = args[1] {} else { limit = Int(JSNumber.toUInt32(args[1].jsNumber)) }
            if limit == 0 { return .array([]) }
            guard case .string(let sep) = args[0] else {
                if case .undefined = args[0] { return .array([.string(s)]) }
                throw Ops.typeError("split() supports only string and regular expression separators", at: pos)
            }
            var out: [Value] = []
            if sep.isEmpty {
                for c in s.utf16 {
                    if out.count >= limit { break }
                    out.append(.string(String(decoding: [c], as: UTF16.self)))
                }
            } else {
                var rest = Substring(s)
                while out.count < limit {
                    guard let r = rest.firstRange(of: sep) else {
                        out.append(.string(String(rest)))
                        break
                    }
                    out.append(.string(String(rest[..<r.lowerBound])))
                    rest = rest[r.upperBound...]
                }
            }
            try run.checkArray(out.count, at: pos)
            return .array(out)
        case .replace, .replaceAll:
            guard case .string(let pat) = args[0] else {
                throw Ops.typeError(
                    "\(m.rawValue)() supports only string and regular expression patterns", at: pos)
            }
            if case .function = args[1] {
                throw Ops.typeError("\(m.rawValue)() with a function replacement is not supported", at: pos)
            }
            let rep = args[1].jsString
            if rep.utf8.contains(UInt8(ascii: "$")) {
                throw Ops.typeError("'$' patterns in replacement strings are not supported", at: pos)
            }
            let r: String
            if m == .replace {
                if let range = s.firstRange(of: pat) {
                    r = String(s[..<range.lowerBound]) + rep + String(s[range.upperBound...])
                } else {
                    r = s
                }
            } else {
                if pat.isEmpty {
                    var out = rep
                    for c in s.unicodeScalars {
                        out.unicodeScalars.append(c)
                        out += rep
                        if out.utf8.count > run.limits.maxStringLength { break }
                    }
                    r = out
                } else {
                    r = s.replacing(pat, with: rep)
                }
            }
            try run.checkString(r, at: pos)
            return .string(r)
        case .charAt:
            let n = args[0].jsNumber
            let i = n.isNaN ? 0 : n.rounded(.towardZero)
            guard i >= 0, i < Double(s.utf16.count) else { return .string("") }
            return .string(charAt(s, Int(i)) ?? "")
        case .charCodeAt:
            let n = args[0].jsNumber
            let i = n.isNaN ? 0 : n.rounded(.towardZero)
            let u = s.utf16
            guard i >= 0, i < Double(u.count) else { return .number(.nan) }
            return .number(Double(u[u.index(u.startIndex, offsetBy: Int(i))]))
        case .at:
            let len = s.utf16.count
            let n = args[0].jsNumber
            var i = n.isNaN ? 0 : n.rounded(.towardZero)
            if i < 0 { i += Double(len) }
            guard i >= 0, i < Double(len) else { return .undefined }
            return .string(charAt(s, Int(i)) ?? "")
        case .concat:
            var r = s
            for i in 0..<args.count {
                r += args[i].jsString
                try run.checkString(r, at: pos)
            }
            return .string(r)
        case .padStart, .padEnd:
            let target = args[0].jsNumber
            let len = s.utf16.count
            guard target.isFinite, target > Double(len) else { return .string(s) }
            guard target <= Double(run.limits.maxStringLength) else {
                throw ExpressionError(
                    .limit, "string longer than the limit of \(run.limits.maxStringLength) bytes", at: pos)
            }
            var filler = " "
            if case .undefined = args[1] {} else { filler = args[1].jsString }
            if filler.isEmpty { return .string(s) }
            let fu = Array(filler.utf16)
            var pad: [UInt16] = []
            while pad.count < Int(target) - len { pad.append(fu[pad.count % fu.count]) }
            let p = String(decoding: pad, as: UTF16.self)
            return .string(m == .padStart ? p + s : s + p)
        case .repeat:
            let n = args[0].jsNumber
            let c = n.isNaN ? 0 : n.rounded(.towardZero)
            guard c >= 0, c.isFinite else { throw ExpressionError(.range, "invalid count value", at: pos) }
            if Double(s.utf8.count) * c > Double(run.limits.maxStringLength) {
                throw ExpressionError(
                    .limit, "string longer than the limit of \(run.limits.maxStringLength) bytes", at: pos)
            }
            try run.chargeWork(s.utf8.count * Int(c), at: pos)
            return .string(String(repeating: s, count: Int(c)))
        case .toString: return .string(s)
        default:
            throw Ops.typeError("'\(m.rawValue)' is not a string method", at: pos)
        }
    }

    /// Array methods; mutating ones change `a` in place.
    static func arrayMethod(
        _ a: inout [Value], _ m: Method, _ args: Args, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        switch m {
        case .includes, .contains:
            try run.chargeWork(a.count, at: pos)
            if case .undefined = args[1] { return .bool(arrayIncludes(a, args[0])) }
            let from = relIndex(args[1], a.count, default: 0)
            return .bool(arrayIncludes(Array(a[from...]), args[0]))
        case .indexOf:
            try run.chargeWork(a.count, at: pos)
            return .number(Double(arrayIndexOf(a, args[0], from: relIndex(args[1], a.count, default: 0))))
        case .lastIndexOf:
            try run.chargeWork(a.count, at: pos)
            var i = a.count - 1
            if case .undefined = args[1] {} else { i = relIndex(args[1], a.count, default: 0) }
            if i >= a.count { i = a.count - 1 }
            while i >= 0 {
                if Ops.strictEquals(a[i], args[0]) { return .number(Double(i)) }
                i -= 1
            }
            return .number(-1)
        case .slice:
            let x = relIndex(args[0], a.count, default: 0)
            let y = relIndex(args[1], a.count, default: a.count)
            try run.chargeWork(y - x, at: pos)
            return .array(x < y ? Array(a[x..<y]) : [])
        case .concat:
            var r = a
            for i in 0..<args.count {
                if case .array(let b) = args[i] {
                    try run.checkArray(r.count + b.count, at: pos)
                    r += b
                } else {
                    try run.checkArray(r.count + 1, at: pos)
                    r.append(args[i])
                }
            }
            try run.chargeWork(r.count, at: pos)
            return .array(r)
        case .join:
            var sep = ","
            if case .undefined = args[0] {} else { sep = args[0].jsString }
            var out = ""
            for (i, v) in a.enumerated() {
                if i > 0 { out += sep }
                switch v {
                case .undefined, .null: break
                default: out += v.jsString
                }
                if out.utf8.count > run.limits.maxStringLength { try run.checkString(out, at: pos) }
            }
            try run.chargeWork(out.utf8.count, at: pos)
            return .string(out)
        case .push:
            try run.checkArray(a.count + args.count, at: pos)
            for i in 0..<args.count {
                try run.checkNesting(args[i], extra: 1, at: pos)
                a.append(args[i])
            }
            return .number(Double(a.count))
        case .pop:
            return a.popLast() ?? .undefined
        case .shift:
            try run.chargeWork(a.count, at: pos)
            return a.isEmpty ? .undefined : a.removeFirst()
        case .unshift:
            try run.checkArray(a.count + args.count, at: pos)
            try run.chargeWork(a.count, at: pos)
            for i in 0..<args.count { try run.checkNesting(args[i], extra: 1, at: pos) }
            a.insert(contentsOf: args.array, at: 0)
            return .number(Double(a.count))
        case .reverse:
            a.reverse()
            return .array(a)
        case .at:
            let n = args[0].jsNumber
            var i = n.isNaN ? 0 : n.rounded(.towardZero)
            if i < 0 { i += Double(a.count) }
            guard i >= 0, i < Double(a.count) else { return .undefined }
            return a[Int(i)]
        case .toString:
            return .string(Value.array(a).jsString)
        default:
            throw Ops.typeError("'\(m.rawValue)' is not an array method", at: pos)
        }
    }

    /// Calls a global or namespace function.
    static func callGlobal(
        _ g: GlobalFunction, _ args: Args, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        switch g {
        case .number: return .number(args.count == 0 ? 0 : args[0].jsNumber)
        case .string:
            if args.count == 0 { return .string("") }
            return .string(args[0].jsString)
        case .boolean: return .bool(args[0].truthy)
        case .parseInt: return .number(JSNumber.parseInt(args[0].jsString, radix: args[1].jsNumber))
        case .parseFloat: return .number(JSNumber.parseFloat(args[0].jsString))
        case .isNaN: return .bool(args[0].jsNumber.isNaN)
        case .isFinite: return .bool(args[0].jsNumber.isFinite)
        case .numberIsInteger:
            if case .number(let d) = args[0] { return .bool(d.isFinite && d == d.rounded(.towardZero)) }
            return .bool(false)
        case .mathMin, .mathMax:
            var r = g == .mathMin ? Double.infinity : -Double.infinity
            for i in 0..<args.count {
                let d = args[i].jsNumber
                if d.isNaN { return .number(.nan) }
                if g == .mathMin {
                    if d < r || (d == 0 && r == 0 && d.sign == .minus) { r = d }
                } else {
                    if d > r || (d == 0 && r == 0 && d.sign == .plus) { r = d }
                }
            }
            return .number(r)
        case .mathAbs: return .number(abs(args[0].jsNumber))
        case .mathFloor: return .number(args[0].jsNumber.rounded(.down))
        case .mathCeil: return .number(args[0].jsNumber.rounded(.up))
        case .mathTrunc: return .number(args[0].jsNumber.rounded(.towardZero))
        case .mathSqrt: return .number(args[0].jsNumber.squareRoot())
        case .mathPow: return .number(Ops.jsPow(args[0].jsNumber, args[1].jsNumber))
        case .mathSign:
            let d = args[0].jsNumber
            if d.isNaN || d == 0 { return .number(d) }
            return .number(d > 0 ? 1 : -1)
        case .mathRound:
            let d = args[0].jsNumber
            if !d.isFinite || d == 0 { return .number(d) }
            if d > 0, d < 0.5 { return .number(0) }
            if d < 0, d >= -0.5 { return .number(-0.0) }
            let f = d.rounded(.down)
            return .number(d - f >= 0.5 ? f + 1 : f)
        case .jsonStringify:
            var indent = ""
            switch args[2] {
            case .number(let n) where !n.isNaN:
                indent = String(repeating: " ", count: Int(min(max(n, 0), 10)))
            case .string(let s): indent = String(s.prefix(10))
            default: break
            }
            if case .undefined = args[1] {
            } else if case .null = args[1] {
            } else {
                throw Ops.typeError("JSON.stringify() replacers are not supported", at: pos)
            }
            var w = JSONWriter(
                indent: indent, maxLength: run.limits.maxStringLength, maxDepth: run.limits.maxDepth)
            var out = ""
            do throws(ExpressionError) {
                guard try w.write(args[0], into: &out, level: 0) else { return .undefined }
            } catch {
                throw ExpressionError(error.kind, error.message, at: pos)
            }
            try run.checkString(out, at: pos)
            try run.chargeWork(out.utf8.count, at: pos)
            return .string(out)
        case .jsonParse:
            let text = args[0].jsString
            try run.chargeWork(text.utf8.count, at: pos)
            var p = JSONParser(bytes: Array(text.utf8), maxDepth: run.limits.maxDepth)
            switch p.parseDocument() {
            case .success(let v): return v
            case .failure(let e): throw ExpressionError(e.kind, e.message, at: pos)
            }
        case .regExp: return try regExp(args, run, at: pos)
        case .arrayIsArray:
            if case .array = args[0] { return .bool(true) }
            return .bool(false)
        case .objectKeys, .objectValues:
            switch args[0] {
            case .object(let o):
                return .array(g == .objectKeys ? o.keys.map { .string($0) } : o.values)
            case .array(let a):
                return .array(g == .objectKeys ? a.indices.map { .string(String($0)) } : a)
            case .string(let s):
                let n = s.utf16.count
                try run.checkArray(n, at: pos)
                return .array(
                    g == .objectKeys
                        ? (0..<n).map { .string(String($0)) } : (0..<n).map { .string(charAt(s, $0) ?? "") })
            case .undefined, .null:
                throw Ops.typeError("cannot convert undefined or null to object", at: pos)
            default: return .array([])
            }
        }
    }
}
