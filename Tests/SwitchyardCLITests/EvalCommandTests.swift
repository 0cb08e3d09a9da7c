import Testing

/// `switchyard eval`: exact output and exit status.
@Suite struct EvalCommandTests {
    @Test func printsJSONValue() throws {
        let r = try CLI.run(["eval", "amount * 2 + 1", "--data", #"{"amount": 5}"#])
        #expect(r.stdout == "11\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
    }

    @Test func printsObjectsAsJSON() throws {
        let r = try CLI.run(["eval", "({a: [1, 'x', null], b: {c: true}})"])
        #expect(r.stdout == #"{"a":[1,"x",null],"b":{"c":true}}"# + "\n")
        #expect(r.status == 0)
    }

    @Test func printsUndefinedAndNaN() throws {
        let u = try CLI.run(["eval", "obj.missing", "--data", #"{"obj": {}}"#])
        #expect(u.stdout == "undefined\n")
        #expect(u.status == 0)
        let n = try CLI.run(["eval", "0 / 0"])
        #expect(n.stdout == "NaN\n")
        let i = try CLI.run(["eval", "--", "-1 / 0"])
        #expect(i.stdout == "-Infinity\n")
    }

    @Test func routingRule() throws {
        let r = try CLI.run([
            "eval", "amount > 1000 && department == 'legal' || tags.contains('urgent')", "--data",
            #"{"amount": 5, "department": "sales", "tags": ["urgent"]}"#,
        ])
        #expect(r.stdout == "true\n")
        #expect(r.status == 0)
    }

    @Test func syntaxErrorHasPositionAndCaret() throws {
        let r = try CLI.run(["eval", "amount > * 2", "--data", #"{"amount": 5}"#])
        #expect(r.stdout == "")
        #expect(r.stderr == "<expr>:1:10: error: unexpected '*'\namount > * 2\n         ^\n")
        #expect(r.status == 1)
    }

    @Test func referenceErrorHasPosition() throws {
        let r = try CLI.run(["eval", "1 + missing"])
        #expect(r.stderr == "<expr>:1:5: error: 'missing' is not defined\n1 + missing\n    ^\n")
        #expect(r.status == 1)
    }

    @Test func typeError() throws {
        let r = try CLI.run(["eval", "x.y.z", "--data", #"{"x": {}}"#])
        #expect(
            r.stderr == "<expr>:1:5: error: cannot read properties of undefined (reading 'z')\nx.y.z\n    ^\n"
        )
        #expect(r.status == 1)
    }

    @Test func stepLimit() throws {
        let r = try CLI.run(["eval", "--script", "while (true) {}", "--max-steps", "1000"])
        #expect(
            r.stderr
                == "<expr>:1:1: error: step limit of 1000 exceeded (an endless loop or runaway recursion?)\nwhile (true) {}\n^\n"
        )
        #expect(r.status == 1)
    }

    @Test func scriptWithResult() throws {
        let r = try CLI.run([
            "eval", "--script", "var t = 0; for (var i = 0; i < 5; i++) t += i", "--result", "t",
        ])
        #expect(r.stdout == "10\n")
        #expect(r.status == 0)
    }

    @Test func badData() throws {
        let r = try CLI.run(["eval", "1", "--data", "[1]"])
        #expect(r.stderr == "error: --data must be a JSON object\n")
        #expect(r.status == 1)
    }

    @Test func helpHasExample() throws {
        let r = try CLI.run(["eval", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("switchyard eval \"amount > 1000"))
        #expect(r.stdout.contains("--data"))
    }
}
