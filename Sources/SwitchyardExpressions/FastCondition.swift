/// The shape of a condition that ``ConditionList`` can decide without running closures: `&&`
/// and `||` over `variable == 'string'` (also `!=`, `===`, `!==`), `variable <op> number` and
/// `variable.contains('string')` / `.includes('string')`, where every variable is a global slot.
///
/// It mirrors what ``Compiler/compileCond(_:)`` emits for the same expression. A fast answer is
/// only given when the slot holds the value kind the compiled closure's own fast path handles
/// (a string, a number, an array of fewer than 64 elements); for anything else the whole
/// condition is run by its closure, so semantics, errors and step charges are unchanged.
indirect enum FastCondition: Sendable {
    case all([FastCondition])
    case any([FastCondition])
    /// `slot == string` (strict or loose) when the slot holds a string; `negate` for `!=`.
    case stringEquals(slot: Int, String, negate: Bool)
    /// `slot <op> number` when the slot holds a number.
    case number(slot: Int, BinaryOp, Double)
    /// `slot.contains(string)` when the slot holds an array of fewer than 64 elements.
    case contains(slot: Int, String)
}

extension Compiler {
    /// The fast form of a condition, or nil when some part of it has no fast form.
    func fastForm(_ e: Expr) -> FastCondition? {
        if constant(e) != nil { return nil }
        switch e.kind {
        case .logical(.and, let a, let b):
            guard let x = fastForm(a), let y = fastForm(b) else { return nil }
            return .all([x, y])
        case .logical(.or, let a, let b):
            guard let x = fastForm(a), let y = fastForm(b) else { return nil }
            return .any([x, y])
        case .binary(let op, let a, let b):
            switch op {
            case .lt, .le, .gt, .ge, .eq, .ne, .seq, .sne: break
            default: return nil
            }
            // The same operand normalisation as `compileCompare`.
            var op = op
            var a = a
            var b = b
            if constant(a) != nil && constant(b) == nil {
                swap(&a, &b)
                op = Compiler.mirrored(op)
            }
            guard let c = constant(b), case .identifier(let name) = a.kind,
                case .global(let slot, _, _) = resolve(name)
            else { return nil }
            if case .number(let n) = c { return .number(slot: slot, op, n) }
            if case .string(let s) = c, op == .eq || op == .seq || op == .ne || op == .sne {
                return .stringEquals(slot: slot, s, negate: op == .ne || op == .sne)
            }
            return nil
        case .call(let callee, let args):
            guard case .member(let recv, let name) = callee.kind, name == "contains" || name == "includes",
                args.count == 1, case .string(let needle)? = constant(args[0]),
                case .identifier(let n) = recv.kind, case .global(let slot, _, _) = resolve(n)
            else { return nil }
            return .contains(slot: slot, needle)
        default:
            return nil
        }
    }
}

/// One node of a flattened ``FastCondition`` (prefix order; `arg` is the end of an `all`/`any`
/// subtree or a constant's id).
struct FastOp {
    enum Kind: UInt8 {
        case all, any, stringEquals, stringNotEquals, lt, le, gt, ge, eq, ne, contains
    }
    var kind: Kind
    var slot: Int32
    var arg: Int32
    var number: Double
}

/// What a scan knows about one slot, computed once per scan.
struct SlotSummary {
    /// 0: other, 1: string, 2: number, 3: array of fewer than 64 elements.
    var kind: UInt8 = 0
    /// For a string: the id of the byte-equal string constant, or -1.
    var id: Int32 = -1
    var number: Double = 0
}

/// The flattened fast forms of a condition list and the string constants they compare with.
struct FastProgram {
    var ops: ContiguousArray<FastOp> = []
    /// Distinct string constants (by bytes).
    var constants: [String] = []
    /// Constants by `String` equality (canonical equivalence), each candidate checked by bytes.
    var lookup: [String: [Int32]] = [:]
    /// Slots compared with strings; slots searched with `contains`.
    var stringSlots: [Int] = []
    var arraySlots: [Int] = []
    var slotCount = 0

    var isEmpty: Bool { ops.isEmpty }
    /// 64-bit words per array slot's membership bit set.
    var words: Int { (constants.count + 63) >> 6 }

    mutating func constant(_ s: String) -> Int32 {
        if let cs = lookup[s] {
            for c in cs where Ops.stringEquals(constants[Int(c)], s) { return c }
        }
        let id = Int32(constants.count)
        constants.append(s)
        lookup[s, default: []].append(id)
        return id
    }

    /// Appends `c` in prefix order; returns its root index.
    @discardableResult
    mutating func append(_ c: FastCondition) -> Int32 {
        let at = ops.count
        switch c {
        case .all(let xs), .any(let xs):
            let isAll: Bool
            if case .all = c { isAll = true } else { isAll = false }
            ops.append(FastOp(kind: isAll ? .all : .any, slot: 0, arg: 0, number: 0))
            for x in xs { append(x) }
            ops[at].arg = Int32(ops.count)
        case .stringEquals(let slot, let s, let negate):
            if !stringSlots.contains(slot) { stringSlots.append(slot) }
            slotCount = max(slotCount, slot + 1)
            ops.append(
                FastOp(
                    kind: negate ? .stringNotEquals : .stringEquals, slot: Int32(slot), arg: constant(s),
                    number: 0))
        case .number(let slot, let op, let n):
            let kind: FastOp.Kind
            switch op {
            case .lt: kind = .lt
            case .le: kind = .le
            case .gt: kind = .gt
            case .ge: kind = .ge
            case .eq, .seq: kind = .eq
            default: kind = .ne
            }
            slotCount = max(slotCount, slot + 1)
            ops.append(FastOp(kind: kind, slot: Int32(slot), arg: 0, number: n))
        case .contains(let slot, let s):
            if !arraySlots.contains(slot) { arraySlots.append(slot) }
            slotCount = max(slotCount, slot + 1)
            ops.append(FastOp(kind: .contains, slot: Int32(slot), arg: constant(s), number: 0))
        }
        return Int32(at)
    }

    /// Open-addressing table of constant ids (-1: empty) by a hash of their bytes; built by
    /// ``finish()``. Cheaper per lookup than `lookup` (no Unicode-aware hashing).
    var table: [Int32] = []
    var hashes: [UInt64] = []

    /// FNV-1a over the UTF-8 bytes.
    @inline(__always) static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Builds the lookup table once every condition has been appended.
    mutating func finish() {
        hashes = constants.map(FastProgram.hash)
        var size = 16
        while size < constants.count * 2 { size <<= 1 }
        table = Array(repeating: -1, count: size)
        for (c, h) in hashes.enumerated() {
            var at = Int(truncatingIfNeeded: h) & (size - 1)
            while table[at] >= 0 { at = (at + 1) & (size - 1) }
            table[at] = Int32(c)
        }
    }

    /// The id of the constant byte-equal to `s`, or -1.
    func id(of s: String) -> Int32 {
        let h = FastProgram.hash(s)
        let mask = table.count - 1
        var at = Int(truncatingIfNeeded: h) & mask
        while true {
            let c = table[at]
            if c < 0 { return -1 }
            if hashes[Int(c)] == h && Ops.stringEquals(constants[Int(c)], s) { return c }
            at = (at + 1) & mask
        }
    }

    /// Fills the summaries (and the membership bits of array slots) from the environment.
    func summarize(
        _ slots: UnsafeBufferPointer<Value>, _ summary: UnsafeMutableBufferPointer<SlotSummary>,
        _ bits: UnsafeMutableBufferPointer<UInt64>
    ) {
        for i in 0..<summary.count {
            summary[i] = SlotSummary()
            if i < slots.count, case .number(let d) = slots[i] {
                summary[i].kind = 2
                summary[i].number = d
            }
        }
        for s in stringSlots where s < slots.count {
            if case .string(let t) = slots[s] {
                summary[s].kind = 1
                summary[s].id = id(of: t)
            }
        }
        let w = words
        for s in arraySlots where s < slots.count {
            if case .array(let a) = slots[s], a.count < 64 {
                // A string slot also searched with `contains` stays a string (no fast answer).
                if summary[s].kind != 0 { continue }
                summary[s].kind = 3
                for k in 0..<w { bits[s * w + k] = 0 }
                a.withUnsafeBufferPointer { elements in
                    for e in elements {
                        if case .string(let t) = e {
                            let c = Int(id(of: t))
                            if c >= 0 { bits[s * w + c >> 6] |= 1 << UInt64(c & 63) }
                        }
                    }
                }
            }
        }
    }

    /// 1: true, 0: false, -1: no fast answer (run the closure).
    static func evaluate(
        _ ops: UnsafeBufferPointer<FastOp>, _ i: Int, _ summary: UnsafeMutableBufferPointer<SlotSummary>,
        _ bits: UnsafeMutableBufferPointer<UInt64>, _ words: Int
    ) -> Int8 {
        let op = ops[i]
        guard op.kind == .all || op.kind == .any else { return leaf(op, summary, bits, words) }
        let isAll = op.kind == .all
        var c = i + 1
        let end = Int(op.arg)
        while c < end {
            let child = ops[c]
            let r: Int8
            if child.kind == .all || child.kind == .any {
                r = evaluate(ops, c, summary, bits, words)
                c = Int(child.arg)
            } else {
                r = leaf(child, summary, bits, words)
                c += 1
            }
            if r < 0 { return -1 }
            if (r == 1) != isAll { return r }
        }
        return isAll ? 1 : 0
    }

    @inline(__always) static func leaf(
        _ op: FastOp, _ summary: UnsafeMutableBufferPointer<SlotSummary>,
        _ bits: UnsafeMutableBufferPointer<UInt64>, _ words: Int
    ) -> Int8 {
        let s = summary[Int(op.slot)]
        switch op.kind {
        case .stringEquals, .stringNotEquals:
            guard s.kind == 1 else { return -1 }
            return (s.id == op.arg) != (op.kind == .stringNotEquals) ? 1 : 0
        case .contains:
            guard s.kind == 3 else { return -1 }
            let c = Int(op.arg)
            return bits[Int(op.slot) * words + c >> 6] & (1 << UInt64(c & 63)) != 0 ? 1 : 0
        default:
            guard s.kind == 2 else { return -1 }
            let x = s.number
            let n = op.number
            let r: Bool
            switch op.kind {
            case .lt: r = PredLT.test(x, n)
            case .le: r = PredLE.test(x, n)
            case .gt: r = PredGT.test(x, n)
            case .ge: r = PredGE.test(x, n)
            case .eq: r = PredEQ.test(x, n)
            default: r = PredNE.test(x, n)
            }
            return r ? 1 : 0
        }
    }
}
