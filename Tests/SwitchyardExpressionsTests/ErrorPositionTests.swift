import SwitchyardExpressions
import Testing

/// Errors carry a kind and the 1-based line/column (and scalar offset) inside the text.
struct PositionCase: Sendable, CustomStringConvertible {
    var source: String
    var kind: ExpressionError.Kind
    var line: Int
    var column: Int
    var script = false
    var description: String { source }
}

@Suite struct ErrorPositionTests {
    static let cases: [PositionCase] = [
        .init(source: "1 +", kind: .syntax, line: 1, column: 4),
        .init(source: "(1", kind: .syntax, line: 1, column: 3),
        .init(source: "a b", kind: .syntax, line: 1, column: 3),
        .init(source: "return", kind: .syntax, line: 1, column: 1),
        .init(source: "return 1", kind: .syntax, line: 1, column: 1),
        .init(source: "'abc", kind: .syntax, line: 1, column: 1),
        .init(source: "1 + @", kind: .syntax, line: 1, column: 5),
        .init(source: "x = = 1", kind: .syntax, line: 1, column: 5),
        .init(source: "a ?? b || c", kind: .syntax, line: 1, column: 3),
        .init(source: "-2 ** 2", kind: .syntax, line: 1, column: 4),
        .init(source: "new Foo()", kind: .syntax, line: 1, column: 1),
        .init(source: "this.x", kind: .syntax, line: 1, column: 1),
        .init(source: "x => x", kind: .syntax, line: 1, column: 3),
        .init(source: "1 = 2", kind: .syntax, line: 1, column: 3),
        .init(source: "0x", kind: .syntax, line: 1, column: 1),
        .init(source: "'\\8'", kind: .syntax, line: 1, column: 2),
        .init(source: "[1, 2\n, 3", kind: .syntax, line: 2, column: 4),
        .init(source: "é + 1", kind: .syntax, line: 1, column: 1),
        .init(source: "'é' + @", kind: .syntax, line: 1, column: 7),
        .init(source: "missing", kind: .reference, line: 1, column: 1),
        .init(source: "1 + missing", kind: .reference, line: 1, column: 5),
        .init(source: "1 +\n  missing", kind: .reference, line: 2, column: 3),
        .init(source: "'日本' + missing", kind: .reference, line: 1, column: 8),
        .init(source: "eval('1')", kind: .reference, line: 1, column: 1),
        .init(source: "Math.foo(1)", kind: .reference, line: 1, column: 1),
        .init(source: "u.x", kind: .type, line: 1, column: 3),
        .init(source: "obj.y.q.r", kind: .type, line: 1, column: 9),
        .init(source: "n[0]", kind: .type, line: 1, column: 2),
        .init(source: "s.nope()", kind: .type, line: 1, column: 7),
        .init(source: "a()", kind: .type, line: 1, column: 2),
        .init(source: "_event = 1", kind: .type, line: 1, column: 1),
        .init(source: "_event.name = 'x'", kind: .type, line: 1, column: 8),
        .init(source: "u.x = 1", kind: .type, line: 1, column: 3),
        .init(source: "s.x = 1", kind: .type, line: 1, column: 3),
        .init(source: "undeclared = 1", kind: .reference, line: 1, column: 1),
        .init(source: "1 in 5", kind: .type, line: 1, column: 3),
        .init(source: "s instanceof a", kind: .type, line: 1, column: 3),
        .init(source: "(123).toString(1)", kind: .range, line: 1, column: 15),
        .init(source: "(1).toFixed(101)", kind: .range, line: 1, column: 12),
        .init(source: "'ab'.repeat(-1)", kind: .range, line: 1, column: 12),
        .init(source: "JSON.parse('{')", kind: .syntax, line: 1, column: 11),
        .init(source: "'x'.repeat(2000000)", kind: .limit, line: 1, column: 11),
        .init(source: "var i = 0\nwhile (true) {\n  i++\n}", kind: .limit, line: 2, column: 1, script: true),
        .init(
            source: "function f(n) { return f(n + 1) }\nf(0)", kind: .limit, line: 1, column: 25, script: true
        ),
        .init(source: "var s = 'ab'\nfor (;;) s = s + s", kind: .limit, line: 2, column: 16, script: true),
        .init(
            source: "var a = []\nfor (var i = 0; i < 200000; i++) a.push(i)", kind: .limit, line: 2,
            column: 40, script: true),
        .init(
            source: "var x = []\nfor (var i = 0; i < 200; i++) x = [x]", kind: .limit, line: 2, column: 35,
            script: true),
        .init(source: "break", kind: .syntax, line: 1, column: 1, script: true),
        .init(source: "var = 1", kind: .syntax, line: 1, column: 5, script: true),
        .init(source: "const k = 1; k = 2", kind: .type, line: 1, column: 14, script: true),
        .init(source: "if (a) {", kind: .syntax, line: 1, column: 9, script: true),
        .init(source: "switch (a) {}", kind: .syntax, line: 1, column: 1, script: true),
        .init(source: "a = 1 b = 2", kind: .syntax, line: 1, column: 7, script: true),
        .init(source: "try { } catch (e) { }", kind: .syntax, line: 1, column: 1, script: true),
    ]

    @Test(arguments: cases)
    func positioned(_ c: PositionCase) {
        var env = Fixture.environment()
        env.declare("_event", readOnly: true, value: ["name": "e"])
        do {
            if c.script {
                var symbols = env.symbols
                let s = try CompiledScript.compile(c.source, symbols: &symbols)
                env.symbols = symbols
                try s.run(in: &env)
            } else {
                _ = try CompiledExpression.compile(c.source, symbols: env.symbols).evaluate(in: &env)
            }
            Issue.record("no error for \(c.source)")
        } catch {
            #expect(error.kind == c.kind, "\(c.source): \(error)")
            #expect(error.line == c.line && error.column == c.column, "\(c.source): \(error)")
        }
    }

    @Test func offsetCountsUnicodeScalars() throws {
        do {
            _ = try CompiledExpression.compile("'日本' + missing", symbols: SymbolTable()).evaluate(
                in: &Fixture.scratch)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 7)
            #expect(error.column == 8)
        }
    }

    @Test func deepNestingIsALimitNotACrash() {
        for source in [
            String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000),
            String(repeating: "[", count: 100_000),
            String(repeating: "-", count: 100_000) + "1",
            String(repeating: "!", count: 100_000) + "1",
            Array(repeating: "1", count: 100_000).joined(separator: "+"),
            String(repeating: "a.", count: 100_000) + "b",
            String(repeating: "a ? ", count: 50_000) + "1" + String(repeating: " : 2", count: 50_000),
            String(repeating: "x = ", count: 100_000) + "1",
            String(repeating: "f(", count: 100_000),
            String(repeating: "{a:", count: 100_000),
        ] {
            #expect(throws: ExpressionError.self) {
                _ = try CompiledExpression.compile(source, symbols: SymbolTable())
            }
            do {
                _ = try CompiledExpression.compile(source, symbols: SymbolTable())
            } catch {
                #expect(error.kind == .limit || error.kind == .syntax)
            }
        }
        var symbols = SymbolTable()
        let deepScript = String(repeating: "if (1) {", count: 50_000)
        #expect(throws: ExpressionError.self) {
            _ = try CompiledScript.compile(deepScript, symbols: &symbols)
        }
    }

    @Test func renderedErrorHasCaret() throws {
        do {
            _ = try CompiledExpression.compile("amount >", symbols: SymbolTable())
        } catch {
            #expect(
                error.rendered(source: "amount >")
                    == "<expr>:1:9: error: unexpected end of input\namount >\n        ^\n")
        }
    }
}

extension Fixture {
    nonisolated(unsafe) static var scratch = Environment(symbols: SymbolTable())
}
