/// Numeric comparison predicates; generic specialisation turns each into its own closure with
/// no run-time operator switch.
protocol NumPredicate: SendableMetatype {
    static func test(_ a: Double, _ b: Double) -> Bool
}
enum PredLT: NumPredicate {
    @inline(__always) static func test(_ a: Double, _ b: Double) -> Bool { a < b }
}
enum PredLE: NumPredicate {
    @inline(__always) static func test(_ a: Double, _ b: Double) -> Bool { a <= b }
}
enum PredGT: NumPredicate {
    @inline(__always) static func test(_ a: Double, _ b: Double) -> Bool { a > b }
}
enum PredGE: NumPredicate {
    @inline(__always) static func test(_ a: Double, _ b: Double) -> Bool { a >= b }
}
enum PredEQ: NumPredicate {
    @inline(__always) static func test(_ a: Double, _ b: Double) -> Bool { a == b }
}
enum PredNE: NumPredicate {
    @inline(__always) static func test(_ a: Double, _ b: Double) -> Bool { a != b }
}

extension Compiler {
    static func mirrored(_ op: BinaryOp) -> BinaryOp {
        switch op {
        case .lt: return .gt
        case .gt: return .lt
        case .le: return .ge
        case .ge: return .le
        default: return op
        }
    }

    /// Comparison specialised on the operand shapes: variable vs number constant, value vs
    /// string constant, number vs number.
    mutating func compileCompare(_ op: BinaryOp, _ a: Expr, _ b: Expr, at pos: Int32) throws(ExpressionError)
        -> CondCode
    {
        var op = op
        var a = a
        var b = b
        if constant(a) != nil && constant(b) == nil {
            swap(&a, &b)
            op = Compiler.mirrored(op)
        }
        if let c = constant(b) {
            if case .number(let n) = c {
                if case .identifier(let name) = a.kind, case .global(let slot, _, _) = resolve(name) {
                    switch op {
                    case .lt: return Compiler.slotVsNumber(PredLT.self, slot, n, op, name, at: pos)
                    case .le: return Compiler.slotVsNumber(PredLE.self, slot, n, op, name, at: pos)
                    case .gt: return Compiler.slotVsNumber(PredGT.self, slot, n, op, name, at: pos)
                    case .ge: return Compiler.slotVsNumber(PredGE.self, slot, n, op, name, at: pos)
                    case .eq, .seq: return Compiler.slotVsNumber(PredEQ.self, slot, n, op, name, at: pos)
                    default: return Compiler.slotVsNumber(PredNE.self, slot, n, op, name, at: pos)
                    }
                }
                let x = try compile(a)
                switch op {
                case .lt: return Compiler.valueVsNumber(PredLT.self, x, n, op)
                case .le: return Compiler.valueVsNumber(PredLE.self, x, n, op)
                case .gt: return Compiler.valueVsNumber(PredGT.self, x, n, op)
                case .ge: return Compiler.valueVsNumber(PredGE.self, x, n, op)
                case .eq, .seq: return Compiler.valueVsNumber(PredEQ.self, x, n, op)
                default: return Compiler.valueVsNumber(PredNE.self, x, n, op)
                }
            }
            if case .string(let s) = c, op == .eq || op == .seq || op == .ne || op == .sne {
                let negate = op == .ne || op == .sne
                let strict = op == .seq || op == .sne
                if case .identifier(let name) = a.kind, case .global(let slot, _, _) = resolve(name) {
                    return { env, _ throws(ExpressionError) in
                        guard slot < env.slots.count else { throw Compiler.referenceError(name, at: pos) }
                        if case .string(let t) = env.slots[slot] { return Ops.stringEquals(s, t) != negate }
                        if strict { return negate }
                        return Ops.looseEquals(env.slots[slot], .string(s)) != negate
                    }
                }
                let x = try compile(a)
                return { env, run throws(ExpressionError) in
                    let v = try x(&env, &run)
                    if case .string(let t) = v { return Ops.stringEquals(s, t) != negate }
                    if strict { return negate }
                    return Ops.looseEquals(v, .string(s)) != negate
                }
            }
        }
        let x = try compile(a)
        let y = try compile(b)
        switch op {
        case .lt: return Compiler.valueVsValue(PredLT.self, x, y, op)
        case .le: return Compiler.valueVsValue(PredLE.self, x, y, op)
        case .gt: return Compiler.valueVsValue(PredGT.self, x, y, op)
        case .ge: return Compiler.valueVsValue(PredGE.self, x, y, op)
        case .eq, .seq: return Compiler.valueVsValue(PredEQ.self, x, y, op)
        default: return Compiler.valueVsValue(PredNE.self, x, y, op)
        }
    }

    static func slotVsNumber<P: NumPredicate>(
        _ p: P.Type, _ slot: Int, _ n: Double, _ op: BinaryOp, _ name: String, at pos: Int32
    ) -> CondCode {
        { env, _ throws(ExpressionError) in
            guard slot < env.slots.count else { throw Compiler.referenceError(name, at: pos) }
            if case .number(let x) = env.slots[slot] { return P.test(x, n) }
            return Ops.compare(op, env.slots[slot], .number(n))
        }
    }

    static func valueVsNumber<P: NumPredicate>(_ p: P.Type, _ x: @escaping Code, _ n: Double, _ op: BinaryOp)
        -> CondCode
    {
        { env, run throws(ExpressionError) in
            let v = try x(&env, &run)
            if case .number(let d) = v { return P.test(d, n) }
            return Ops.compare(op, v, .number(n))
        }
    }

    static func valueVsValue<P: NumPredicate>(
        _ p: P.Type, _ x: @escaping Code, _ y: @escaping Code, _ op: BinaryOp
    )
        -> CondCode
    {
        { env, run throws(ExpressionError) in
            let l = try x(&env, &run)
            let r = try y(&env, &run)
            if case .number(let a) = l, case .number(let b) = r { return P.test(a, b) }
            return Ops.compare(op, l, r)
        }
    }

    /// `x.contains('s')` / `x.includes('s')` as a condition, without allocating.
    func compileFastContains(_ callee: Expr, _ args: [Expr], at pos: Int32) throws(ExpressionError)
        -> CondCode?
    {
        guard case .member(let recv, let name) = callee.kind, name == "contains" || name == "includes",
            args.count == 1, case .string(let needle)? = constant(args[0])
        else { return nil }
        let needleValue = Value.string(needle)
        let method = Method(rawValue: name)!
        if case .identifier(let n) = recv.kind, case .global(let slot, _, _) = resolve(n) {
            let loadRecv = load(resolve(n), at: recv.start)
            let general: Code = { env, run throws(ExpressionError) in
                let r = try loadRecv(&env, &run)
                return try Compiler.invoke(r, name, method, Args(needleValue), &env, &run, at: pos)
            }
            return { env, run throws(ExpressionError) in
                if slot < env.slots.count {
                    // Borrow the slot in place: no retain of the array or string.
                    let r: Int = env.slots.withUnsafeBufferPointer { buf in
                        switch buf[slot] {
                        case .array(let a):
                            if a.count >= 64 { return -1 }
                            return Builtins.arrayIncludesString(a, needle) ? 1 : 0
                        case .string(let s):
                            if s.utf8.count >= 64 { return -1 }
                            return Builtins.stringIncludes(s, needle) ? 1 : 0
                        default: return -1
                        }
                    }
                    if r >= 0 { return r == 1 }
                    switch env.slots[slot] {
                    case .array(let a):
                        try run.chargeWork(a.count, at: pos)
                        return Builtins.arrayIncludes(a, needleValue)
                    case .string(let s):
                        try run.chargeWork(s.utf8.count, at: pos)
                        return Builtins.stringIncludes(s, needle)
                    default: break
                    }
                }
                return try general(&env, &run).truthy
            }
        }
        return nil
    }
}
