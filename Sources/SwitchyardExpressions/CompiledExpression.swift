/// One compiled expression (a guard, an `<assign expr>`, a `<send>` parameter, a filter).
///
/// Compile once, evaluate many times. Identifiers known to the symbol table at compile time are
/// read by slot; other names are looked up in `env.symbols` at run time. Reading an undeclared
/// name raises a reference error; `typeof undeclared` is `"undefined"`.
public struct CompiledExpression: Sendable {
    let code: Code
    let cond: CondCode
    let unit: SourceText
    /// The closure-free form of ``cond`` used by ``ConditionList``, when the shape allows one.
    var fast: FastCondition? = nil
    /// The flat form of the expression for embedders in this package, when its shape has one.
    package var simple: SimpleForm? = nil

    /// The source text.
    public var source: String { unit.text }

    /// Parses and compiles `source`.
    ///
    /// - Throws: a syntax error (with position) when `source` is not a single expression, or a
    ///   limit error when it is nested too deeply.
    public static func compile(
        _ source: String, symbols: SymbolTable, options: CompileOptions = .init()
    ) throws(ExpressionError) -> CompiledExpression {
        let unit = SourceText(source)
        do throws(ExpressionError) {
            var p = try Parser(unit, maxDepth: options.limits.maxDepth)
            let e = try p.parseWholeExpression()
            var c = Compiler(symbols: symbols, options: options, unit: unit)
            // Compile once: booleans as conditions, everything else as values.
            if Compiler.isBoolean(e) {
                let cond = try c.compileCond(e)
                return CompiledExpression(
                    code: { env, run throws(ExpressionError) in .bool(try cond(&env, &run)) }, cond: cond,
                    unit: unit, fast: c.fastForm(e), simple: c.simpleForm(e))
            }
            let code = try c.compile(e)
            // The condition form is compiled on its own (a fresh compiler): `&&`, `||`, `!` and
            // `contains` calls then test truthiness directly instead of building a value first.
            var cc = Compiler(symbols: symbols, options: options, unit: unit)
            return CompiledExpression(
                code: code, cond: try cc.compileCond(e), unit: unit, fast: cc.fastForm(e),
                simple: cc.simpleForm(e))
        } catch {
            throw error.located(in: unit)
        }
    }

    /// Evaluates the expression.
    public func evaluate(in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError)
        -> Value
    {
        var run = Run(limits: env.limits, host: host, unit: unit)
        do throws(ExpressionError) {
            return try code(&env, &run)
        } catch {
            throw error.located(in: unit)
        }
    }

    /// Evaluates the expression and converts the result with `ToBoolean` (for `cond`). Faster
    /// than ``evaluate(in:host:)`` for comparisons and logical operators.
    public func evaluateCondition(in env: inout Environment, host: (any ExpressionHost)? = nil)
        throws(ExpressionError) -> Bool
    {
        var run = Run(limits: env.limits, host: host, unit: unit)
        do throws(ExpressionError) {
            return try cond(&env, &run)
        } catch {
            throw error.located(in: unit)
        }
    }
}

/// A compiled `<script>` body: a list of statements.
///
/// Top-level `var`, `let`, `const` and `function` declarations (also those nested in blocks and
/// loops, but not inside functions) are declared as globals in the symbol table at compile time;
/// top-level function declarations are hoisted (defined before the first statement runs).
public struct CompiledScript: Sendable {
    let body: BodyCode
    let unit: SourceText

    /// The source text.
    public var source: String { unit.text }

    /// Parses and compiles a script, declaring its top-level names in `symbols`.
    public static func compile(
        _ source: String, symbols: inout SymbolTable, options: CompileOptions = .init()
    ) throws(ExpressionError) -> CompiledScript {
        let unit = SourceText(source)
        do throws(ExpressionError) {
            var p = try Parser(unit, maxDepth: options.limits.maxDepth)
            let stmts = try p.parseScript()
            var decls: [(String, DeclKind)] = []
            var fns: [String] = []
            Compiler.collectDeclarations(stmts, &decls, &fns)
            var table = symbols
            for (n, _) in decls { table.declare(n) }
            for n in fns { table.declare(n) }
            var c = Compiler(symbols: table, options: options, unit: unit)
            for (n, k) in decls where k == .const { c.globalConsts.insert(n) }
            // Hoist top-level function declarations.
            var hoisted: [Stmt] = []
            var rest: [Stmt] = []
            for s in stmts {
                if case .function = s.kind { hoisted.append(s) } else { rest.append(s) }
            }
            let body = try c.compileStatements(hoisted + rest)
            symbols = table
            return CompiledScript(body: body, unit: unit)
        } catch {
            throw error.located(in: unit)
        }
    }

    /// Runs the script. Variables it declared must exist in `env` (declare them from the symbol
    /// table the script was compiled with, e.g. `env.symbols = symbols`).
    public func run(in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError) {
        var run = Run(limits: env.limits, host: host, unit: unit)
        do throws(ExpressionError) {
            _ = try body(&env, &run)
        } catch {
            throw error.located(in: unit)
        }
    }
}

/// A compiled assignable location (`<assign location>`, `<foreach item>`): a variable name
/// optionally followed by member and index accesses, such as `a`, `a.b[0]`.
///
/// Assigning an undeclared variable is a reference error (strict-mode semantics); a read-only
/// variable (or a property inside one, e.g. `_event.x`) is a type error; a property of a
/// non-object (`undefined.x`) is a type error.
public struct CompiledLocation: Sendable {
    let location: LocationCode
    let unit: SourceText

    /// The source text.
    public var source: String { unit.text }

    /// Parses and compiles a location expression.
    public static func compile(
        _ source: String, symbols: SymbolTable, options: CompileOptions = .init()
    ) throws(ExpressionError) -> CompiledLocation {
        let unit = SourceText(source)
        do throws(ExpressionError) {
            var p = try Parser(unit, maxDepth: options.limits.maxDepth)
            let e = try p.parseWholeExpression()
            var c = Compiler(symbols: symbols, options: options, unit: unit)
            switch e.kind {
            case .identifier, .member, .index: break
            default: throw ExpressionError(.syntax, "not an assignable location", at: e.start)
            }
            return CompiledLocation(location: try c.compileLocation(e), unit: unit)
        } catch {
            throw error.located(in: unit)
        }
    }

    /// Stores `value` at the location.
    public func assign(_ value: Value, in env: inout Environment, host: (any ExpressionHost)? = nil)
        throws(ExpressionError)
    {
        var run = Run(limits: env.limits, host: host, unit: unit)
        do throws(ExpressionError) {
            let keys = try location.evalKeys(&env, &run)
            try location.set(&env, &run, keys, value)
        } catch {
            throw error.located(in: unit)
        }
    }

    /// Reads the current value at the location.
    public func value(in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError)
        -> Value
    {
        var run = Run(limits: env.limits, host: host, unit: unit)
        do throws(ExpressionError) {
            let keys = try location.evalKeys(&env, &run)
            return try location.get(&env, &run, keys)
        } catch {
            throw error.located(in: unit)
        }
    }
}
