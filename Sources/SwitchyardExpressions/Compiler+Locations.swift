/// An assignable place: a variable, optionally followed by property keys (`a.b[0]`).
struct LocationCode: Sendable {
    let root: Resolved
    let rootName: String
    let load: Code
    let store: @Sendable (inout Environment, inout Run, Value) throws(ExpressionError) -> Void
    let keys: [Code]
    let pos: Int32

    func evalKeys(_ env: inout Environment, _ run: inout Run) throws(ExpressionError) -> [Value] {
        if keys.isEmpty { return [] }
        var out: [Value] = []
        out.reserveCapacity(keys.count)
        for k in keys { out.append(try k(&env, &run)) }
        return out
    }

    func get(_ env: inout Environment, _ run: inout Run, _ keys: [Value]) throws(ExpressionError) -> Value {
        var v = try load(&env, &run)
        for k in keys { v = try Ops.getProperty(v, k, at: pos) }
        return v
    }

    func set(_ env: inout Environment, _ run: inout Run, _ keys: [Value], _ value: Value)
        throws(ExpressionError)
    {
        if keys.isEmpty {
            try store(&env, &run, value)
            return
        }
        try run.checkNesting(value, extra: keys.count, at: pos)
        let p = pos
        try modifyRoot(&env, &run) { v, run throws(ExpressionError) in
            try LocationCode.setPath(&v, keys[...], value, &run, at: p)
        }
    }

    /// Changes the value at the location in place (keys already evaluated).
    func modify(
        _ env: inout Environment, _ run: inout Run, _ keys: [Value],
        _ body: (inout Value, inout Run) throws(ExpressionError) -> Void
    ) throws(ExpressionError) {
        let p = pos
        try modifyRoot(&env, &run) { v, run throws(ExpressionError) in
            try LocationCode.modifyPath(&v, keys[...], &run, at: p, body)
        }
    }

    /// Reads, transforms and writes back (for `++`, `--`).
    func update(
        _ env: inout Environment, _ run: inout Run, _ f: (Value, inout Run) throws(ExpressionError) -> Value
    ) throws(ExpressionError) {
        let keys = try evalKeys(&env, &run)
        let old = try get(&env, &run, keys)
        let new = try f(old, &run)
        try set(&env, &run, keys, new)
    }

    static func setPath(
        _ v: inout Value, _ keys: ArraySlice<Value>, _ value: Value, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) {
        if keys.count == 1 {
            try Ops.setProperty(&v, keys.first!, value, &run, at: pos)
            return
        }
        try Ops.modifyProperty(&v, keys.first!, &run, at: pos) { inner, run throws(ExpressionError) in
            try setPath(&inner, keys.dropFirst(), value, &run, at: pos)
        }
    }

    static func modifyPath(
        _ v: inout Value, _ keys: ArraySlice<Value>, _ run: inout Run, at pos: Int32,
        _ body: (inout Value, inout Run) throws(ExpressionError) -> Void
    ) throws(ExpressionError) {
        guard let k = keys.first else {
            try body(&v, &run)
            return
        }
        try Ops.modifyProperty(&v, k, &run, at: pos) { inner, run throws(ExpressionError) in
            try modifyPath(&inner, keys.dropFirst(), &run, at: pos, body)
        }
    }

    /// Moves the root variable's value out (so it is uniquely referenced), lets `body` change it
    /// and moves it back.
    private func modifyRoot(
        _ env: inout Environment, _ run: inout Run,
        _ body: (inout Value, inout Run) throws(ExpressionError) -> Void
    ) throws(ExpressionError) {
        switch root {
        case .local(let i, _):
            let idx = run.base + i
            var v = run.stack[idx]
            run.stack[idx] = .undefined
            defer { run.stack[idx] = v }
            try body(&v, &run)
        case .global(let i, let readOnly, _):
            if readOnly { throw Ops.typeError("'\(rootName)' is read-only", at: pos) }
            guard i < env.slots.count else { throw Compiler.referenceError(rootName, at: pos) }
            var v = env.slots[i]
            env.slots[i] = .undefined
            defer { env.slots[i] = v }
            try body(&v, &run)
        case .dynamic(let name):
            guard let i = env.symbols.slot(of: name) else { throw Compiler.referenceError(name, at: pos) }
            if env.symbols.isReadOnly(i) { throw Ops.typeError("'\(name)' is read-only", at: pos) }
            var v = env[i]
            env[i] = .undefined
            defer { env[i] = v }
            try body(&v, &run)
        }
    }
}

extension Compiler {
    mutating func compileLocation(_ e: Expr) throws(ExpressionError) -> LocationCode {
        var keys: [Code] = []
        var cur = e
        while true {
            switch cur.kind {
            case .member(let o, let name):
                let k = Value.string(name)
                keys.append({ _, _ in k })
                cur = o
                continue
            case .index(let o, let i):
                keys.append(try compile(i))
                cur = o
                continue
            case .identifier(let name):
                let r = resolve(name)
                return LocationCode(
                    root: r, rootName: name, load: load(r, at: cur.start),
                    store: storeVariable(r, at: e.start),
                    keys: keys.reversed(), pos: e.pos)
            default:
                throw ExpressionError(.syntax, "invalid assignment target", at: cur.start)
            }
        }
    }

    mutating func compileAssign(
        _ op: BinaryOp?, _ lop: LogicalOp?, _ target: Expr, _ value: Expr, at pos: Int32
    )
        throws(ExpressionError) -> Code
    {
        let rhs = try compile(value)
        if case .identifier(let name) = target.kind, op == nil, lop == nil {
            let st = storeVariable(resolve(name), at: target.start)
            return { env, run throws(ExpressionError) in
                let v = try rhs(&env, &run)
                try st(&env, &run, v)
                return v
            }
        }
        let loc = try compileLocation(target)
        if let lop {
            return { env, run throws(ExpressionError) in
                let keys = try loc.evalKeys(&env, &run)
                let old = try loc.get(&env, &run, keys)
                switch lop {
                case .and: if !old.truthy { return old }
                case .or: if old.truthy { return old }
                case .nullish: if !old.isNullish { return old }
                }
                let v = try rhs(&env, &run)
                try loc.set(&env, &run, keys, v)
                return v
            }
        }
        if let op {
            return { env, run throws(ExpressionError) in
                let keys = try loc.evalKeys(&env, &run)
                let old = try loc.get(&env, &run, keys)
                let r = try rhs(&env, &run)
                let v = try Compiler.binary(op, old, r, &run, at: pos)
                try loc.set(&env, &run, keys, v)
                return v
            }
        }
        return { env, run throws(ExpressionError) in
            let keys = try loc.evalKeys(&env, &run)
            let v = try rhs(&env, &run)
            try loc.set(&env, &run, keys, v)
            return v
        }
    }
}
