/// Expression shapes that an embedding interpreter in this package (the SCXML interpreter) can
/// evaluate straight from a flat table, without setting up an evaluation or calling the closure
/// tree. Each form states the one case it answers; for every other value the embedder runs the
/// compiled expression as usual, so results and errors are exactly those of the closures.
package enum SimpleForm: Sendable, Equatable {
    /// `slot + addend`, `addend + slot` or `slot - c` (as `addend == -c`): answered when the slot
    /// holds a number. `x - c` and `x + (-c)` are the same IEEE 754 operation, and `+` on two
    /// numbers is commutative, so one form covers the three spellings.
    case slotPlus(slot: Int, addend: Double)
    /// A number constant (after constant folding), e.g. `0` or `-1`.
    case number(Double)
    /// `slot <op> number` (either operand order, normalised to the slot on the left): answered
    /// when the slot holds a number.
    case compare(slot: Int, SimpleComparison, Double)
}

/// The comparison of a ``SimpleForm/compare(slot:_:_:)``: numeric comparison of two numbers
/// (`==` and `===` agree on numbers, as do `!=` and `!==`).
package enum SimpleComparison: UInt8, Sendable {
    case lt, le, gt, ge, eq, ne

    /// The comparison applied to two numbers.
    @inline(__always) package func test(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .lt: a < b
        case .le: a <= b
        case .gt: a > b
        case .ge: a >= b
        case .eq: a == b
        case .ne: a != b
        }
    }
}

extension Compiler {
    /// The simple form of an expression, or nil.
    func simpleForm(_ e: Expr) -> SimpleForm? {
        if let c = constant(e) {
            if case .number(let n) = c { return .number(n) }
            return nil
        }
        guard case .binary(let op, let a, let b) = e.kind else { return nil }
        switch op {
        case .add, .sub:
            if case .number(let n)? = constant(b), let slot = globalSlot(a) {
                return .slotPlus(slot: slot, addend: op == .add ? n : -n)
            }
            if op == .add, case .number(let n)? = constant(a), let slot = globalSlot(b) {
                return .slotPlus(slot: slot, addend: n)
            }
            return nil
        case .lt, .le, .gt, .ge, .eq, .ne, .seq, .sne:
            // The same operand normalisation as `compileCompare`.
            var op = op
            var a = a
            var b = b
            if constant(a) != nil && constant(b) == nil {
                swap(&a, &b)
                op = Compiler.mirrored(op)
            }
            guard case .number(let n)? = constant(b), let slot = globalSlot(a) else { return nil }
            let cmp: SimpleComparison
            switch op {
            case .lt: cmp = .lt
            case .le: cmp = .le
            case .gt: cmp = .gt
            case .ge: cmp = .ge
            case .eq, .seq: cmp = .eq
            default: cmp = .ne
            }
            return .compare(slot: slot, cmp, n)
        default:
            return nil
        }
    }

    /// The slot of an identifier that names a global variable known at compile time.
    func globalSlot(_ e: Expr) -> Int? {
        guard case .identifier(let name) = e.kind, case .global(let slot, _, _) = resolve(name) else {
            return nil
        }
        return slot
    }
}
