import SwitchyardExpressions
import Testing

/// `ConditionList` answers simple conditions without their closures; it must agree with
/// `evaluateCondition` on every value kind, including the ones the fast path hands back.
@Suite struct ConditionListTests {
    static let names = ["s", "n", "a"]
    static let conditions = [
        "s == 'x'", "s != 'x'", "s === 'é'", "'x' == s", "s == '1'", "n >= 2", "2 < n", "n == 1",
        "n !== 1", "a.contains('x')", "a.includes('é')", "s.contains('x')", "a.contains('x') && n > 0",
        "s == 'x' || a.contains('y')", "(s == 'x' || n < 0) && a.contains('x')",
    ]
    static let values: [Value] = [
        "x", "y", "é", "e\u{301}", "1", 1, 2, .number(.nan), true, .null, .undefined, ["x", "y"], ["é"],
        ["e\u{301}", 1], .array(Array(repeating: "z", count: 70) + ["x"]), ["k": "x"],
    ]

    @Test func agreesWithEvaluateCondition() throws {
        var symbols = SymbolTable()
        for n in Self.names { symbols.declare(n) }
        let compiled = try Self.conditions.map { try CompiledExpression.compile($0, symbols: symbols) }
        let list = ConditionList(compiled)
        for v in Self.values {
            for slot in 0..<3 {
                var env = Environment(symbols: symbols)
                env[slot] = v
                env[(slot + 1) % 3] = Self.values[(slot * 5) % Self.values.count]
                for (i, c) in compiled.enumerated() {
                    var e1 = env
                    let expected: Bool?
                    do { expected = try c.evaluateCondition(in: &e1) } catch { expected = nil }
                    var e2 = env
                    var failed = false
                    let first = list.firstTrue(from: i, in: &e2) { j, _ in if j == i { failed = true } }
                    if expected == nil {
                        #expect(failed, "\(Self.conditions[i]) with slot \(slot) = \(v)")
                    } else {
                        #expect(!failed && (first == i) == expected!, "\(Self.conditions[i]) with \(v)")
                    }
                }
            }
        }
    }

    @Test func seesVariablesChangedByAnEarlierCondition() throws {
        var symbols = SymbolTable()
        symbols.declare("s")
        let list = ConditionList(
            try ["s == 'b'", "(s = 'b') == 'z'", "s == 'b'"].map {
                try CompiledExpression.compile($0, symbols: symbols)
            })
        var env = Environment(symbols: symbols)
        env[0] = "a"
        #expect(list.firstTrue(from: 0, in: &env) { _, _ in } == 2)
    }
}
