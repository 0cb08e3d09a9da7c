import Switchyard
import Testing

/// Rule sets built in Swift and declared inline in SCXML.
@Suite struct RuleSetAPITests {
    @Test func builtInCodeAllModeAndNoMatch() throws {
        let set = try RuleSet(
            RuleSetDeclaration(
                name: "tags", mode: .all,
                rules: [
                    RuleDeclaration(name: "low", priority: 1, when: "amount > 10", target: "b"),
                    RuleDeclaration(
                        name: "high", priority: 9, when: "amount > 100 && urgent", target: "a",
                        parameters: [.expression("double", "amount * 2"), .value("fixed", "x")]),
                ]))
        let d = set.decide(["amount": 500, "urgent": true])
        #expect(d.targets == ["a", "b"])
        #expect(d.routes[0].parameters["double"] == 1000)
        let none = set.decide(["amount": 1])
        #expect(none.outcome == .noMatch)
        #expect(none.routes.isEmpty)
        let why = set.explain(["amount": 500, "urgent": false])
        #expect(why.steps[0].outcome == .notMatched(because: ["`urgent` was false"]))
    }

    @Test func codeBuiltErrorsArePositionedInsideTheExpression() {
        #expect(throws: DiagnosticList.self) {
            try RuleSet(
                RuleSetDeclaration(name: "x", rules: [RuleDeclaration(name: "a", when: "a >", target: "t")]))
        }
    }

    @Test func inlineInSCXML() throws {
        let xml = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0" initial="s">
              <sy:rules name="inline" mode="first">
                <sy:rule name="big" priority="2" when="amount &gt; 10 &amp;&amp; kind == 'a'" target="s"/>
                <sy:default target="t"/>
              </sy:rules>
              <state id="s"/><state id="t"/>
            </scxml>
            """
        let loaded = try SCXMLLoader().load(bytes: Array(xml.utf8), file: "inline.scxml")
        let sets = try RuleSet.inline(in: loaded.document, options: RuleSetOptions(knownTargets: ["s", "t"]))
        #expect(sets.count == 1)
        #expect(sets[0].decide(["amount": 11, "kind": "a"]).target == "s")
        let text = sets[0].explain(["amount": 11, "kind": "b"]).text
        #expect(text.contains("`kind == 'a'` was false"))
    }

    @Test func outlineSplitsLogicalOperands() throws {
        let o = try ExpressionOutline.parse("a > 1 && (b || c.contains('x')) && d")
        guard case .all(let parts) = o.root else {
            Issue.record("not an all node")
            return
        }
        #expect(parts.count == 3)
        #expect(o.freeVariables == ["a", "b", "c", "d"])
        #expect(o.calls.map(\.name) == ["contains"])
    }
}
