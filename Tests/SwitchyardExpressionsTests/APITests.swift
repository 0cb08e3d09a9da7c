import Foundation
import SwitchyardExpressions
import Testing

final class InHost: ExpressionHost {
    var active: Set<String>
    var calls = 0
    init(_ active: Set<String>) { self.active = active }
    func callHostFunction(_ name: String, arguments: [Value]) throws(ExpressionError) -> Value {
        calls += 1
        guard name == "In", case .string(let id)? = arguments.first else {
            throw ExpressionError(
                kind: .type, message: "In() takes a state id", line: 0, column: 0, offset: 0)
        }
        return .bool(active.contains(id))
    }
}

@Suite struct APITests {
    func env(_ vars: [(String, Value)] = [], readOnly: [(String, Value)] = []) -> Environment {
        var symbols = SymbolTable()
        for (n, _) in readOnly { symbols.declare(n, readOnly: true) }
        for (n, _) in vars { symbols.declare(n) }
        var env = Environment(symbols: symbols)
        for (n, v) in readOnly + vars { env.declare(n, value: v) }
        return env
    }

    @Test func valueIsCompact() {
        #expect(MemoryLayout<Value>.size <= 17)
    }

    @Test func symbolTable() {
        var t = SymbolTable()
        #expect(t.declare("a") == 0)
        #expect(t.declare("_event", readOnly: true) == 1)
        #expect(t.declare("a") == 0)
        #expect(t.slot(of: "_event") == 1)
        #expect(t.slot(of: "zz") == nil)
        #expect(t.isReadOnly(1) && !t.isReadOnly(0))
        #expect(t.count == 2 && t.names == ["a", "_event"])
    }

    @Test func environmentIsASnapshot() throws {
        var e = env([("x", 1)])
        let snapshot = e
        try CompiledLocation.compile("x", symbols: e.symbols).assign(2, in: &e)
        #expect(e.value(named: "x") == 2)
        #expect(snapshot.value(named: "x") == 1)
        #expect(e.value(named: "nope") == nil)
        let slot = e.declare("item", value: "v")
        #expect(e[slot] == "v")
    }

    @Test func namesDeclaredAfterCompileResolveAtRunTime() throws {
        var e = env()
        let c = try CompiledExpression.compile("later + 1", symbols: e.symbols)
        #expect(throws: ExpressionError.self) { try c.evaluate(in: &e) }
        e.declare("later", value: 41)
        #expect(try c.evaluate(in: &e) == 42)
        let t = try CompiledExpression.compile("typeof nothing", symbols: e.symbols)
        #expect(try t.evaluate(in: &e) == "undefined")
    }

    @Test func hostFunctionIn() throws {
        var e = env()
        let host = InHost(["s1"])
        let opts = CompileOptions(hostFunctions: ["In"])
        let c = try CompiledExpression.compile("In('s1') && !In('s2')", symbols: e.symbols, options: opts)
        #expect(try c.evaluateCondition(in: &e, host: host))
        #expect(host.calls == 2)
        do {
            _ = try CompiledExpression.compile("1 + In(3)", symbols: e.symbols, options: opts).evaluate(
                in: &e, host: host)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .type && error.column == 7)
        }
        // Without a host the call is a reference error, not a crash.
        #expect(throws: ExpressionError.self) { try c.evaluate(in: &e) }
        // Not declared as a host function: an unknown name.
        #expect(throws: ExpressionError.self) {
            try CompiledExpression.compile("In('s1')", symbols: e.symbols).evaluate(in: &e, host: host)
        }
    }

    @Test func readOnlySystemVariables() throws {
        var e = env(
            [("x", 1)], readOnly: [("_event", ["name": "go", "data": ["k": 1]]), ("_sessionid", "abc")])
        #expect(try CompiledExpression.compile("_event.data.k + 1", symbols: e.symbols).evaluate(in: &e) == 2)
        for target in ["_event", "_event.name", "_event.data.k", "_sessionid"] {
            let loc = try CompiledLocation.compile(target, symbols: e.symbols)
            do {
                try loc.assign(1, in: &e)
                Issue.record("\(target) must be read-only")
            } catch {
                #expect(error.kind == .type)
            }
        }
        var s = e.symbols
        let script = try CompiledScript.compile("_sessionid = 'x'", symbols: &s)
        #expect(throws: ExpressionError.self) { try script.run(in: &e) }
        #expect(e.value(named: "_sessionid") == "abc")
    }

    @Test func locations() throws {
        var e = env([("a", ["b": [1, 2]]), ("n", .null)])
        try CompiledLocation.compile("a.b[1]", symbols: e.symbols).assign("x", in: &e)
        try CompiledLocation.compile("a['c']", symbols: e.symbols).assign(true, in: &e)
        #expect(e.value(named: "a") == ["b": [1, "x"], "c": true])
        #expect(try CompiledLocation.compile("a.b[0]", symbols: e.symbols).value(in: &e) == 1)
        for (target, kind) in [
            ("n.x", ExpressionError.Kind.type), ("undeclared", .reference), ("a.missing.x", .type),
            ("1 + a", .syntax),
            ("f()", .syntax),
        ] {
            do {
                try CompiledLocation.compile(target, symbols: e.symbols).assign(1, in: &e)
                Issue.record("\(target) should fail")
            } catch {
                #expect(error.kind == kind, "\(target): \(error)")
            }
        }
    }

    @Test func scriptsDeclareGlobals() throws {
        var symbols = SymbolTable()
        symbols.declare("x")
        let script = try CompiledScript.compile(
            """
            var y = x * 2;
            function double(v) { return v * 2 }
            let z = double(y);
            """, symbols: &symbols)
        #expect(symbols.names == ["x", "y", "z", "double"])
        var e = Environment(symbols: symbols)
        e[0] = 5
        try script.run(in: &e)
        #expect(e.value(named: "z") == 20)
        let call = try CompiledExpression.compile("double(z) + 1", symbols: symbols)
        #expect(try call.evaluate(in: &e) == 41)
    }

    @Test func w3cTest453FunctionInVariable() throws {
        var symbols = SymbolTable()
        symbols.declare("var1")
        var e = Environment(symbols: symbols)
        let data = try CompiledExpression.compile("function(invar) {return invar + 1;}", symbols: symbols)
        e[0] = try data.evaluate(in: &e)
        #expect(try CompiledExpression.compile("var1(2) == 3", symbols: symbols).evaluateCondition(in: &e))
    }

    @Test func stepBudgetIsConfigurable() throws {
        var symbols = SymbolTable()
        let loop = try CompiledScript.compile("var i = 0; while (i < 5000) i++", symbols: &symbols)
        var e = Environment(symbols: symbols, limits: Limits(maxSteps: 100))
        do {
            try loop.run(in: &e)
            Issue.record("expected the step limit")
        } catch {
            #expect(error.kind == .limit)
        }
        e.limits = Limits(maxSteps: 10_000)
        try loop.run(in: &e)
        #expect(e.value(named: "i") == 5000)
    }

    @Test func valueSemantics() throws {
        var symbols = SymbolTable()
        let s = try CompiledScript.compile(
            "var a = [1]; var b = a; b.push(2); var o = {k: 1}; var p = o; p.k = 2", symbols: &symbols)
        var e = Environment(symbols: symbols)
        try s.run(in: &e)
        #expect(e.value(named: "a") == [1])
        #expect(e.value(named: "b") == [1, 2])
        #expect(e.value(named: "o") == ["k": 1])
        #expect(e.value(named: "p") == ["k": 2])
    }

    @Test func closuresCaptureByValue() throws {
        var symbols = SymbolTable()
        let s = try CompiledScript.compile(
            """
            function make(n) { var k = n * 10; return function (x) { return x + k + n; }; }
            var add = make(2);
            var r = add(1);
            """, symbols: &symbols)
        var e = Environment(symbols: symbols)
        try s.run(in: &e)
        #expect(e.value(named: "r") == 23)
    }

    @Test func publicValueHelpers() throws {
        #expect(Value.number(1e21).jsString == "1e+21")
        #expect(Value.number(-0.0).jsString == "0")
        #expect(Value.array([1, .null, "x"]).jsString == "1,,x")
        #expect(Value.object(JSObject()).jsString == "[object Object]")
        #expect(Value.undefined.jsonString() == nil)
        #expect(Value.number(.nan).jsonString() == "null")
        #expect(Value.string("a\"b").jsonString() == #""a\"b""#)
        #expect(!Value.string("").truthy && Value.string("0").truthy && !Value.number(.nan).truthy)
        #expect(Value.null.typeName == "object" && Value.array([]).typeName == "object")
        #expect(
            try Value.parseJSON(#"{"b": 1, "a": [true, null, "x"]}"#) == ["b": 1, "a": [true, .null, "x"]])
        do {
            _ = try Value.parseJSON("{\n  \"a\": tru }")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.kind == .syntax && error.line == 2 && error.column == 8)
        }
        #expect(Value.undefined.displayString == "undefined")
        #expect(Value.number(.nan).displayString == "NaN")
    }

    @Test func codableRoundTripsExactly() throws {
        var symbols = SymbolTable()
        symbols.declare("f")
        let fn = try CompiledExpression.compile("function add(a, b) { return a + b }", symbols: symbols)
        var e = Environment(symbols: symbols)
        let f = try fn.evaluate(in: &e)
        let original: Value = [
            .undefined, .null, true, 1.5, .number(-0.0), .number(.nan), .number(.infinity),
            .number(-.infinity),
            "s", ["z": 1, "a": [.undefined], "1": "one"], f,
        ]
        let data = try JSONEncoder().encode(original)
        let back = try JSONDecoder().decode(Value.self, from: data)
        guard case .array(let a) = back, case .array(let o) = original else {
            Issue.record("not an array")
            return
        }
        #expect(a.count == o.count)
        for (x, y) in zip(a, o) {
            switch (x, y) {
            case (.number(let p), .number(let q)):
                #expect(p.bitPattern == q.bitPattern || (p.isNaN && q.isNaN))
            case (.function(let p), .function(let q)):
                #expect(p.source == q.source)
            default:
                #expect(x == y)
            }
        }
        guard case .object(let obj) = a[9] else { return }
        #expect(obj.propertyNames == ["z", "a", "1"])
        guard case .function(let g) = a[10] else { return }
        e[0] = .function(g)
        #expect(try CompiledExpression.compile("f(2, 3)", symbols: symbols).evaluate(in: &e) == 5)
    }

    /// Maximum call depth with deeply nested bodies must not overflow the stack of a test
    /// (cooperative pool) thread, even in debug builds.
    @Test func deepRecursionWithinLimitsDoesNotOverflowTheStack() throws {
        var inner = "f(n - 1)"
        for _ in 0..<30 { inner = "(1 + " + inner + ")" }
        var symbols = SymbolTable()
        let s = try CompiledScript.compile(
            "function f(n) { return n <= 0 ? 0 : \(inner) }", symbols: &symbols)
        var e = Environment(symbols: symbols)
        try s.run(in: &e)
        #expect(try CompiledExpression.compile("f(63)", symbols: symbols).evaluate(in: &e) == 1890)
        #expect(throws: ExpressionError.self) {
            try CompiledExpression.compile("f(64)", symbols: symbols).evaluate(in: &e)
        }
    }

    /// An error inside a <script> function called from a guard is positioned at the call in
    /// the guard (so the host can place it), and the message says where in the function.
    @Test func errorsInForeignFunctionsPointAtTheCall() throws {
        var symbols = SymbolTable()
        let s = try CompiledScript.compile("function g(o) {\n  return o.x.y\n}", symbols: &symbols)
        var e = Environment(symbols: symbols)
        try s.run(in: &e)
        do {
            _ = try CompiledExpression.compile("1 + g({})", symbols: symbols).evaluate(in: &e)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .type && error.line == 1 && error.column == 6)
            #expect(error.message.hasSuffix("(in function g at 2:14 of its source)"))
        }
    }

    @Test func environmentCodableRoundTrip() throws {
        var e = env([("x", 1), ("o", ["k": [1, .undefined]])], readOnly: [("_event", ["name": "e"])])
        e.limits.maxSteps = 77
        let back = try JSONDecoder().decode(Environment.self, from: JSONEncoder().encode(e))
        #expect(back == e)
        #expect(back.symbols.isReadOnly(0))
        #expect(back.limits.maxSteps == 77)
    }

    @Test func constantFoldingGivesSameResults() throws {
        var e = env()
        for src in [
            "1 + 2 * 3", "'a' + 1", "!0 ? 'x' : 'y'", "(1 < 2) && 'z'", "~5 >>> 1", "undefined ?? NaN",
        ] {
            let folded = try CompiledExpression.compile(src, symbols: e.symbols).evaluate(in: &e)
            let plain = try CompiledExpression.compile(
                src, symbols: e.symbols, options: CompileOptions(constantFolding: false)
            ).evaluate(in: &e)
            #expect(show(folded) == show(plain), "\(src)")
        }
    }

    @Test func w3cTest224StartsWith() throws {
        var e = env([("Var1", "hello"), ("Var2", "he")])
        let c = try CompiledExpression.compile(
            """
            (function(str, starts){ if (starts === '') return true; if (str == null || starts == null) return false; \
            str = String(str); starts = String(starts); return str.length >= starts.length && \
            str.slice(0, starts.length) === starts;})(Var1, Var2)
            """, symbols: e.symbols)
        #expect(try c.evaluateCondition(in: &e))
    }

    @Test func sendableAcrossTasks() async throws {
        let symbols = { () -> SymbolTable in
            var t = SymbolTable()
            t.declare("x")
            return t
        }()
        let c = try CompiledExpression.compile("x * 2", symbols: symbols)
        let results = await withTaskGroup(of: Value.self) { group in
            for i in 0..<8 {
                group.addTask {
                    var e = Environment(symbols: symbols)
                    e[0] = .number(Double(i))
                    return (try? c.evaluate(in: &e)) ?? .undefined
                }
            }
            var out: [Value] = []
            for await v in group { out.append(v) }
            return out
        }
        #expect(results.count == 8)
    }
}
