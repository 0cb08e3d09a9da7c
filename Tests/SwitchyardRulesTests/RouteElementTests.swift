import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// `<sy:route>`: routing inside a machine through the synchronous API (`InstanceRunner`), and the
/// load-time errors.
@Suite struct RouteElementTests {
    static let rules = """
        <sy:rules name="docs" mode="first">
          <sy:rule name="legal" priority="10" when="documentType == 'legal'" target="legal">
            <sy:param name="queue" value="legal"/>
          </sy:rule>
          <sy:rule name="big" priority="5" when="amount > 1000" target="finance">
            <sy:param name="level" expr="amount > 5000 ? 'cfo' : 'clerk'"/>
          </sy:rule>
        </sy:rules>
        """

    static func document(_ body: String, rules: String = RouteElementTests.rules, data: String = "") -> String
    {
        """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript" initial="idle">
          \(rules)
          <datamodel><data id="decision" expr="null"/><data id="seen" expr="[]"/>\(data)</datamodel>
          <state id="idle">
            <transition event="go" target="routing"/>
          </state>
          \(body)
          <state id="failed"/>
        </scxml>
        """
    }

    /// Routing state raising `route.*` with the default input `_event.data`.
    static let routing = """
        <state id="routing">
          <onentry><sy:route rules="docs"/></onentry>
          <transition event="route.legal" target="legal"><assign location="decision" expr="_event.data"/></transition>
          <transition event="route.finance" target="finance"><assign location="decision" expr="_event.data"/></transition>
          <transition event="route.none" target="nowhere"><assign location="decision" expr="_event.data"/></transition>
          <transition event="error.*" target="failed"/>
        </state>
        <state id="legal"/><state id="finance"/><state id="nowhere"/>
        """

    func load(_ xml: String, file: String = "route.scxml", ruleSets: [RuleSet] = []) throws
        -> MachineDefinition
    {
        try MachineDefinition.load(bytes: Array(xml.utf8), file: file, strict: true, ruleSets: ruleSets)
    }

    func drive(_ m: MachineDefinition, _ data: Value) -> InstanceRunner {
        let driver = InstanceRunner(definition: m, sessionID: "s")
        driver.start()
        driver.enqueue(Event("go", data: data))
        driver.runUntilIdle()
        return driver
    }

    func errors(_ xml: String, file: String = "route.scxml", ruleSets: [RuleSet] = []) -> [String] {
        do throws(DiagnosticList) {
            _ = try MachineDefinition.load(
                bytes: Array(xml.utf8), file: file, strict: true, ruleSets: ruleSets)
            return []
        } catch {
            return error.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        }
    }

    @Test func raisesRouteEventWithTheDecision() throws {
        let m = try load(Self.document(Self.routing))
        let d = drive(m, ["documentType": "invoice", "amount": 7000])
        #expect(d.top.configurationIDs == ["finance"])
        guard case .object(let o)? = d.top.value(of: "decision") else {
            Issue.record("no decision")
            return
        }
        #expect(o["outcome"] == "matched")
        #expect(o["target"] == "finance")
        #expect(o["rule"] == "big")
        #expect(o["params"] == ["level": "cfo"])
        #expect(o["targets"] == ["finance"])
        #expect(o["rules"] == ["big"])
        #expect(o["routes"] == [["rule": "big", "target": "finance", "params": ["level": "cfo"]]])
        #expect(o["errors"] == [])
        #expect(
            o["explanation"]
                == .string(
                    """
                    decision: matched
                    route: finance (rule big) {"level":"cfo"}
                    1. legal (priority 10): not matched: `documentType == 'legal'` was false
                    2. big (priority 5): matched -> finance: `amount > 1000` was true
                    """))
    }

    @Test func noMatchWithoutDefaultRaisesRouteNone() throws {
        let m = try load(Self.document(Self.routing))
        let d = drive(m, ["documentType": "memo", "amount": 3])
        #expect(d.top.configurationIDs == ["nowhere"])
        guard case .object(let o)? = d.top.value(of: "decision") else {
            Issue.record("no decision")
            return
        }
        #expect(o["outcome"] == "noMatch")
        #expect(o["target"] == .null)
        #expect(o["rule"] == .null)
        #expect(o["params"] == [:])
        #expect(o["targets"] == [])
    }

    @Test func storesOnlyWhenLocationGivenWithoutRaise() throws {
        let body = """
            <state id="routing">
              <onentry>
                <sy:route rules="docs" input="{documentType: _event.data.kind, amount: 0}" location="decision" explain="false"/>
                <assign location="seen" expr="seen.concat([decision.target])"/>
              </onentry>
              <transition event="route.*" target="failed"/>
              <transition event="error.*" target="failed"/>
            </state>
            """
        let m = try load(Self.document(body))
        let d = drive(m, ["kind": "legal"])
        #expect(d.top.configurationIDs == ["routing"])
        #expect(d.top.value(of: "seen") == ["legal"])
        guard case .object(let o)? = d.top.value(of: "decision") else {
            Issue.record("no decision")
            return
        }
        #expect(o["explanation"] == nil)
        #expect(o["params"] == ["queue": "legal"])
    }

    @Test func storesAndRaisesWithACustomPrefix() throws {
        let body = """
            <state id="routing">
              <onentry><sy:route rules="docs" location="decision" raise="doc.routed"/></onentry>
              <transition event="doc.routed.legal" cond="decision.target == 'legal'" target="legal"/>
            </state>
            <state id="legal"/>
            """
        let d = drive(try load(Self.document(body)), ["documentType": "legal"])
        #expect(d.top.configurationIDs == ["legal"])
    }

    @Test func modeAllRaisesOneEventPerRouteInPriorityOrder() throws {
        let rules = Self.rules.replacingOccurrences(of: #"mode="first""#, with: #"mode="all""#)
        let body = """
            <state id="routing">
              <onentry><sy:route rules="docs"/></onentry>
              <transition event="route.*">
                <assign location="seen" expr="seen.concat([_event.name + ':' + _event.data.target + ':' + _event.data.rule])"/>
              </transition>
            </state>
            """
        let d = drive(try load(Self.document(body, rules: rules)), ["documentType": "legal", "amount": 2000])
        #expect(d.top.value(of: "seen") == ["route.legal:legal:legal", "route.finance:finance:big"])
    }

    @Test func ruleConditionErrorsAreExplainedAndDoNotStopTheMacrostep() throws {
        let rules = """
            <sy:rules name="docs">
              <sy:rule name="broken" priority="9" when="meta.flags.contains('x')" target="legal"/>
              <sy:rule name="big" when="amount > 1000" target="finance"/>
            </sy:rules>
            """
        let body = """
            <state id="routing">
              <onentry>
                <sy:route rules="docs" location="decision"/>
                <assign location="seen" expr="['after']"/>
              </onentry>
              <transition event="route.finance" target="finance"/>
              <transition event="error.*" target="failed"/>
            </state>
            <state id="finance"/>
            """
        let d = drive(try load(Self.document(body, rules: rules)), ["amount": 2000])
        #expect(d.top.configurationIDs == ["routing"])  // location only: nothing raised
        #expect(d.top.value(of: "seen") == ["after"])
        guard case .object(let o)? = d.top.value(of: "decision"), case .string(let text)? = o["explanation"]
        else {
            Issue.record("no explanation")
            return
        }
        #expect(o["target"] == "finance")
        #expect(
            o["errors"] == [
                [
                    "rule": "broken",
                    "message":
                        "route.scxml:4:50: type error: cannot read properties of undefined (reading 'flags')",
                ]
            ])
        #expect(
            text.contains(
                "1. broken (priority 9): error: route.scxml:4:50: type error: cannot read properties of undefined (reading 'flags')"
            ))
        #expect(text.contains("2. big (priority 0): matched -> finance"))
    }

    @Test func failingInputRaisesErrorExecutionAndStopsTheBlock() throws {
        let body = """
            <state id="routing">
              <onentry>
                <sy:route rules="docs" input="missing.field"/>
                <assign location="seen" expr="['not reached']"/>
              </onentry>
              <transition event="error.execution" target="failed"/>
            </state>
            """
        let m = try MachineDefinition.load(bytes: Array(Self.document(body).utf8), file: "route.scxml")
        let d = drive(m, [:])
        #expect(d.top.configurationIDs == ["failed"])
        #expect(d.top.value(of: "seen") == [])
    }

    @Test func registeredRuleSetsComeFirst() throws {
        let replacement = try RuleSet.load(
            bytes: Array(
                #"<sy:rules xmlns:sy="urn:switchyard:scxml:1" name="docs"><sy:default target="legal"/></sy:rules>"#
                    .utf8))
        let m = try load(Self.document(Self.routing), ruleSets: [replacement])
        #expect(drive(m, ["amount": 9000]).top.configurationIDs == ["legal"])
        // A rule set known only from Swift.
        let other = Self.routing.replacingOccurrences(of: #"rules="docs""#, with: #"rules="swift_only""#)
        let swiftOnly = try RuleSet.load(
            bytes: Array(
                #"<sy:rules xmlns:sy="urn:switchyard:scxml:1" name="swift_only"><sy:default target="finance"/></sy:rules>"#
                    .utf8))
        let m2 = try load(Self.document(other, rules: ""), ruleSets: [swiftOnly])
        #expect(drive(m2, [:]).top.configurationIDs == ["finance"])
    }

    @Test func srcIsRelativeToTheDocument() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sy-route-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ruleFile =
            #"<sy:rules xmlns:sy="urn:switchyard:scxml:1" name="file_rules">"# + "\n"
            + #"  <sy:rule name="big" when="amount > 1000" target="finance"/>"# + "\n</sy:rules>\n"
        try ruleFile.write(
            to: dir.appendingPathComponent("rules/r.rules.xml"), atomically: true, encoding: .utf8)
        let body = Self.routing.replacingOccurrences(of: #"rules="docs""#, with: #"src="rules/r.rules.xml""#)
        let path = dir.appendingPathComponent("m.scxml")
        try Self.document(body, rules: "").write(to: path, atomically: true, encoding: .utf8)
        let m = try MachineDefinition.load(path: path.path, strict: true)
        #expect(drive(m, ["amount": 5000]).top.configurationIDs == ["finance"])
        #expect(drive(m, ["amount": 5]).top.configurationIDs == ["nowhere"])
    }

    @Test func loadErrorsArePositioned() {
        let xml = Self.document(
            """
            <state id="routing">
              <onentry>
                <sy:route rules="nope"/>
                <sy:route rules="docs" src="x.rules.xml"/>
                <sy:route/>
                <sy:route rules="docs" raise="a..b" explain="maybe" where="x"/>
                <sy:route rules="docs" input="1 +"/>
              </onentry>
            </state>
            """)
        #expect(
            errors(xml) == [
                "17:22: no rule set named 'nope' (known: docs)",
                "18:22: <sy:route> takes 'rules' or 'src', not both",
                "19:5: <sy:route> needs 'rules' (a rule-set name) or 'src' (a rule-set file)",
                "20:64: <sy:route> has no attribute 'where' (expected rules, src, input, location, raise, explain)",
                "20:50: 'explain' of <sy:route> must be 'true' or 'false', not 'maybe'",
                "20:35: 'raise' of <sy:route> must be an event name prefix such as 'route', not 'a..b'",
                "21:38: syntax error in expression: unexpected end of input",
            ])
    }

    @Test func missingSourceFileAndInvalidInlineRules() {
        let missing = Self.document(
            Self.routing.replacingOccurrences(of: #"rules="docs""#, with: #"src="absent.rules.xml""#),
            rules: "")
        #expect(
            errors(missing, file: "/nonexistent/dir/m.scxml").first
                == "9:27: cannot load rule set 'absent.rules.xml' (/nonexistent/dir/absent.rules.xml)")
        let invalid = Self.document(
            Self.routing,
            rules: """
                <sy:rules name="docs">
                  <sy:rule name="a" target="x"/>
                  <sy:rule name="b" when="y == 1" target="z"/>
                </sy:rules>
                """)
        #expect(
            errors(invalid) == [
                "5:3: rule 'b' can never fire: the unconditional rule 'a' (priority 0, line 4) always matches first"
            ])
    }

    @Test func coreCompileWithoutResolverRejectsRoute() throws {
        let loaded = try SCXMLLoader().load(
            bytes: Array(Self.document(Self.routing).utf8), file: "route.scxml")
        #expect(throws: DiagnosticList.self) { try MachineDefinition.compile(loaded.document) }
        do throws(DiagnosticList) {
            _ = try MachineDefinition.compile(loaded.document)
        } catch {
            #expect(
                error.errors.first?.message.hasPrefix(
                    "<sy:route> needs rule sets: load the machine with MachineDefinition.load") == true)
        }
    }
}
