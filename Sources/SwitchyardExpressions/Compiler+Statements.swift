extension Compiler {
    mutating func compileStatements(_ stmts: [Stmt]) throws(ExpressionError) -> BodyCode {
        let codes = try stmts.map { (s) throws(ExpressionError) in try compileStatement(s) }
        if codes.count == 1 { return codes[0] }
        return { env, run throws(ExpressionError) in
            for c in codes {
                let r = try c(&env, &run)
                if r != .normal { return r }
            }
            return .normal
        }
    }

    mutating func compileStatement(_ s: Stmt) throws(ExpressionError) -> BodyCode {
        let pos = s.start
        switch s.kind {
        case .empty: return { _, _ in .normal }
        case .expression(let e):
            let c = try compile(e)
            return { env, run throws(ExpressionError) in
                _ = try c(&env, &run)
                return .normal
            }
        case .declaration(let kind, let decls):
            var partsBuilder: [BodyCode] = []
            for d in decls {
                let st = storeVariable(resolve(d.name), at: d.start, initializing: true)
                if let v = d.value {
                    let c = try compile(v)
                    let part: BodyCode = { env, run throws(ExpressionError) in
                        let v = try c(&env, &run)
                        try st(&env, &run, v)
                        return .normal
                    }
                    partsBuilder.append(part)
                } else if kind != .var {
                    let part: BodyCode = { env, run throws(ExpressionError) in
                        try st(&env, &run, .undefined)
                        return .normal
                    }
                    partsBuilder.append(part)
                }
            }
            let parts = partsBuilder
            return { env, run throws(ExpressionError) in
                for p in parts { _ = try p(&env, &run) }
                return .normal
            }
        case .function(let f):
            let st = storeVariable(resolve(f.name!), at: pos, initializing: true)
            let c = try compileFunction(f)
            return { env, run throws(ExpressionError) in
                let v = try c(&env, &run)
                try st(&env, &run, v)
                return .normal
            }
        case .if(let c, let a, let b):
            let t = try compileCond(c)
            let x = try compileStatement(a)
            if let b {
                let y = try compileStatement(b)
                return { env, run throws(ExpressionError) in
                    try t(&env, &run) ? try x(&env, &run) : try y(&env, &run)
                }
            }
            return { env, run throws(ExpressionError) in try t(&env, &run) ? try x(&env, &run) : .normal }
        case .block(let body):
            return try withBlockScope(Compiler.lexicalNames(body)) {
                (c: inout Compiler) throws(ExpressionError) in
                try c.compileStatements(body)
            }
        case .break: return { _, _ in .breakLoop }
        case .continue: return { _, _ in .continueLoop }
        case .return(let e):
            if let e {
                let c = try compile(e)
                return { env, run throws(ExpressionError) in
                    run.returnValue = try c(&env, &run)
                    return .returned
                }
            }
            return { _, run in
                run.returnValue = .undefined
                return .returned
            }
        case .while(let c, let body):
            let t = try compileCond(c)
            let b = try compileStatement(body)
            return { env, run throws(ExpressionError) in
                while try t(&env, &run) {
                    try run.charge(1, at: pos)
                    let r = try b(&env, &run)
                    if r == .breakLoop { break }
                    if r == .returned { return r }
                }
                return .normal
            }
        case .doWhile(let body, let c):
            let t = try compileCond(c)
            let b = try compileStatement(body)
            return { env, run throws(ExpressionError) in
                repeat {
                    try run.charge(1, at: pos)
                    let r = try b(&env, &run)
                    if r == .breakLoop { break }
                    if r == .returned { return r }
                } while try t(&env, &run)
                return .normal
            }
        case .for(let i, let c, let u, let body):
            if scope != nil, let i, case .declaration(let k, let ds) = i.kind, k != .var {
                // `for (let i = ...)`: the variable belongs to the loop.
                let names = ds.map { ($0.name, k) }
                let plain = Stmt(kind: .for(i, c, u, body), start: s.start)
                return try withBlockScope(names) { (comp: inout Compiler) throws(ExpressionError) in
                    try comp.compileLoop(plain)
                }
            }
            return try compileLoop(s)
        case .forOf(let kind, let name, _, _, _), .forIn(let kind, let name, _, _, _):
            if scope != nil, let kind, kind != .var {
                return try withBlockScope([(name, kind)]) { (comp: inout Compiler) throws(ExpressionError) in
                    try comp.compileLoop(s)
                }
            }
            return try compileLoop(s)
        }
    }

    /// `for` / `for…of` / `for…in` once their variables are bound.
    mutating func compileLoop(_ s: Stmt) throws(ExpressionError) -> BodyCode {
        let pos = s.start
        switch s.kind {
        case .for(let i, let c, let u, let body):
            let ic = try i.map { (x) throws(ExpressionError) in try compileStatement(x) }
            let tc = try c.map { (x) throws(ExpressionError) in try compileCond(x) }
            let uc = try u.map { (x) throws(ExpressionError) in try compile(x) }
            let b = try compileStatement(body)
            return { env, run throws(ExpressionError) in
                if let ic { _ = try ic(&env, &run) }
                while true {
                    if let tc, !(try tc(&env, &run)) { break }
                    try run.charge(1, at: pos)
                    let r = try b(&env, &run)
                    if r == .breakLoop { break }
                    if r == .returned { return r }
                    if let uc { _ = try uc(&env, &run) }
                }
                return .normal
            }
        case .forOf(let kind, let name, let nameStart, let seq, let body),
            .forIn(let kind, let name, let nameStart, let seq, let body):
            let isOf: Bool
            if case .forOf = s.kind { isOf = true } else { isOf = false }
            let st = storeVariable(resolve(name), at: nameStart, initializing: kind != nil)
            let sc = try compile(seq)
            let b = try compileStatement(body)
            let seqPos = seq.start
            return { env, run throws(ExpressionError) in
                let v = try sc(&env, &run)
                var items: [Value]
                switch v {
                case .array(let a):
                    items = isOf ? a : a.indices.map { .string(String($0)) }
                case .string(let str):
                    if isOf {
                        try run.chargeWork(str.utf8.count, at: seqPos)
                        items = str.unicodeScalars.map { .string(String($0)) }
                    } else {
                        items = (0..<str.utf16.count).map { .string(String($0)) }
                    }
                case .object(let o) where !isOf:
                    items = o.keys.map { .string($0) }
                case .undefined where !isOf, .null where !isOf:
                    items = []
                default:
                    if isOf { throw Ops.typeError("\(Ops.describe(v)) is not iterable", at: seqPos) }
                    items = []
                }
                for item in items {
                    try run.charge(1, at: pos)
                    try st(&env, &run, item)
                    let r = try b(&env, &run)
                    if r == .breakLoop { break }
                    if r == .returned { return r }
                }
                return .normal
            }
        default:
            return try compileStatement(s)
        }
    }
}
