import SwitchyardExpressions

/// The canonical rendering shared with `scripts/expr-tests/show.js` (node side).
func show(_ v: Value) -> String {
    switch v {
    case .undefined: return "undefined"
    case .null: return "null"
    case .number(let d):
        if d == 0 && d.sign == .minus { return "-0" }
        return Value.number(d).jsString
    case .string: return v.jsonString()!
    case .bool(let b): return b ? "true" : "false"
    case .function: return "function"
    case .regex: return "{}"  // node: no own enumerable properties
    case .array(let a): return "[" + a.map(show).joined(separator: ",") + "]"
    case .object(let o):
        return "{"
            + o.properties.map { Value.string($0.key).jsonString()! + ":" + show($0.value) }.joined(
                separator: ",")
            + "}"
    }
}

/// The variables every table case sees (fresh for each case).
enum Fixture {
    static let variables: [(String, Value)] = [
        ("a", 5), ("b", 2.5), ("s", "hello"), ("e", ""), ("t", true), ("f", false), ("n", .null),
        ("u", .undefined), ("arr", [1, 2, 3]), ("strs", ["x", "y", "urgent"]),
        ("obj", ["x": 1, "y": ["z": "deep"], "list": [10, 20]]), ("num", "42"), ("neg", -7), ("zero", 0),
        ("amount", 1500), ("department", "legal"), ("tags", ["a", "urgent"]),
    ]

    static func environment() -> Environment {
        var symbols = SymbolTable()
        for (n, _) in variables { symbols.declare(n) }
        var env = Environment(symbols: symbols)
        for (n, v) in variables { env.declare(n, value: v) }
        return env
    }

    /// Evaluates one table case and renders the result like the node side does.
    static func run(kind: String, source: String, result: String) -> String {
        var env = environment()
        do {
            if kind == "expr" {
                let c = try CompiledExpression.compile(source, symbols: env.symbols)
                return show(try c.evaluate(in: &env))
            }
            var symbols = env.symbols
            let script = try CompiledScript.compile(source, symbols: &symbols)
            env.symbols = symbols
            try script.run(in: &env)
            let r = try CompiledExpression.compile(result, symbols: env.symbols)
            return show(try r.evaluate(in: &env))
        } catch {
            return "error:" + error.kind.rawValue
        }
    }
}
