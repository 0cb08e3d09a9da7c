/// The flags of a regular expression (ECMA-262 §22.2.6.4, `get RegExp.prototype.flags`).
struct RegexFlags: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    static let global = RegexFlags(rawValue: 1)
    static let ignoreCase = RegexFlags(rawValue: 2)
    static let multiline = RegexFlags(rawValue: 4)
    static let dotAll = RegexFlags(rawValue: 8)
    static let unicode = RegexFlags(rawValue: 16)
    static let sticky = RegexFlags(rawValue: 32)

    /// The flag letters in the order `RegExp.prototype.flags` lists them.
    static let letters: [(Character, RegexFlags)] = [
        ("g", .global), ("i", .ignoreCase), ("m", .multiline), ("s", .dotAll), ("u", .unicode),
        ("y", .sticky),
    ]

    /// Parses flag letters; on failure, the index (in characters) of the bad or repeated letter.
    static func parse(_ text: String) -> Result<RegexFlags, RegexSyntaxError> {
        var f = RegexFlags()
        for (i, c) in text.enumerated() {
            guard let bit = letters.first(where: { $0.0 == c })?.1 else {
                return .failure(
                    RegexSyntaxError(message: "invalid regular expression flag '\(c)'", offset: i))
            }
            if f.contains(bit) {
                return .failure(
                    RegexSyntaxError(message: "repeated regular expression flag '\(c)'", offset: i))
            }
            f.insert(bit)
        }
        return .success(f)
    }

    /// The canonical flag text (`/a/ig.flags` is `"gi"`).
    var text: String {
        String(RegexFlags.letters.filter { contains($0.1) }.map(\.0))
    }
}

/// A syntax error in a pattern; `offset` counts UTF-8 bytes from the start of the pattern.
struct RegexSyntaxError: Error {
    var message: String
    var offset: Int
}

/// One character test: the atoms a single step of the matcher consumes.
enum RegexAtom: Sendable {
    /// A code unit (already canonicalized under `i`).
    case char(UInt32)
    /// `.` without the `s` flag: anything but a line terminator.
    case any
    /// `.` with the `s` flag.
    case anyAll
    /// A character class, by index into ``RegexProgram/sets``.
    case set(Int32)
}

/// An instruction of the backtracking matcher (see ``RegexMatcher``).
enum RegexInstruction: Sendable {
    case atom(RegexAtom)
    /// Tries `first`; on failure resumes at `second`.
    case split(Int32, Int32)
    case jump(Int32)
    /// Stores the position in a capture register.
    case save(Int32)
    /// Resets capture registers `from..<to` (each iteration of a quantified group starts clean).
    case clear(Int32, Int32)
    /// Stores the position in a loop register...
    case mark(Int32)
    /// ...and fails when an iteration consumed nothing (ECMA-262 §22.2.2.3.1 RepeatMatcher, step 2.b).
    case progress(Int32)
    case lineStart, lineEnd, wordBoundary, notWordBoundary
    /// Matches the text of a capture group again.
    case backreference(Int32)
    /// A lookahead whose body follows and ends with `succeed`; execution continues at `end`.
    case lookahead(negative: Bool, end: Int32)
    /// A single atom repeated `min...max` times, backtracking one character at a time without
    /// one stack entry per character.
    case repeatAtom(RegexAtom, min: Int32, max: Int32, greedy: Bool)
    /// The end of the pattern or of a lookahead body.
    case succeed
}

/// A character class: sorted, merged code point ranges.
struct RegexSet: Sendable {
    var ranges: [(UInt32, UInt32)]

    func contains(_ c: UInt32) -> Bool {
        for (lo, hi) in ranges {
            if c < lo { return false }
            if c <= hi { return true }
        }
        return false
    }

    static func normalized(_ items: [(UInt32, UInt32)]) -> [(UInt32, UInt32)] {
        let sorted = items.sorted { $0.0 < $1.0 }
        var out: [(UInt32, UInt32)] = []
        for r in sorted {
            if let last = out.last, r.0 <= last.1 &+ 1 {
                out[out.count - 1].1 = max(last.1, r.1)
            } else {
                out.append(r)
            }
        }
        return out
    }

    static func complement(_ items: [(UInt32, UInt32)]) -> [(UInt32, UInt32)] {
        var out: [(UInt32, UInt32)] = []
        var next: UInt32 = 0
        for (lo, hi) in normalized(items) {
            if lo > next { out.append((next, lo - 1)) }
            next = hi + 1
        }
        if next <= 0x10FFFF { out.append((next, 0x10FFFF)) }
        return out
    }

    static let digits: [(UInt32, UInt32)] = [(0x30, 0x39)]
    static let word: [(UInt32, UInt32)] = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
    /// `\s`: WhiteSpace and LineTerminator (ECMA-262 §12.2, §12.3).
    static let space: [(UInt32, UInt32)] = [
        (0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
        (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
    ]
}

/// A compiled pattern: the instructions of ``RegexMatcher`` and what they refer to.
///
/// Built once when the expression is compiled; immutable and shared by every evaluation.
final class RegexProgram: Sendable {
    let code: [RegexInstruction]
    let sets: [RegexSet]
    /// Capture groups, not counting group 0 (the whole match).
    let groupCount: Int
    /// Names of named groups, by group number.
    let groupNames: [String: Int]
    /// Registers: two per group (0 included), then one per loop that can match empty.
    let registerCount: Int
    let flags: RegexFlags
    /// A code unit every match starts with (lets the search skip ahead), when known.
    let firstChar: UInt32?

    /// Instruction budget of one pattern (counted quantifiers are expanded).
    static let maxInstructions = 20_000

    init(pattern: String, flags: RegexFlags, maxDepth: Int) throws(RegexSyntaxError) {
        var p = RegexParser(pattern: pattern, unicode: flags.contains(.unicode), maxDepth: maxDepth)
        let tree = try p.parse()
        var g = RegexCodeGen(flags: flags, registerBase: 2 * (p.groupCount + 1), sets: p.sets)
        g.groupNames = p.groupNames
        try g.emit(tree)
        g.append(.succeed)
        if g.code.count > RegexProgram.maxInstructions { throw g.tooLarge }
        code = g.code
        sets = g.sets
        groupCount = p.groupCount
        groupNames = p.groupNames
        registerCount = g.nextRegister
        self.flags = flags
        if case .atom(.char(let c)) = g.code[0], !flags.contains(.ignoreCase) {
            firstChar = c
        } else if case .repeatAtom(.char(let c), let min, _, _) = g.code[0], min > 0,
            !flags.contains(.ignoreCase)
        {
            firstChar = c
        } else {
            firstChar = nil
        }
    }

    /// `Canonicalize` (ECMA-262 §22.2.2.7.3) without the `u` flag: the upper-case form when it
    /// is a single code unit, except that non-ASCII characters never map to ASCII. (With `u`
    /// the same mapping is used instead of simple case folding.)
    @inline(__always) static func canonicalize(_ c: UInt32) -> UInt32 {
        if c < 128 { return c >= 0x61 && c <= 0x7A ? c - 32 : c }
        guard let s = Unicode.Scalar(c) else { return c }
        let up = s.properties.uppercaseMapping.unicodeScalars
        guard up.count == 1, let u = up.first, u.value <= 0xFFFF || c > 0xFFFF else { return c }
        return u.value < 128 ? c : u.value
    }

    static func lowercase(_ c: UInt32) -> UInt32 {
        if c < 128 { return c >= 0x41 && c <= 0x5A ? c + 32 : c }
        guard let s = Unicode.Scalar(c) else { return c }
        let low = s.properties.lowercaseMapping.unicodeScalars
        guard low.count == 1, let l = low.first, l.value >= 128 else { return c }
        return l.value
    }

    @inline(__always) static func isLineTerminator(_ c: UInt32) -> Bool {
        c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029
    }

    @inline(__always) static func isWordChar(_ c: UInt32) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    @inline(__always) func matches(_ a: RegexAtom, _ c: UInt32) -> Bool {
        switch a {
        case .char(let x):
            return flags.contains(.ignoreCase) ? RegexProgram.canonicalize(c) == x : c == x
        case .any: return !RegexProgram.isLineTerminator(c)
        case .anyAll: return true
        case .set(let i):
            let set = sets[Int(i)]
            if set.contains(c) { return true }
            guard flags.contains(.ignoreCase) else { return false }
            let u = RegexProgram.canonicalize(c)
            if u != c, set.contains(u) { return true }
            let l = RegexProgram.lowercase(c)
            return l != c && set.contains(l)
        }
    }
}

/// The pattern's syntax tree.
indirect enum RegexNode {
    case empty
    case atom(RegexAtom)
    case sequence([RegexNode])
    case alternation([RegexNode])
    /// A group; `index` is its number when it captures.
    case group(RegexNode, index: Int?)
    case quantified(RegexNode, min: Int, max: Int?, greedy: Bool, groups: Range<Int>)
    case lineStart, lineEnd, wordBoundary, notWordBoundary
    case backreference(Int)
    case namedBackreference(String, at: Int)
    case lookahead(RegexNode, negative: Bool)
}

/// Parses JavaScript pattern syntax (ECMA-262 §22.2.1 with the Annex B.1.2 web-compatibility
/// grammar when the `u` flag is absent) over UTF-16 code units, or code points with `u`.
struct RegexParser {
    let units: [UInt32]
    /// UTF-8 byte offset of each unit (and of the end), for error positions.
    let offsets: [Int]
    let unicode: Bool
    let maxDepth: Int
    var i = 0
    var depth = 0
    var groupCount = 0
    var groupNames: [String: Int] = [:]
    var sets: [RegexSet] = []
    /// Capturing groups in the whole pattern (Annex B: `\N` above it is an octal escape).
    var totalGroups = 0
    var hasNamedGroups = false

    init(pattern: String, unicode: Bool, maxDepth: Int) {
        var u: [UInt32] = []
        var o: [Int] = []
        var byte = 0
        for s in pattern.unicodeScalars {
            if unicode || s.value <= 0xFFFF {
                u.append(s.value)
                o.append(byte)
            } else {
                for cu in String(s).utf16 {
                    u.append(UInt32(cu))
                    o.append(byte)
                }
            }
            byte += s.utf8.count
        }
        o.append(byte)
        units = u
        offsets = o
        self.unicode = unicode
        self.maxDepth = maxDepth
    }

    func error(_ message: String, at k: Int? = nil) -> RegexSyntaxError {
        RegexSyntaxError(
            message: "invalid regular expression: " + message, offset: offsets[min(k ?? i, units.count)])
    }

    @inline(__always) func peek(_ k: Int = 0) -> UInt32? { i + k < units.count ? units[i + k] : nil }
    @inline(__always) func isChar(_ c: Character, _ k: Int = 0) -> Bool {
        peek(k) == c.unicodeScalars.first!.value
    }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        prescan()
        let tree = try parseDisjunction()
        if i < units.count { throw error("unmatched ')'") }
        return tree
    }

    /// Counts capturing groups and notes named ones before parsing.
    mutating func prescan() {
        var k = 0
        var inClass = false
        while k < units.count {
            let c = units[k]
            if c == 0x5C {
                k += 2
                continue
            }
            if inClass {
                if c == 0x5D { inClass = false }
            } else if c == 0x5B {
                inClass = true
            } else if c == 0x28 {
                if k + 1 < units.count, units[k + 1] == 0x3F {
                    if k + 2 < units.count, units[k + 2] == 0x3C, k + 3 < units.count, units[k + 3] != 0x3D,
                        units[k + 3] != 0x21
                    {
                        totalGroups += 1
                        hasNamedGroups = true
                    }
                } else {
                    totalGroups += 1
                }
            }
            k += 1
        }
    }

    mutating func parseDisjunction() throws(RegexSyntaxError) -> RegexNode {
        var alternatives = [try parseAlternative()]
        while isChar("|") {
            i += 1
            alternatives.append(try parseAlternative())
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    mutating func parseAlternative() throws(RegexSyntaxError) -> RegexNode {
        var terms: [RegexNode] = []
        while let c = peek(), c != 0x7C, c != 0x29 {
            terms.append(try parseTerm())
        }
        if terms.isEmpty { return .empty }
        return terms.count == 1 ? terms[0] : .sequence(terms)
    }

    mutating func parseTerm() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        let c = units[i]
        switch c {
        case 0x5E:
            i += 1
            return .lineStart
        case 0x24:
            i += 1
            return .lineEnd
        case 0x5C where isChar("b", 1) || isChar("B", 1):
            i += 2
            return units[i - 1] == 0x62 ? .wordBoundary : .notWordBoundary
        case 0x28 where isChar("?", 1) && (isChar("=", 2) || isChar("!", 2)):
            let negative = isChar("!", 2)
            let groupsBefore = groupCount
            i += 3
            let body = try parseGroupBody(start)
            let look = RegexNode.lookahead(body, negative: negative)
            // Annex B.1.2: a lookahead may be quantified without `u`.
            return unicode ? look : try parseQuantifier(look, groupsFrom: groupsBefore, start)
        case 0x28 where isChar("?", 1) && isChar("<", 2) && (isChar("=", 3) || isChar("!", 3)):
            throw error("lookbehind assertions are not supported")
        default:
            let groupsBefore = groupCount
            let atom = try parseAtom()
            return try parseQuantifier(atom, groupsFrom: groupsBefore, start)
        }
    }

    mutating func parseGroupBody(_ start: Int) throws(RegexSyntaxError) -> RegexNode {
        depth += 1
        if depth > maxDepth { throw error("groups nested deeper than the limit of \(maxDepth)", at: start) }
        let body = try parseDisjunction()
        guard isChar(")") else { throw error("unterminated group", at: start) }
        i += 1
        depth -= 1
        return body
    }

    /// Reads `{n}`, `{n,}` or `{n,m}` at `i`; nil (and `i` unchanged) when it is not one.
    mutating func braceQuantifier() throws(RegexSyntaxError) -> (Int, Int?)? {
        let save = i
        i += 1
        func number(_ p: inout RegexParser) -> Int? {
            var n: Int? = nil
            while let c = p.peek(), c >= 0x30, c <= 0x39 {
                n = min((n ?? 0) * 10 + Int(c - 0x30), Int(Int32.max))
                p.i += 1
            }
            return n
        }
        guard let lo = number(&self) else {
            i = save
            return nil
        }
        var hi: Int? = lo
        if isChar(",") {
            i += 1
            hi = number(&self)
        }
        guard isChar("}") else {
            i = save
            return nil
        }
        i += 1
        if let hi, hi < lo { throw error("numbers out of order in {} quantifier", at: save) }
        return (lo, hi)
    }

    mutating func parseQuantifier(_ atom: RegexNode, groupsFrom: Int, _ start: Int) throws(RegexSyntaxError)
        -> RegexNode
    {
        guard let c = peek() else { return atom }
        let bounds: (Int, Int?)
        switch c {
        case 0x2A:
            i += 1
            bounds = (0, nil)
        case 0x2B:
            i += 1
            bounds = (1, nil)
        case 0x3F:
            i += 1
            bounds = (0, 1)
        case 0x7B:
            guard let b = try braceQuantifier() else { return atom }
            bounds = b
        default: return atom
        }
        var greedy = true
        if isChar("?") {
            i += 1
            greedy = false
        }
        return .quantified(
            atom, min: bounds.0, max: bounds.1, greedy: greedy, groups: groupsFrom..<groupCount)
    }

    mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        let c = units[i]
        switch c {
        case 0x2E:
            i += 1
            return .atom(.any)  // becomes `.anyAll` under `s` in code generation
        case 0x28:
            var index: Int? = nil
            if isChar("?", 1) {
                if isChar(":", 2) {
                    i += 3
                } else if isChar("<", 2) {
                    i += 3
                    let nameStart = i
                    while let n = peek(), n != 0x3E {
                        guard RegexParser.isNameChar(n, first: i == nameStart) else {
                            throw error("invalid capture group name")
                        }
                        i += 1
                    }
                    guard isChar(">"), i > nameStart else { throw error("invalid capture group name") }
                    let name = String(decoding: units[nameStart..<i].map { UInt16($0) }, as: UTF16.self)
                    i += 1
                    groupCount += 1
                    if groupNames[name] != nil { throw error("duplicate capture group name", at: nameStart) }
                    groupNames[name] = groupCount
                    index = groupCount
                } else {
                    throw error("invalid group")
                }
            } else {
                i += 1
                groupCount += 1
                index = groupCount
            }
            let body = try parseGroupBody(start)
            return .group(body, index: index)
        case 0x5B:
            return try parseClass()
        case 0x5C:
            return try parseAtomEscape()
        case 0x2A, 0x2B, 0x3F:
            throw error("nothing to repeat")
        case 0x7B:
            if try braceQuantifier() != nil { throw error("nothing to repeat", at: start) }
            if unicode { throw error("lone quantifier brackets") }
            i += 1
            return .atom(.char(c))
        case 0x7D, 0x5D:
            if unicode { throw error("lone quantifier brackets") }
            i += 1
            return .atom(.char(c))
        default:
            i += 1
            return .atom(.char(c))
        }
    }

    static func isNameChar(_ c: UInt32, first: Bool) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c == 0x24
            || (!first && c >= 0x30 && c <= 0x39)
    }

    mutating func parseAtomEscape() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        i += 1
        guard let c = peek() else { throw error("\\ at end of pattern", at: start) }
        if c >= 0x31, c <= 0x39 {
            var n = 0
            var k = i
            while k < units.count, units[k] >= 0x30, units[k] <= 0x39, n < 100_000 {
                n = n * 10 + Int(units[k] - 0x30)
                k += 1
            }
            if n <= totalGroups {
                i = k
                return .backreference(n)
            }
            if unicode { throw error("invalid escape", at: start) }
            return .atom(.char(legacyOctal()))
        }
        if c == 0x6B, hasNamedGroups || unicode {  // \k<name>
            i += 1
            guard isChar("<") else { throw error("invalid named reference", at: start) }
            i += 1
            let nameStart = i
            while let n = peek(), n != 0x3E { i += 1 }
            guard isChar(">"), i > nameStart else { throw error("invalid named reference", at: start) }
            let name = String(decoding: units[nameStart..<i].map { UInt16($0) }, as: UTF16.self)
            i += 1
            return .namedBackreference(name, at: offsets[start])
        }
        if let set = classEscape(c) {
            i += 1
            return .atom(.set(addSet(set)))
        }
        return .atom(.char(try characterEscape(start, inClass: false)))
    }

    /// Annex B.1.2 LegacyOctalEscapeSequence at `i` (a digit); `\8` and `\9` are themselves.
    mutating func legacyOctal() -> UInt32 {
        let c = units[i]
        if c >= 0x38 {
            i += 1
            return c
        }
        var v: UInt32 = 0
        var n = 0
        while let d = peek(), d >= 0x30, d <= 0x37, n < 3, v * 8 + (d - 0x30) <= 0o377 {
            v = v * 8 + (d - 0x30)
            i += 1
            n += 1
        }
        return v
    }

    func classEscape(_ c: UInt32) -> [(UInt32, UInt32)]? {
        switch c {
        case 0x64: return RegexSet.digits
        case 0x44: return RegexSet.complement(RegexSet.digits)
        case 0x77: return RegexSet.word
        case 0x57: return RegexSet.complement(RegexSet.word)
        case 0x73: return RegexSet.space
        case 0x53: return RegexSet.complement(RegexSet.space)
        default: return nil
        }
    }

    mutating func addSet(_ ranges: [(UInt32, UInt32)]) -> Int32 {
        sets.append(RegexSet(ranges: RegexSet.normalized(ranges)))
        return Int32(sets.count - 1)
    }

    /// A CharacterEscape after the backslash at `start` (`i` is on the character after it).
    mutating func characterEscape(_ start: Int, inClass: Bool) throws(RegexSyntaxError) -> UInt32 {
        let c = units[i]
        i += 1
        switch c {
        case 0x66: return 0x0C
        case 0x6E: return 0x0A
        case 0x72: return 0x0D
        case 0x74: return 0x09
        case 0x76: return 0x0B
        case 0x30:
            if let d = peek(), d >= 0x30, d <= 0x39 {
                if unicode { throw error("invalid decimal escape", at: start) }
                i -= 1
                return legacyOctal()
            }
            return 0
        case 0x63:  // \cX
            if let x = peek(), (x | 0x20) >= 0x61, (x | 0x20) <= 0x7A {
                i += 1
                return x % 32
            }
            if inClass, !unicode, let x = peek(), (x >= 0x30 && x <= 0x39) || x == 0x5F {
                i += 1
                return x % 32
            }
            if unicode { throw error("invalid unicode escape", at: start) }
            i -= 1  // Annex B: `\c` is a backslash; the `c` is read again as a literal
            return 0x5C
        case 0x78:
            if let v = hex(2) { return v }
            if unicode { throw error("invalid escape", at: start) }
            return c
        case 0x75:
            if unicode, isChar("{") {
                let save = i
                i += 1
                var v: UInt32 = 0
                var n = 0
                while let d = peek(), let h = RegexParser.hexValue(d), v <= 0x10FFFF {
                    v = v * 16 + h
                    n += 1
                    i += 1
                }
                guard n > 0, v <= 0x10FFFF, isChar("}") else {
                    throw error("invalid unicode escape", at: save)
                }
                i += 1
                return v
            }
            if let v = hex(4) {
                // With `u`, an escaped surrogate pair is one code point.
                if unicode, v >= 0xD800, v <= 0xDBFF, isChar("\\"), isChar("u", 1) {
                    let save = i
                    i += 2
                    if let lo = hex(4), lo >= 0xDC00, lo <= 0xDFFF {
                        return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    i = save
                }
                return v
            }
            if unicode { throw error("invalid unicode escape", at: start) }
            return c
        default:
            if unicode {
                // Only syntax characters (and `-` in a class) may be escaped with `u`.
                let syntax: Set<UInt32> = Set("^$\\.*+?()[]{}|/".unicodeScalars.map(\.value))
                if !syntax.contains(c) && !(inClass && c == 0x2D) { throw error("invalid escape", at: start) }
            }
            return c
        }
    }

    static func hexValue(_ d: UInt32) -> UInt32? {
        switch d {
        case 0x30...0x39: return d - 0x30
        case 0x41...0x46: return d - 0x41 + 10
        case 0x61...0x66: return d - 0x61 + 10
        default: return nil
        }
    }

    mutating func hex(_ n: Int) -> UInt32? {
        var v: UInt32 = 0
        for k in 0..<n {
            guard let d = peek(k), let h = RegexParser.hexValue(d) else { return nil }
            v = v * 16 + h
        }
        i += n
        return v
    }

    /// One ClassAtom: a single character or a class escape's ranges.
    enum ClassAtom {
        case char(UInt32)
        case ranges([(UInt32, UInt32)])
    }

    mutating func classAtom() throws(RegexSyntaxError) -> ClassAtom {
        let c = units[i]
        guard c == 0x5C else {
            i += 1
            return .char(c)
        }
        let start = i
        i += 1
        guard let e = peek() else { throw error("\\ at end of pattern", at: start) }
        if let set = classEscape(e) {
            i += 1
            return .ranges(set)
        }
        if e == 0x62 {
            i += 1
            return .char(0x08)
        }
        if e == 0x2D {
            i += 1
            return .char(0x2D)
        }
        if e >= 0x31, e <= 0x39 {
            if unicode { throw error("invalid class escape", at: start) }
            return .char(legacyOctal())
        }
        return .char(try characterEscape(start, inClass: true))
    }

    mutating func parseClass() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        i += 1
        var negated = false
        if isChar("^") {
            negated = true
            i += 1
        }
        var items: [(UInt32, UInt32)] = []
        while true {
            guard let c = peek() else { throw error("unterminated character class", at: start) }
            if c == 0x5D {
                i += 1
                break
            }
            let rangeStart = i
            let a = try classAtom()
            if isChar("-"), let n = peek(1), n != 0x5D {
                i += 1
                let b = try classAtom()
                switch (a, b) {
                case (.char(let lo), .char(let hi)):
                    if lo > hi { throw error("range out of order in character class", at: rangeStart) }
                    items.append((lo, hi))
                    continue
                default:
                    if unicode { throw error("invalid character class", at: rangeStart) }
                    // Annex B: `[\d-x]` is `\d`, `-` and `x`.
                    for x in [a, .char(0x2D), b] {
                        switch x {
                        case .char(let v): items.append((v, v))
                        case .ranges(let r): items += r
                        }
                    }
                    continue
                }
            }
            switch a {
            case .char(let v): items.append((v, v))
            case .ranges(let r): items += r
            }
        }
        return .atom(.set(addSet(negated ? RegexSet.complement(items) : items)))
    }
}

/// Emits ``RegexInstruction``s for a ``RegexNode`` tree.
struct RegexCodeGen {
    let flags: RegexFlags
    var code: [RegexInstruction] = []
    var sets: [RegexSet]
    var nextRegister: Int
    var groupNames: [String: Int] = [:]

    init(flags: RegexFlags, registerBase: Int, sets: [RegexSet]) {
        self.flags = flags
        self.nextRegister = registerBase
        self.sets = sets
    }

    var tooLarge: RegexSyntaxError {
        RegexSyntaxError(
            message:
                "regular expression too large: more than \(RegexProgram.maxInstructions) instructions once counted quantifiers are expanded",
            offset: 0)
    }

    mutating func append(_ i: RegexInstruction) { code.append(i) }

    var here: Int32 { Int32(code.count) }

    func atom(_ a: RegexAtom) -> RegexAtom {
        switch a {
        case .any: return flags.contains(.dotAll) ? .anyAll : .any
        case .char(let c): return flags.contains(.ignoreCase) ? .char(RegexProgram.canonicalize(c)) : a
        default: return a
        }
    }

    /// Whether the node can match without consuming input.
    static func canBeEmpty(_ n: RegexNode) -> Bool {
        switch n {
        case .atom: return false
        case .sequence(let items): return items.allSatisfy(canBeEmpty)
        case .alternation(let items): return items.contains(where: canBeEmpty)
        case .group(let b, _): return canBeEmpty(b)
        case .quantified(let b, let min, _, _, _): return min == 0 || canBeEmpty(b)
        default: return true
        }
    }

    mutating func emit(_ n: RegexNode) throws(RegexSyntaxError) {
        if code.count > RegexProgram.maxInstructions { throw tooLarge }
        switch n {
        case .empty: break
        case .atom(let a): append(.atom(atom(a)))
        case .sequence(let items): for x in items { try emit(x) }
        case .alternation(let items):
            var jumps: [Int] = []
            for (k, x) in items.enumerated() {
                if k < items.count - 1 {
                    let split = code.count
                    append(.split(0, 0))
                    try emit(x)
                    jumps.append(code.count)
                    append(.jump(0))
                    code[split] = .split(Int32(split + 1), here)
                } else {
                    try emit(x)
                }
            }
            for j in jumps { code[j] = .jump(here) }
        case .group(let body, let index):
            if let index { append(.save(Int32(2 * index))) }
            try emit(body)
            if let index { append(.save(Int32(2 * index + 1))) }
        case .lineStart: append(.lineStart)
        case .lineEnd: append(.lineEnd)
        case .wordBoundary: append(.wordBoundary)
        case .notWordBoundary: append(.notWordBoundary)
        case .backreference(let g): append(.backreference(Int32(g)))
        case .namedBackreference(let name, let at):
            guard let g = groupNames[name] else {
                throw RegexSyntaxError(
                    message: "invalid regular expression: no group named '\(name)'", offset: at)
            }
            append(.backreference(Int32(g)))
        case .lookahead(let body, let negative):
            let at = code.count
            append(.lookahead(negative: negative, end: 0))
            try emit(body)
            append(.succeed)
            code[at] = .lookahead(negative: negative, end: here)
        case .quantified(let body, let min, let max, let greedy, let groups):
            try emitQuantified(body, min: min, max: max, greedy: greedy, groups: groups)
        }
    }

    mutating func emitQuantified(_ body: RegexNode, min: Int, max: Int?, greedy: Bool, groups: Range<Int>)
        throws(RegexSyntaxError)
    {
        if max == 0 { return }
        if case .atom(let a) = body {
            append(.repeatAtom(atom(a), min: Int32(min), max: Int32(max ?? Int(Int32.max)), greedy: greedy))
            return
        }
        let clear: RegexInstruction? =
            groups.isEmpty
            ? nil : .clear(Int32(2 * (groups.lowerBound + 1)), Int32(2 * (groups.upperBound + 1)))
        for _ in 0..<min {
            if code.count > RegexProgram.maxInstructions { throw tooLarge }
            if let clear { append(clear) }
            try emit(body)
        }
        let empty = RegexCodeGen.canBeEmpty(body)
        var register: Int32 = -1
        if empty {
            register = Int32(nextRegister)
            nextRegister += 1
        }
        if let max {
            // Optional copies: each one may be skipped (and then so are the rest).
            var exits: [Int] = []
            for _ in min..<max {
                if code.count > RegexProgram.maxInstructions { throw tooLarge }
                exits.append(code.count)
                append(.split(0, 0))
                if empty { append(.mark(register)) }
                if let clear { append(clear) }
                try emit(body)
                if empty { append(.progress(register)) }
            }
            for e in exits {
                code[e] = greedy ? .split(Int32(e + 1), here) : .split(here, Int32(e + 1))
            }
        } else {
            let loop = code.count
            append(.split(0, 0))
            if empty { append(.mark(register)) }
            if let clear { append(clear) }
            try emit(body)
            if empty { append(.progress(register)) }
            append(.jump(Int32(loop)))
            code[loop] = greedy ? .split(Int32(loop + 1), here) : .split(here, Int32(loop + 1))
        }
    }
}
