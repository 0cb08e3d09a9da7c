import ArgumentParser
import Foundation
import Switchyard

/// `switchyard eval`: evaluates one expression of the Switchyard expression language.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate an expression and print its value as JSON.",
        discussion: """
            The expression uses the Switchyard expression language (a safe subset of \
            ECMAScript). Variables come from --data, a JSON object whose properties become \
            variables. The value is printed as JSON; undefined, NaN and ±Infinity print as \
            themselves. An error is printed as <expr>:LINE:COLUMN: error: MESSAGE, followed by \
            the expression line and a caret, and the exit code is 1.

            Examples:
              switchyard eval "amount > 1000 && tags.includes('urgent')" \\
                  --data '{"amount": 1500, "tags": ["urgent"]}'
              switchyard eval '[1, 2, 3].concat([4]).join("-")'
              switchyard eval --script 'var t = 0; t += 5' --result t
              switchyard eval -- '-1 / 0'    (use -- when the expression starts with -)
            """
    )

    @Argument(help: "The expression (or, with --script, the script) to evaluate.")
    var expression: String

    @Option(name: .long, help: "A JSON object whose properties become variables, e.g. '{\"amount\": 5}'.")
    var data: String?

    @Flag(name: .long, help: "Treat the text as a <script> body (statements) instead of an expression.")
    var script = false

    @Option(
        name: .long, help: "With --script: an expression evaluated after the script whose value is printed.")
    var result: String?

    @Option(name: .long, help: "Maximum evaluation steps (loop iterations, calls).")
    var maxSteps: Int = Limits.default.maxSteps

    func run() throws {
        var symbols = SymbolTable()
        var values: [(String, Value)] = []
        if let data {
            let parsed: Value
            do {
                parsed = try Value.parseJSON(data)
            } catch {
                FileHandle.standardError.write(
                    Data("error: --data is not valid JSON: \(error.message)\n".utf8))
                throw ExitCode(1)
            }
            guard case .object(let o) = parsed else {
                FileHandle.standardError.write(Data("error: --data must be a JSON object\n".utf8))
                throw ExitCode(1)
            }
            for (k, v) in o.properties {
                symbols.declare(k)
                values.append((k, v))
            }
        }
        var limits = Limits.default
        limits.maxSteps = maxSteps
        var env = Environment(symbols: symbols, limits: limits)
        for (k, v) in values { env.declare(k, value: v) }
        var source = expression
        do {
            let value: Value
            if script {
                var table = env.symbols
                let compiled = try CompiledScript.compile(expression, symbols: &table)
                env.symbols = table
                try compiled.run(in: &env)
                if let result {
                    source = result
                    value = try CompiledExpression.compile(result, symbols: env.symbols).evaluate(in: &env)
                } else {
                    value = .undefined
                }
            } else {
                value = try CompiledExpression.compile(expression, symbols: env.symbols).evaluate(in: &env)
            }
            print(value.displayString)
        } catch {
            FileHandle.standardError.write(Data(error.rendered(source: source, name: "<expr>").utf8))
            throw ExitCode(1)
        }
    }
}
