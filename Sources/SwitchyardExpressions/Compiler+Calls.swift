/// Compiled call arguments.
typealias ArgsCode = @Sendable (inout Environment, inout Run) throws(ExpressionError) -> Args

extension Compiler {
    mutating func compileArgs(_ args: [Expr]) throws(ExpressionError) -> ArgsCode {
        let codes = try args.map { (x) throws(ExpressionError) in try compile(x) }
        switch codes.count {
        case 0: return { _, _ in Args() }
        case 1:
            let a = codes[0]
            return { env, run throws(ExpressionError) in Args(try a(&env, &run)) }
        case 2:
            let a = codes[0]
            let b = codes[1]
            return { env, run throws(ExpressionError) in
                let x = try a(&env, &run)
                return Args(x, try b(&env, &run))
            }
        default:
            return { env, run throws(ExpressionError) in
                var out: [Value] = []
                out.reserveCapacity(codes.count)
                for c in codes { out.append(try c(&env, &run)) }
                return Args(out)
            }
        }
    }

    static func callValue(
        _ f: Value, _ args: Args, _ what: String, _ env: inout Environment, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        guard case .function(let fn) = f else { throw Ops.typeError("\(what) is not a function", at: pos) }
        return try FunctionValue.call(fn, args, &env, &run, at: pos)
    }

    mutating func compileCall(_ callee: Expr, _ argExprs: [Expr], at pos: Int32) throws(ExpressionError)
        -> Code
    {
        let args = try compileArgs(argExprs)
        switch callee.kind {
        case .identifier(let name):
            let r = resolve(name)
            if case .dynamic = r {
                if options.hostFunctions.contains(name) {
                    return { env, run throws(ExpressionError) in
                        let a = try args(&env, &run).array
                        guard let host = run.host else {
                            throw ExpressionError(
                                .reference, "host function '\(name)' is not available", at: pos)
                        }
                        do throws(ExpressionError) {
                            return try host.callHostFunction(name, arguments: a)
                        } catch {
                            if error.line != 0 { throw error }
                            throw ExpressionError(error.kind, error.message, at: pos)
                        }
                    }
                }
                if let g = GlobalFunction(rawValue: name) {
                    return { env, run throws(ExpressionError) in
                        try Builtins.callGlobal(g, try args(&env, &run), &run, at: pos)
                    }
                }
            }
            let f = load(r, at: callee.start)
            return { env, run throws(ExpressionError) in
                let fv = try f(&env, &run)
                let a = try args(&env, &run)
                return try Compiler.callValue(fv, a, name, &env, &run, at: pos)
            }
        case .member(let recvExpr, let name):
            if case .identifier(let ns) = recvExpr.kind, Compiler.namespaces.contains(ns), isUnbound(ns) {
                guard let g = GlobalFunction(rawValue: ns + "." + name) else {
                    throw ExpressionError(.reference, "'\(ns).\(name)' is not supported", at: callee.start)
                }
                return { env, run throws(ExpressionError) in
                    try Builtins.callGlobal(g, try args(&env, &run), &run, at: pos)
                }
            }
            let method = Method(rawValue: name)
            if let method, method.mutates {
                switch recvExpr.kind {
                case .identifier, .member, .index:
                    let loc = try compileLocation(recvExpr)
                    return { env, run throws(ExpressionError) in
                        let keys = try loc.evalKeys(&env, &run)
                        var recv = try loc.get(&env, &run, keys)
                        let a = try args(&env, &run)
                        if case .array = recv {
                            recv = .undefined  // drop our reference so the array is changed in place
                            var result = Value.undefined
                            try loc.modify(&env, &run, keys) { v, run throws(ExpressionError) in
                                guard case .array(var arr) = v else { return }
                                v = .undefined
                                defer { v = .array(arr) }
                                result = try Builtins.arrayMethod(&arr, method, a, &run, at: pos)
                            }
                            return result
                        }
                        return try Compiler.invoke(recv, name, method, a, &env, &run, at: pos)
                    }
                default: break
                }
            }
            let recv = try compile(recvExpr)
            return { env, run throws(ExpressionError) in
                let r = try recv(&env, &run)
                let a = try args(&env, &run)
                return try Compiler.invoke(r, name, method, a, &env, &run, at: pos)
            }
        default:
            let f = try compile(callee)
            return { env, run throws(ExpressionError) in
                let fv = try f(&env, &run)
                let a = try args(&env, &run)
                return try Compiler.callValue(fv, a, "expression", &env, &run, at: pos)
            }
        }
    }

    /// A method call: an own function-valued property of an object, or a built-in method.
    static func invoke(
        _ recv: Value, _ name: String, _ method: Method?, _ args: Args, _ env: inout Environment,
        _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        if case .object(let o) = recv, let p = o[name] {
            return try callValue(p, args, name, &env, &run, at: pos)
        }
        if let method {
            if case .array(var a) = recv, !method.mutates {
                return try Builtins.arrayMethod(&a, method, args, &run, at: pos)
            }
            return try Builtins.callMethod(recv, method, args, &run, at: pos)
        }
        if recv.isNullish {
            throw Ops.typeError("cannot read properties of \(recv.jsString) (reading '\(name)')", at: pos)
        }
        throw Ops.typeError("'\(name)' is not a method of \(Ops.describe(recv))", at: pos)
    }

    // MARK: functions

    /// Names declared by `var`/`let`/`const` (and function declarations) in a body, not
    /// descending into nested functions. With `lexicalOnTop` false (function bodies), `let` and
    /// `const` declared inside nested blocks and loop heads are left out: they are block-scoped
    /// and declared when their block is compiled.
    static func collectDeclarations(
        _ stmts: [Stmt], _ out: inout [(String, DeclKind)], _ functions: inout [String],
        lexicalOnTop: Bool = true
    ) {
        for s in stmts { collectDeclarations(s, &out, &functions, nested: false, lexicalOnTop: lexicalOnTop) }
    }

    static func collectDeclarations(
        _ s: Stmt, _ out: inout [(String, DeclKind)], _ functions: inout [String], nested: Bool,
        lexicalOnTop: Bool
    ) {
        func visit(_ t: Stmt) {
            collectDeclarations(t, &out, &functions, nested: true, lexicalOnTop: lexicalOnTop)
        }
        switch s.kind {
        case .declaration(let k, let ds):
            if k == .var || !nested || lexicalOnTop { for d in ds { out.append((d.name, k)) } }
        case .function(let f): functions.append(f.name!)
        case .if(_, let a, let b):
            visit(a)
            if let b { visit(b) }
        case .for(let i, _, _, let body):
            if let i { visit(i) }
            visit(body)
        case .forOf(let k, let n, _, _, let body), .forIn(let k, let n, _, _, let body):
            if let k, k == .var || lexicalOnTop { out.append((n, k)) }
            visit(body)
        case .while(_, let body), .doWhile(let body, _): visit(body)
        case .block(let b): for t in b { visit(t) }
        default: break
        }
    }

    /// Compiles `body` with `names` declared as fresh block-scoped (`let`/`const`) slots of the
    /// current function, restoring the outer bindings afterwards. Outside functions (top-level
    /// script code) `let`/`const` are globals and nothing changes.
    mutating func withBlockScope<T>(
        _ names: [(String, DeclKind)], _ body: (inout Compiler) throws(ExpressionError) -> T
    ) throws(ExpressionError) -> T {
        guard let fs = scope, !names.isEmpty else { return try body(&self) }
        var saved: [(String, Int?, Bool)] = []
        for (n, k) in names {
            saved.append((n, fs.names[n], fs.consts.contains(n)))
            let slot = fs.frameSize
            fs.frameSize += 1
            fs.names[n] = slot
            if k == .const { fs.consts.insert(n) } else { fs.consts.remove(n) }
        }
        defer {
            for (n, old, wasConst) in saved.reversed() {
                fs.names[n] = old
                if wasConst { fs.consts.insert(n) } else { fs.consts.remove(n) }
            }
        }
        return try body(&self)
    }

    /// The `let`/`const` names declared directly in a statement list.
    static func lexicalNames(_ stmts: [Stmt]) -> [(String, DeclKind)] {
        var out: [(String, DeclKind)] = []
        for s in stmts {
            if case .declaration(let k, let ds) = s.kind, k != .var {
                for d in ds { out.append((d.name, k)) }
            }
        }
        return out
    }

    mutating func compileFunction(_ decl: FunctionDecl) throws(ExpressionError) -> Code {
        let fs = FunctionScope(parent: scope, selfName: decl.name)
        for p in decl.params { _ = fs.declare(p) }
        var decls: [(String, DeclKind)] = []
        var fns: [String] = []
        Compiler.collectDeclarations(decl.body, &decls, &fns, lexicalOnTop: false)
        for (n, k) in decls {
            _ = fs.declare(n)
            if k == .const { fs.consts.insert(n) }
        }
        for n in fns { _ = fs.declare(n) }
        let saved = scope
        scope = fs
        let body: BodyCode
        do throws(ExpressionError) {
            body = try compileStatements(decl.body)
        } catch {
            scope = saved
            throw error
        }
        scope = saved
        let source = String(decoding: unit.bytes[Int(decl.start)..<Int(decl.end)], as: UTF8.self)
        let name = decl.name
        let paramCount = decl.params.count
        let frameSize = fs.frameSize
        let selfSlot = fs.selfSlot
        let captureSlots = fs.captureSlots
        let captureSources = fs.captureSources
        let unit = self.unit
        if captureSources.isEmpty {
            let f = Value.function(
                FunctionValue(
                    source: source, name: name, paramCount: paramCount, frameSize: frameSize, captures: [],
                    captureSlots: [], selfSlot: selfSlot, body: body, unit: unit))
            return { _, _ in f }
        }
        let pos = decl.start
        return { _, run throws(ExpressionError) in
            var caps: [Value] = []
            caps.reserveCapacity(captureSources.count)
            for source in captureSources {
                let v = run.frames!.stack[run.base + source]
                try run.checkNesting(v, extra: 1, at: pos)
                caps.append(v)
            }
            return .function(
                FunctionValue(
                    source: source, name: name, paramCount: paramCount, frameSize: frameSize, captures: caps,
                    captureSlots: captureSlots, selfSlot: selfSlot, body: body, unit: unit))
        }
    }
}
