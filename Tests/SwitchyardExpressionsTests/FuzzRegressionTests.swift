import SwitchyardExpressions
import Testing

/// Inputs that crashed the libFuzzer target (scripts/fuzz.sh expr), run through the same steps
/// as the fuzz harness (scripts/fuzz/ExprFuzz.swift). Each must finish without crashing.
@Suite struct FuzzRegressionTests {
    static let inputs: [String] = [
        // Double-to-Int conversion of a NaN indent (found after 2.29 M executions).
        "JSON.stringify([1, 2], null,+ '--')",
        // A chain of closures each capturing the previous one: recursive release was unbounded.
        "(function () { var f = 0; for (var i = 0; i < 100000; i++) { f = function () { return f; }; } })()",
    ]

    @Test(arguments: inputs)
    func doesNotCrash(_ text: String) {
        let limits = Limits(maxSteps: 20_000, maxStringLength: 20_000, maxArrayLength: 2_000)
        var symbols = SymbolTable()
        symbols.declare("_event", readOnly: true)
        for n in ["a", "s", "arr", "obj"] { symbols.declare(n) }
        var env = Environment(symbols: symbols, limits: limits)
        env[1] = 5
        env[2] = "hello"
        let options = CompileOptions(hostFunctions: ["In"], limits: limits)
        if let e = try? CompiledExpression.compile(text, symbols: env.symbols, options: options) {
            if let v = try? e.evaluate(in: &env) {
                _ = v.jsString
                _ = v.jsonString()
            }
            _ = try? e.evaluateCondition(in: &env)
        }
        if let l = try? CompiledLocation.compile(text, symbols: env.symbols, options: options) {
            try? l.assign(.string("v"), in: &env)
        }
        var table = env.symbols
        if let s = try? CompiledScript.compile(text, symbols: &table, options: options) {
            env.symbols = table
            try? s.run(in: &env)
        }
        _ = try? Value.parseJSON(text)
    }
}
