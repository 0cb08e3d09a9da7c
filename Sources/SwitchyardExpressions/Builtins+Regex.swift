/// A string prepared for matching: the units the matcher reads (UTF-16 code units, or code
/// points with the `u` flag) and the map back to JavaScript (UTF-16) indices.
struct RegexSubject {
    let utf16: [UInt16]
    let units: [UInt32]
    /// UTF-16 offset of each unit and of the end; nil when units are UTF-16 code units.
    let offsets: [Int]?

    init(_ s: String, unicode: Bool) {
        utf16 = Array(s.utf16)
        if unicode && s.unicodeScalars.contains(where: { $0.value > 0xFFFF }) {
            var u: [UInt32] = []
            var o: [Int] = []
            var k = 0
            for c in s.unicodeScalars {
                u.append(c.value)
                o.append(k)
                k += c.utf16.count
            }
            o.append(k)
            units = u
            offsets = o
        } else {
            units = utf16.map { UInt32($0) }
            offsets = nil
        }
    }

    /// The UTF-16 index of a unit index.
    @inline(__always) func index(_ i: Int) -> Int { offsets?[i] ?? i }

    /// The text between two unit indices (lone surrogates become U+FFFD, as everywhere).
    func slice(_ a: Int, _ b: Int) -> String {
        String(decoding: utf16[index(a)..<index(b)], as: UTF16.self)
    }
}

/// One regular-expression search over a subject, charged to the evaluation's step budget: the
/// matcher gets 16 instructions per remaining step, and what it used is charged when it ends.
struct RegexSearch {
    let regex: RegexValue
    let subject: RegexSubject
    var matcher: RegexMatcher
    let budget: Int
    let pos: Int32

    /// Matcher instructions (or characters consumed by a repeated atom) per step: about the
    /// cost of one interpreted loop iteration.
    static let instructionsPerStep = 16

    init(_ regex: RegexValue, _ s: String, _ run: Run, at pos: Int32) {
        self.regex = regex
        subject = RegexSubject(s, unicode: regex.unicode)
        let (b, overflow) = max(run.steps, 0).multipliedReportingOverflow(by: RegexSearch.instructionsPerStep)
        budget = overflow ? Int.max / 2 : b
        matcher = RegexMatcher(program: regex.program, input: subject.units, fuel: budget)
        self.pos = pos
    }

    /// The next match at or after unit index `from` (only at `from` when `sticky`).
    mutating func match(from: Int, sticky: Bool, _ run: inout Run) throws(ExpressionError) -> [Int]? {
        do throws(RegexLimit) {
            return try matcher.firstMatch(from: from, sticky: sticky)
        } catch .steps {
            run.steps = -1
            throw ExpressionError(
                .limit,
                "step limit of \(run.limits.maxSteps) exceeded by the regular expression \(regex) "
                    + "(catastrophic backtracking? avoid nested quantifiers such as (a+)+)",
                at: pos)
        } catch {
            throw ExpressionError(
                .limit,
                "the regular expression \(regex) needs more than \(RegexMatcher.maxStackEntries) "
                    + "backtracking entries (a quantified group over a very long string?)",
                at: pos)
        }
    }

    /// The first match, honouring the `y` flag.
    mutating func first(_ run: inout Run) throws(ExpressionError) -> [Int]? {
        try match(from: 0, sticky: regex.sticky, &run)
    }

    /// Every match from the start, as `String.prototype.match` / `replace` with `g` find them:
    /// after an empty match the search moves on by one character.
    mutating func all(_ run: inout Run) throws(ExpressionError) -> [[Int]] {
        var out: [[Int]] = []
        var from = 0
        while from <= subject.units.count, let m = try match(from: from, sticky: regex.sticky, &run) {
            out.append(m)
            try run.checkArray(out.count, at: pos)
            from = m[1] == m[0] ? m[1] + 1 : m[1]
        }
        return out
    }

    /// Charges the instructions used.
    func finish(_ run: inout Run) throws(ExpressionError) {
        let used = budget - matcher.fuel
        try run.charge(
            (used + RegexSearch.instructionsPerStep - 1) / RegexSearch.instructionsPerStep, at: pos)
    }

    /// The result array of `exec` / non-global `match`: the match, then each group
    /// (`undefined` when it did not take part).
    func array(_ m: [Int]) -> Value {
        var out: [Value] = [.string(subject.slice(m[0], m[1]))]
        for g in stride(from: 1, through: regex.program.groupCount, by: 1) {
            out.append(m[2 * g] < 0 ? .undefined : .string(subject.slice(m[2 * g], m[2 * g + 1])))
        }
        return .array(out)
    }

    /// `GetSubstitution` (ECMA-262 §22.1.3.19.1): `$$`, `$&`, `` $` ``, `$'`, `$n`, `$nn`,
    /// `$<name>` in a replacement string.
    func substitute(_ template: [UInt16], _ m: [Int]) -> String {
        var out: [UInt16] = []
        let groups = regex.program.groupCount
        let dollar = UInt16(UInt8(ascii: "$"))
        var k = 0
        func group(_ g: Int) -> ArraySlice<UInt16> {
            m[2 * g] < 0 ? [] : subject.utf16[subject.index(m[2 * g])..<subject.index(m[2 * g + 1])]
        }
        func digit(_ i: Int) -> Int? {
            i < template.count && template[i] >= 48 && template[i] <= 57 ? Int(template[i]) - 48 : nil
        }
        while k < template.count {
            let c = template[k]
            guard c == dollar, k + 1 < template.count else {
                out.append(c)
                k += 1
                continue
            }
            let n = template[k + 1]
            switch n {
            case dollar:
                out.append(dollar)
                k += 2
            case UInt16(UInt8(ascii: "&")):
                out += group(0)
                k += 2
            case UInt16(UInt8(ascii: "`")):
                out += subject.utf16[0..<subject.index(m[0])]
                k += 2
            case UInt16(UInt8(ascii: "'")):
                out += subject.utf16[subject.index(m[1])...]
                k += 2
            case UInt16(UInt8(ascii: "<")) where !regex.program.groupNames.isEmpty:
                guard let close = template[(k + 2)...].firstIndex(of: UInt16(UInt8(ascii: ">"))) else {
                    out.append(c)
                    k += 1
                    continue
                }
                let name = String(decoding: template[(k + 2)..<close], as: UTF16.self)
                if let g = regex.program.groupNames[name] { out += group(g) }
                k = close + 1
            default:
                if let d1 = digit(k + 1) {
                    if let d2 = digit(k + 2), d1 * 10 + d2 >= 1, d1 * 10 + d2 <= groups {
                        out += group(d1 * 10 + d2)
                        k += 3
                        continue
                    }
                    if d1 >= 1, d1 <= groups {
                        out += group(d1)
                        k += 2
                        continue
                    }
                }
                out.append(c)
                k += 1
            }
        }
        return String(decoding: out, as: UTF16.self)
    }
}

extension Builtins {
    /// The regex a string method's pattern argument denotes: a regex itself, or `RegExp(text)`
    /// of its string form (`undefined` is the empty pattern), compiled now.
    static func regexArgument(_ v: Value, _ run: Run, at pos: Int32) throws(ExpressionError) -> RegexValue {
        if case .regex(let r) = v { return r }
        let text: String
        if case .undefined = v { text = "" } else { text = v.jsString }
        return try makeRegex(text, "", run, at: pos)
    }

    static func makeRegex(_ pattern: String, _ flags: String, _ run: Run, at pos: Int32)
        throws(ExpressionError)
        -> RegexValue
    {
        do throws(RegexSyntaxError) {
            return try RegexValue(
                compiling: pattern, flags: flags, maxDepth: run.limits.maxDepth, escaping: true)
        } catch {
            throw ExpressionError(.syntax, error.message + " in /\(pattern)/\(flags)", at: pos)
        }
    }

    /// `RegExp(pattern, flags)` (called without `new`).
    static func regExp(_ args: Args, _ run: Run, at pos: Int32) throws(ExpressionError) -> Value {
        var flags = ""
        if case .undefined = args[1] {} else { flags = args[1].jsString }
        switch args[0] {
        case .regex(let r):
            if case .undefined = args[1] { return .regex(RegexValue(sharing: r)) }
            return .regex(try makeRegex(r.source, flags, run, at: pos))
        case .undefined: return .regex(try makeRegex("", flags, run, at: pos))
        default: return .regex(try makeRegex(args[0].jsString, flags, run, at: pos))
        }
    }

    /// Methods of a regex: `test`, `exec`, `toString`.
    static func regexMethod(
        _ r: RegexValue, _ m: Method, _ args: Args, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        switch m {
        case .test, .exec:
            let s = args[0].jsString
            try run.chargeWork(s.utf8.count, at: pos)
            var search = RegexSearch(r, s, run, at: pos)
            let found = try search.first(&run)
            try search.finish(&run)
            if m == .test { return .bool(found != nil) }
            return found.map { search.array($0) } ?? .null
        case .toString: return .string(r.description)
        default:
            throw Ops.typeError("'\(m.rawValue)' is not a method of a regular expression", at: pos)
        }
    }

    /// `search`, `match`, and `replace`/`replaceAll`/`split` with a regex pattern.
    static func stringRegexMethod(
        _ s: String, _ m: Method, _ args: Args, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        let re = try regexArgument(args[0], run, at: pos)
        var search = RegexSearch(re, s, run, at: pos)
        let result: Value
        switch m {
        case .search:
            let found = try search.first(&run)
            result = .number(found.map { Double(search.subject.index($0[0])) } ?? -1)
        case .match:
            if re.global {
                let all = try search.all(&run)
                result = all.isEmpty ? .null : .array(all.map { .string(search.subject.slice($0[0], $0[1])) })
            } else {
                result = try search.first(&run).map { search.array($0) } ?? .null
            }
        case .replace, .replaceAll:
            if m == .replaceAll, !re.global {
                throw Ops.typeError("replaceAll() must be called with a global regular expression", at: pos)
            }
            if case .function = args[1] {
                throw Ops.typeError("\(m.rawValue)() with a function replacement is not supported", at: pos)
            }
            let template = Array(args[1].jsString.utf16)
            let matches: [[Int]] =
                re.global ? try search.all(&run) : (try search.first(&run)).map { [$0] } ?? []
            var out = ""
            var last = 0
            for x in matches {
                out += search.subject.slice(last, x[0])
                out += search.substitute(template, x)
                last = x[1]
                try run.checkString(out, at: pos)
            }
            out += search.subject.slice(last, search.subject.units.count)
            try run.checkString(out, at: pos)
            try run.chargeWork(out.utf8.count, at: pos)
            result = .string(out)
        case .split:
            var limit = Int.max
            if case .undefined = args[1] {} else { limit = Int(JSNumber.toUInt32(args[1].jsNumber)) }
            result = .array(try split(&search, limit: limit, &run))
        default:
            throw Ops.typeError("'\(m.rawValue)' is not a string method", at: pos)
        }
        try search.finish(&run)
        return result
    }

    /// `RegExp.prototype[@@split]` (ECMA-262 §22.2.6.14): a sticky match tried at each
    /// position; captures are spliced into the result.
    static func split(_ search: inout RegexSearch, limit: Int, _ run: inout Run) throws(ExpressionError)
        -> [Value]
    {
        if limit == 0 { return [] }
        let size = search.subject.units.count
        if size == 0 {
            return try search.match(from: 0, sticky: true, &run) == nil ? [.string("")] : []
        }
        var out: [Value] = []
        var p = 0
        var q = 0
        let groups = search.regex.program.groupCount
        while q < size {
            guard let m = try search.match(from: q, sticky: true, &run), min(m[1], size) != p else {
                q += 1
                continue
            }
            let e = min(m[1], size)
            out.append(.string(search.subject.slice(p, q)))
            if out.count == limit { return out }
            p = e
            for g in 0..<groups {
                let a = m[2 * (g + 1)]
                out.append(a < 0 ? .undefined : .string(search.subject.slice(a, m[2 * (g + 1) + 1])))
                if out.count == limit { return out }
            }
            try run.checkArray(out.count, at: search.pos)
            q = p
        }
        out.append(.string(search.subject.slice(p, size)))
        try run.checkArray(out.count, at: search.pos)
        return out
    }
}
