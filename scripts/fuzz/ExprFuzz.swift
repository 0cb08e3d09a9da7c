// libFuzzer target for the expression language: the input is compiled as an expression, a
// location and a script, and each is run under small limits; JSON parsing and serialisation are
// exercised too. Built by scripts/fuzz.sh together with the module sources (one module), so it
// may use internal API. Any crash, hang, sanitizer report or leak is a finding.

let fuzzLimits = Limits(
    maxSteps: 20_000, maxStringLength: 20_000, maxArrayLength: 2_000, maxDepth: 100, maxCallDepth: 32)

final class FuzzHost: ExpressionHost {
    func callHostFunction(_ name: String, arguments: [Value]) throws(ExpressionError) -> Value {
        if case .string(let s)? = arguments.first { return .bool(s == "s1") }
        throw ExpressionError(kind: .type, message: "In() needs a string", line: 0, column: 0, offset: 0)
    }
}

func fuzzEnvironment() -> Environment {
    var symbols = SymbolTable()
    symbols.declare("_event", readOnly: true)
    for n in ["a", "s", "arr", "obj"] { symbols.declare(n) }
    var env = Environment(symbols: symbols, limits: fuzzLimits)
    env[0] = ["name": "go", "data": ["x": 1]]
    env[1] = 5
    env[2] = "hello"
    env[3] = [1, "two", [3]]
    env[4] = ["k": "v", "n": ["m": [1, 2]]]
    return env
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let options = CompileOptions(hostFunctions: ["In"], limits: fuzzLimits)
    let host = FuzzHost()
    var env = fuzzEnvironment()
    if let e = try? CompiledExpression.compile(text, symbols: env.symbols, options: options) {
        if let v = try? e.evaluate(in: &env, host: host) {
            _ = v.jsString
            _ = v.jsonString()
            _ = v.displayString
            _ = v.hashValue
        }
        _ = try? e.evaluateCondition(in: &env, host: host)
    }
    if let l = try? CompiledLocation.compile(text, symbols: env.symbols, options: options) {
        try? l.assign(.string("v"), in: &env, host: host)
    }
    var symbols = env.symbols
    if let s = try? CompiledScript.compile(text, symbols: &symbols, options: options) {
        env.symbols = symbols
        try? s.run(in: &env, host: host)
    }
    if let v = try? Value.parseJSON(text) {
        _ = v.jsonString()
    }
    return 0
}
