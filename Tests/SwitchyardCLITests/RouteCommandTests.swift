import Testing

/// `switchyard route`: exact output and exit status.
@Suite struct RouteCommandTests {
    static let rules = "machines/document_routing.rules.xml"

    @Test func routesInvoice() throws {
        let r = try CLI.run(
            [
                "route", Self.rules, "--input",
                #"{"documentType":"invoice","keywords":["invoice"],"amount":1200}"#,
            ],
            cwd: CLI.repositoryRoot)
        #expect(
            r.stdout
                == "decision: matched\nroute: financial_processing (rule financial) {\"queue\":\"finance\",\"approval\":\"clerk\"}\n"
        )
        #expect(r.stderr == "")
        #expect(r.status == 0)
    }

    @Test func explains() throws {
        let r = try CLI.run(
            [
                "route", Self.rules, "--input", #"{"documentType":"memo","keywords":[],"amount":5}"#,
                "--explain",
            ],
            cwd: CLI.repositoryRoot)
        #expect(
            r.stdout == """
                decision: defaulted
                route: general_processing (default) {"queue":"general"}
                1. legal (priority 10): not matched: `documentType == 'legal'` was false, `keywords.contains('contract')` was false
                2. financial (priority 5): not matched: `documentType == 'invoice'` was false, `amount > 10000` was false
                3. technical (priority 3): not matched: `keywords.contains('specification')` was false, `documentType == 'manual'` was false
                no rule matched: default route

                """)
        #expect(r.status == 0)
    }

    @Test func invalidRuleSetExitsOne() throws {
        let r = try CLI.run(
            ["route", "Tests/SwitchyardRulesTests/Golden/shadowed.rules.xml", "--input", "{}"],
            cwd: CLI.repositoryRoot)
        #expect(r.stdout == "")
        #expect(
            r.stderr.hasPrefix(
                "Tests/SwitchyardRulesTests/Golden/shadowed.rules.xml:4:3: error: rule 'financial' can never fire"
            ))
        #expect(r.status == 1)
    }

    /// Input that is not JSON is a usage error (exit 64, like `run --data`): no decision.
    @Test(arguments: [
        ("{nope", "Error: --input is not valid JSON: 1:2: syntax error: JSON: expected property name"),
        ("abc", "Error: --input is not valid JSON: 1:1: syntax error: JSON: unexpected token"),
        ("", "Error: --input is not valid JSON: 1:1: syntax error: JSON: unexpected end of input"),
    ])
    func inputThatIsNotJSONIsAUsageError(input: String, message: String) throws {
        let r = try CLI.run(["route", Self.rules, "--input", input], cwd: CLI.repositoryRoot)
        #expect(r.stdout == "")
        #expect(r.stderr.split(separator: "\n").first.map(String.init) == message)
        #expect(r.status == 64)
    }

    /// JSON that is not an object routes nothing: a usage error naming what the input was,
    /// instead of an `error:` line and the default route with exit 0.
    @Test(arguments: [
        ("[1,2]", "an array"), (#""abc""#, "a string"), ("42", "a number"), ("true", "a boolean"),
        ("null", "null"),
    ])
    func inputThatIsNotAnObjectIsAUsageError(input: String, what: String) throws {
        let r = try CLI.run(["route", Self.rules, "--input", input], cwd: CLI.repositoryRoot)
        #expect(r.stdout == "")
        #expect(
            r.stderr.split(separator: "\n").first.map(String.init)
                == "Error: --input must be a JSON object, not \(what)")
        #expect(r.stderr.contains("Usage: switchyard route"))
        #expect(r.status == 64)
    }

    @Test func helpHasExample() throws {
        let r = try CLI.run(["route", "--help"])
        #expect(r.stdout.contains("switchyard route machines/document_routing.rules.xml"))
        #expect(r.status == 0)
    }
}
