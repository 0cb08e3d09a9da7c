/// Why a match was abandoned.
enum RegexLimit: Error {
    /// The instruction budget (the evaluation's remaining steps × 16) ran out.
    case steps
    /// The backtracking stack outgrew ``RegexMatcher/maxStackEntries``.
    case stack
}

/// A backtracking matcher over one subject, in the style of a regex VM: an explicit
/// backtracking stack (never the call stack, except one level per nested lookahead, which the
/// parser bounds) and an undo log for registers.
///
/// Every instruction executed, and every character a repeated atom consumes, costs one unit of
/// `fuel`; when it runs out the match throws ``RegexLimit/steps``. So a pattern that backtracks
/// exponentially (`(a+)+b` against `aaaa…c`) stops at the evaluation's step limit instead of
/// hanging the process.
struct RegexMatcher {
    let program: RegexProgram
    /// The subject as UTF-16 code units, or code points with the `u` flag.
    let input: [UInt32]
    var registers: [Int]
    var stack: [Entry] = []
    var fuel: Int

    /// Backtracking entries allowed (16 bytes each: at most 32 MiB).
    static let maxStackEntries = 1 << 21

    struct Entry {
        enum Kind: UInt8 { case branch, restore, greedyRetry, lazyRetry }
        var kind: Kind
        var a: Int32
        var b: Int32
        var c: Int32
    }

    init(program: RegexProgram, input: [UInt32], fuel: Int) {
        self.program = program
        self.input = input
        self.fuel = fuel
        registers = Array(repeating: -1, count: program.registerCount)
    }

    @inline(__always) mutating func push(_ kind: Entry.Kind, _ a: Int, _ b: Int, _ c: Int = 0)
        throws(RegexLimit)
    {
        if stack.count >= RegexMatcher.maxStackEntries { throw .stack }
        stack.append(
            Entry(kind: kind, a: Int32(truncatingIfNeeded: a), b: Int32(truncatingIfNeeded: b), c: Int32(c)))
    }

    @inline(__always) mutating func set(_ r: Int, _ v: Int) throws(RegexLimit) {
        try push(.restore, r, registers[r])
        registers[r] = v
    }

    /// The first match starting at `from` or later (only at `from` when `sticky`): the capture
    /// registers (start and end of each group, -1 when unset), or nil.
    mutating func firstMatch(from: Int, sticky: Bool) throws(RegexLimit) -> [Int]? {
        var start = from
        let n = input.count
        // A failed attempt undoes all its register writes, so one reset per call is enough.
        fuel -= 1 + registers.count >> 4
        for r in 0..<registers.count { registers[r] = -1 }
        stack.removeAll(keepingCapacity: true)
        while start <= n {
            if !sticky, let c = program.firstChar {
                while start < n, input[start] != c { start += 1 }
                if start == n { return nil }
            }
            if let end = try run(0, start) {
                registers[0] = start
                registers[1] = end
                return Array(registers[0..<(2 * (program.groupCount + 1))])
            }
            if sticky { return nil }
            start += 1
        }
        return nil
    }

    func isWordAt(_ p: Int) -> Bool { p >= 0 && p < input.count && RegexProgram.isWordChar(input[p]) }

    /// Runs from `startPC` at `startPos` to a `succeed`; returns the end position, or nil when
    /// every alternative failed (the stack is then back to its height on entry).
    mutating func run(_ startPC: Int, _ startPos: Int) throws(RegexLimit) -> Int? {
        let base = stack.count
        let code = program.code
        let n = input.count
        let ignoreCase = program.flags.contains(.ignoreCase)
        let multiline = program.flags.contains(.multiline)
        var pc = startPC
        var pos = startPos
        while true {
            fuel -= 1
            if fuel < 0 { throw .steps }
            var ok = true
            switch code[pc] {
            case .atom(let a):
                if pos < n, program.matches(a, input[pos]) {
                    pos += 1
                    pc += 1
                } else {
                    ok = false
                }
            case .split(let first, let second):
                try push(.branch, Int(second), pos)
                pc = Int(first)
            case .jump(let to):
                pc = Int(to)
            case .save(let r), .mark(let r):
                try set(Int(r), pos)
                pc += 1
            case .clear(let from, let to):
                fuel -= Int(to - from) >> 4
                for r in Int(from)..<Int(to) where registers[r] != -1 { try set(r, -1) }
                pc += 1
            case .progress(let r):
                if registers[Int(r)] == pos { ok = false } else { pc += 1 }
            case .lineStart:
                if pos == 0 || (multiline && RegexProgram.isLineTerminator(input[pos - 1])) {
                    pc += 1
                } else {
                    ok = false
                }
            case .lineEnd:
                if pos == n || (multiline && RegexProgram.isLineTerminator(input[pos])) {
                    pc += 1
                } else {
                    ok = false
                }
            case .wordBoundary, .notWordBoundary:
                let boundary = isWordAt(pos - 1) != isWordAt(pos)
                if case .wordBoundary = code[pc] { ok = boundary } else { ok = !boundary }
                if ok { pc += 1 }
            case .backreference(let g):
                let s = registers[2 * Int(g)]
                let e = registers[2 * Int(g) + 1]
                if s >= 0, e >= s {
                    let len = e - s
                    fuel -= len
                    if pos + len > n {
                        ok = false
                    } else {
                        var k = 0
                        while k < len {
                            let x = input[s + k]
                            let y = input[pos + k]
                            if x != y
                                && !(ignoreCase
                                    && RegexProgram.canonicalize(x) == RegexProgram.canonicalize(y))
                            {
                                break
                            }
                            k += 1
                        }
                        if k == len { pos += len } else { ok = false }
                    }
                }
                if ok { pc += 1 }
            case .lookahead(let negative, let end):
                fuel -= registers.count >> 4
                let saved = registers
                let height = stack.count
                let matched = try run(pc + 1, pos) != nil
                if matched {
                    stack.removeSubrange(height...)
                    if negative {
                        registers = saved
                        ok = false
                    } else {
                        // No backtracking into the lookahead, but its captures must be undone
                        // when backtracking past it.
                        for r in 0..<registers.count where registers[r] != saved[r] {
                            try push(.restore, r, saved[r])
                        }
                        pc = Int(end)
                    }
                } else {
                    if negative { pc = Int(end) } else { ok = false }
                }
            case .repeatAtom(let a, let min, let max, let greedy):
                var k = 0
                let limit = greedy ? Int(max) : Int(min)
                while k < limit, pos + k < n, program.matches(a, input[pos + k]) { k += 1 }
                fuel -= k
                if k < Int(min) {
                    ok = false
                } else if greedy {
                    if k > Int(min) { try push(.greedyRetry, pc + 1, pos + Int(min), pos + k) }
                    pos += k
                    pc += 1
                } else {
                    pos += k
                    if max > min { try push(.lazyRetry, pc, pos, Int(max - min)) }
                    pc += 1
                }
            case .succeed:
                return pos
            }
            if ok { continue }
            // Backtrack: undo register writes down to the latest choice point.
            while true {
                if stack.count == base { return nil }
                let e = stack.removeLast()
                switch e.kind {
                case .restore:
                    registers[Int(e.a)] = Int(e.b)
                    continue
                case .branch:
                    pc = Int(e.a)
                    pos = Int(e.b)
                case .greedyRetry:
                    let p = Int(e.c) - 1
                    if p > Int(e.b) { try push(.greedyRetry, Int(e.a), Int(e.b), p) }
                    pc = Int(e.a)
                    pos = p
                case .lazyRetry:
                    let p = Int(e.b)
                    guard case .repeatAtom(let a, _, _, _) = code[Int(e.a)], p < n,
                        program.matches(a, input[p])
                    else { continue }
                    if e.c > 1 { try push(.lazyRetry, Int(e.a), p + 1, Int(e.c) - 1) }
                    pc = Int(e.a) + 1
                    pos = p + 1
                }
                break
            }
        }
    }
}
