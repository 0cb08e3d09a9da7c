import Foundation
import Switchyard

/// `switchyard-bench expr 'EXPRESSION' --inputs FILE.jsonl [--count N] [--compile-count N]`
///
/// Evaluates one expression over inputs (one JSON object of variables per line, cycled) and
/// prints, in order: `expr-compile rate=<compiles/s>`, `expr-cond rate=<evaluateCondition/s>`,
/// `expr allocs/eval=<mallocs per evaluation>` (when scripts/malloc-count is preloaded, see
/// scripts/bench-expr.sh) and finally `expr rate=<evaluations per second>` (`evaluate`). Rates are
/// measured in thread CPU time (one core), so other processes on the machine do not skew them.
enum ExprWorkload {
    struct Usage: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ args: [String]) throws {
        var expression: String?
        var inputsPath: String?
        var count = 10_000_000
        var compileCount = 200_000
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--inputs":
                i += 1
                inputsPath = i < args.count ? args[i] : nil
            case "--count":
                i += 1
                count = i < args.count ? Int(args[i]) ?? count : count
            case "--compile-count":
                i += 1
                compileCount = i < args.count ? Int(args[i]) ?? compileCount : compileCount
            default:
                expression = args[i]
            }
            i += 1
        }
        guard let expression else {
            throw Usage(
                description: "usage: switchyard-bench expr 'EXPRESSION' --inputs FILE.jsonl [--count N]")
        }
        var rows: [[(String, Value)]] = []
        if let inputsPath {
            let text = try String(contentsOfFile: inputsPath, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard case .object(let o) = try Value.parseJSON(String(line)) else {
                    throw Usage(description: "each input line must be a JSON object")
                }
                rows.append(o.properties.map { ($0.key, $0.value) })
            }
        }
        if rows.isEmpty { rows = [[]] }
        var symbols = SymbolTable()
        for row in rows { for (k, _) in row { symbols.declare(k) } }
        var envs: [Environment] = rows.map { row in
            var env = Environment(symbols: symbols)
            for (k, v) in row { env.declare(k, value: v) }
            return env
        }
        let n = envs.count

        // Compile throughput.
        let c0 = cpuNow()
        for _ in 0..<compileCount {
            _ = try CompiledExpression.compile(expression, symbols: symbols)
        }
        let compileSeconds = cpuNow() - c0
        print("expr-compile rate=\(Int(Double(compileCount) / compileSeconds))")

        let compiled = try CompiledExpression.compile(expression, symbols: symbols)

        // Conditions (guards).
        var trues = 0
        let t0 = cpuNow()
        var k = 0
        for _ in 0..<count {
            if try compiled.evaluateCondition(in: &envs[k]) { trues &+= 1 }
            k += 1
            if k == n { k = 0 }
        }
        let condSeconds = cpuNow() - t0
        print("expr-cond rate=\(Int(Double(count) / condSeconds)) true=\(trues)")

        // Allocations per evaluation.
        if let counter = mallocCounter() {
            let probe = min(count, 100_000)
            var sink = 0
            let a0 = counter()
            k = 0
            for _ in 0..<probe {
                if case .bool(true) = try compiled.evaluate(in: &envs[k]) { sink &+= 1 }
                k += 1
                if k == n { k = 0 }
            }
            let a1 = counter()
            print("expr allocs/eval=\(Double(a1 - a0) / Double(probe)) (sink \(sink))")
        } else {
            print("expr allocs/eval=n/a (run through scripts/bench-expr.sh to count mallocs)")
        }

        // Values.
        var sink = 0
        let v0 = cpuNow()
        let w0 = ContinuousClock.now
        k = 0
        for _ in 0..<count {
            switch try compiled.evaluate(in: &envs[k]) {
            case .bool(let b): if b { sink &+= 1 }
            case .number(let d): sink &+= Int(d.isFinite ? 1 : 0)
            default: sink &+= 2
            }
            k += 1
            if k == n { k = 0 }
        }
        let evalSeconds = cpuNow() - v0
        let wallSeconds = seconds(ContinuousClock.now - w0)
        print("result sink=\(sink) value=\(try compiled.evaluate(in: &envs[0]).displayString)")
        print(
            "expr wall-clock rate=\(Int(Double(count) / wallSeconds)) (includes time descheduled by other processes)"
        )
        print("expr rate=\(Int(Double(count) / evalSeconds))")
    }

    /// CPU time of this thread in seconds: rates are per core even when other processes compete
    /// for the machine.
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    typealias Counter = @convention(c) () -> UInt64

    static func mallocCounter() -> Counter? {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "switchyard_malloc_count") else {
            return nil
        }
        return unsafeBitCast(sym, to: Counter.self)
    }
}
