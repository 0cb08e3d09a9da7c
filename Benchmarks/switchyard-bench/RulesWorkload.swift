import Foundation
import Switchyard

/// `switchyard-bench rules [--rules 100] [--count 2000000]`
///
/// Generates a rule set of `--rules` rules (loaded through the XML loader like a real file;
/// conditions mix `documentType == 'typeN' && amount >= N`, `keywords.contains('kN')` and
/// `||`), and routes 64 varying inputs whose matching rule is spread uniformly over the set (on
/// average in the middle). Prints `rules-all rate=<all-match decisions/s>`,
/// `rules-explain rate=<explained first-match decisions/s>`, and finally
/// `rules rate=<first-match decisions per second>`. Rates are thread CPU time on one core.
enum RulesWorkload {
    static func run(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        let n = try args.int("rules", default: 100)
        let count = try args.int("count", default: 2_000_000)
        let first = try load(ruleSet(n, mode: "first"))
        let all = try load(ruleSet(n, mode: "all"))
        let inputs = (0..<64).map { i -> Value in
            let j = (i * 37) % n
            return [
                "documentType": .string("type\(j)"), "keywords": .array([.string("k\(j)"), "misc"]),
                "amount": .number(Double(j + 500)),
            ]
        }
        // Sanity: every input matches the rule written for it.
        for (i, input) in inputs.enumerated() {
            let j = (i * 37) % n
            guard first.decide(input).target == "target\(j)" else {
                throw BenchError("input \(i) did not route to target\(j): \(first.decide(input).textLines)")
            }
        }
        let allRate = measure(count / 4, inputs) { all.decide($0).routes.count }
        print("rules-all rate=\(formatRate(allRate)) rules=\(n)")
        let explainRate = measure(count / 20, inputs) { first.explain($0).steps.count }
        print("rules-explain rate=\(formatRate(explainRate))")
        let firstRate = measure(count, inputs) { first.decide($0).routes.count }
        print("rules rate=\(Int(firstRate.rounded()))")
    }

    static func ruleSet(_ n: Int, mode: String) -> String {
        var xml = #"<sy:rules xmlns:sy="urn:switchyard:scxml:1" name="generated" mode="\#(mode)">"# + "\n"
        for i in 0..<n {
            let when: String
            switch i % 3 {
            case 0: when = "documentType == 'type\(i)' &amp;&amp; amount &gt;= \(i)"
            case 1: when = "keywords.contains('k\(i)') &amp;&amp; documentType == 'type\(i)'"
            default: when = "documentType == 'type\(i)' || amount == \(-i - 1)"
            }
            xml += #"  <sy:rule name="r\#(i)" priority="\#(n - i)" when="\#(when)" target="target\#(i)">"#
            xml += #"<sy:param name="queue" value="q\#(i)"/></sy:rule>"# + "\n"
        }
        xml += #"  <sy:default target="fallback"/>"# + "\n</sy:rules>\n"
        return xml
    }

    static func load(_ xml: String) throws -> RuleSet {
        do {
            return try RuleSet.load(bytes: Array(xml.utf8), file: "<generated>")
        } catch {
            throw BenchError(error.description)
        }
    }

    /// Decisions per second of thread CPU time; `body`'s result is folded into a checksum.
    static func measure(_ count: Int, _ inputs: [Value], _ body: (Value) -> Int) -> Double {
        var checksum = 0
        for i in 0..<min(count, 10_000) { checksum &+= body(inputs[i & 63]) }  // warm up
        let start = cpuNow()
        for i in 0..<count { checksum &+= body(inputs[i & 63]) }
        let elapsed = cpuNow() - start
        if checksum == 42 { print("") }
        return Double(count) / elapsed
    }

    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
