import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// Rule sets in the engine: `<sy:route>` inside engine instances, and triggers whose rule-set
/// decision picks the machine definition a new document starts (with the dead-letter cases).
@Suite struct RuleRoutingEngineTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func documentRules() throws -> RuleSet {
        try RuleSet.load(
            path: repositoryRoot.appendingPathComponent("machines/document_routing.rules.xml").path)
    }

    /// Rules without a default: a memo matches nothing.
    static func strictRules() throws -> RuleSet {
        try RuleSet.load(
            bytes: Array(
                """
                <sy:rules xmlns:sy="urn:switchyard:scxml:1" name="strict">
                  <sy:rule name="legal" priority="2" when="documentType == 'legal'" target="legal_processing"/>
                  <sy:rule name="spec" priority="1" when="documentType == 'spec'" target="archive"/>
                </sy:rules>
                """.utf8), file: "strict.rules.xml")
    }

    /// A pipeline machine that remembers which pipeline it is and waits for `finish`.
    static func pipeline(_ name: String) throws -> MachineDefinition {
        try machine(
            """
            <state id="working">
              <transition event="finish" target="done"/>
            </state>
            <final id="done"/>
            """, initial: "working", data: #"<data id="pipeline" expr="'\#(name)'"/><data id="routing"/>"#)
    }

    static func doc(_ id: String, _ type: String, keywords: [Value] = [], amount: Double = 0) -> Event {
        Event(
            "document.submitted",
            data: object([
                ("documentId", .string(id)), ("documentType", .string(type)), ("keywords", .array(keywords)),
                ("amount", .number(amount)),
            ]))
    }

    func registerPipelines(_ engine: Engine) throws {
        for name in ["legal", "financial", "technical", "general"] {
            try engine.register(try Self.pipeline(name), as: "\(name)_machine")
        }
    }

    static let definitions = [
        "legal_processing": "legal_machine", "financial_processing": "financial_machine",
        "technical_processing": "technical_machine", "general_processing": "general_machine",
    ]

    @Test func routeElementRunsInsideEngineInstances() async throws {
        let (engine, _) = manualEngine()
        let m = try MachineDefinition.load(
            path: Self.repositoryRoot.appendingPathComponent("machines/document_routing.scxml").path)
        try engine.register(m, as: "router")
        try await engine.start("router", id: "d1")
        try await engine.start("router", id: "d2")
        await engine.enqueue(Self.doc("1", "invoice", keywords: ["invoice"], amount: 25000), to: "d1")
        await engine.enqueue(Self.doc("2", "memo", keywords: ["specification"]), to: "d2")
        await engine.quiesce()
        let s1 = try #require(await engine.snapshot("d1"))
        #expect(s1.configuration == ["financial_processing", "financial_approval", "cfo_approval"])
        #expect(s1.value(of: "approver") == "cfo")
        guard case .object(let decision)? = s1.value(of: "decision") else {
            Issue.record("no decision")
            return
        }
        #expect(decision["rule"] == "financial")
        #expect(decision["params"] == ["queue": "finance", "approval": "cfo"])
        let s2 = try #require(await engine.snapshot("d2"))
        #expect(s2.configuration == ["technical_processing", "technical_review"])
        #expect(s2.value(of: "tags") == "specification")
        await engine.enqueue(Event("approve"), to: "d2")
        await engine.quiesce()
        #expect(await engine.snapshot("d2")?.status == .finished(finalState: "completed"))
    }

    @Test func ruleSetPicksTheDefinitionANewDocumentStarts() async throws {
        let (engine, _) = manualEngine()
        try registerPipelines(engine)
        try engine.trigger(
            "document.submitted", rules: try Self.documentRules(), definitions: Self.definitions,
            instanceID: "'doc-' + _event.data.documentId")
        let outcome = await engine.publish(Self.doc("1", "legal"))
        #expect(outcome.startedInstances == ["doc-1"])
        await engine.publish(Self.doc("2", "invoice", keywords: ["invoice"], amount: 1200))
        await engine.publish(Self.doc("3", "memo", keywords: ["specification"]))
        await engine.publish(Self.doc("4", "memo"))
        await engine.quiesce()
        let expected = [
            ("doc-1", "legal_machine", "legal"), ("doc-2", "financial_machine", "financial"),
            ("doc-3", "technical_machine", "technical"), ("doc-4", "general_machine", "general"),
        ]
        for (id, definition, pipeline) in expected {
            let s = try #require(await engine.snapshot(id))
            #expect(s.definition == definition)
            #expect(s.value(of: "pipeline") == .string(pipeline))
        }
        // The event's data and the decision initialise the data model.
        let s2 = try #require(await engine.snapshot("doc-2"))
        #expect(s2.value(of: "amount") == .number(1200))
        guard case .object(let routing)? = s2.value(of: "routing") else {
            Issue.record("no routing decision")
            return
        }
        #expect(routing["target"] == "financial_processing")
        #expect(routing["rule"] == "financial")
        #expect(routing["params"] == ["queue": "finance", "approval": "clerk"])
        #expect(routing["explanation"] == nil)
        #expect(engine.deadLetters.isEmpty)
    }

    @Test func noMatchIsDeadLetteredWithTheReason() async throws {
        let (engine, _) = manualEngine()
        try registerPipelines(engine)
        try engine.register(try Self.pipeline("archive"), as: "archive_machine")
        let handler = try engine.trigger(
            "document.submitted", rules: try Self.strictRules(),
            definitions: ["legal_processing": "legal_machine"], instanceID: "'doc-' + _event.data.documentId",
            explain: true)
        let outcome = await engine.publish(Self.doc("9", "memo"))
        #expect(outcome.startedInstances.isEmpty)
        await engine.publish(Self.doc("10", "spec"))  // target 'archive' is not in the map
        await engine.publish(Self.doc("11", "legal"))
        await engine.quiesce()
        let letters = engine.deadLetters
        #expect(letters.count == 2)
        #expect(
            letters.map(\.reason) == [
                .triggerFailed(
                    handler: handler,
                    message:
                        "no machine definition chosen: rule set 'strict' matched no rule and has no default"),
                .triggerFailed(
                    handler: handler,
                    message:
                        "no machine definition chosen: rule set 'strict' chose target 'archive' (rule spec), which maps to no machine definition"
                ),
            ])
        #expect(letters.first?.event.name == "document.submitted")
        #expect(await engine.snapshot("doc-9") == nil)
        let s11 = try #require(await engine.snapshot("doc-11"))
        #expect(s11.definition == "legal_machine")
        guard case .object(let routing)? = s11.value(of: "routing"),
            case .string(let text)? = routing["explanation"]
        else {
            Issue.record("no explanation")
            return
        }
        #expect(
            text.hasPrefix(
                "decision: matched\nroute: legal_processing (rule legal) {}\n1. legal (priority 2): matched"))
    }

    @Test func ruleErrorsNameTheRuleInTheDeadLetter() async throws {
        let (engine, _) = manualEngine()
        try registerPipelines(engine)
        let rules = try RuleSet.load(
            bytes: Array(
                #"<sy:rules xmlns:sy="urn:switchyard:scxml:1" name="fragile"><sy:rule name="kw" when="keywords.contains('x')" target="legal_processing"/></sy:rules>"#
                    .utf8))
        try engine.trigger(
            "document.submitted", rules: rules, definitions: Self.definitions,
            instanceID: "'doc-' + _event.data.documentId")
        await engine.publish(Event("document.submitted", data: object([("documentId", .string("5"))])))
        await engine.quiesce()
        guard case .triggerFailed(_, let message)? = engine.deadLetters.first?.reason else {
            Issue.record("not dead-lettered")
            return
        }
        #expect(
            message
                == "no machine definition chosen: rule set 'fragile' matched no rule and has no default (errors: kw: cannot read properties of undefined (reading 'contains'))"
        )
    }

    @Test func closureChoosesAndUnknownDefinitionsAreRejectedAtRegistration() async throws {
        let (engine, _) = manualEngine()
        try registerPipelines(engine)
        #expect(throws: EngineError.unknownDefinition("nope_machine")) {
            try engine.trigger(
                "document.submitted", rules: try Self.documentRules(),
                definitions: ["legal_processing": "nope_machine"], instanceID: "'x'")
        }
        try engine.trigger(
            "document.submitted", rules: try Self.documentRules(),
            instanceID: "'doc-' + _event.data.documentId",
            decisionData: nil
        ) { decision in
            decision.outcome == .defaulted ? nil : "legal_machine"
        }
        await engine.publish(Self.doc("1", "invoice", keywords: ["invoice"]))
        await engine.publish(Self.doc("2", "memo"))
        await engine.quiesce()
        let s1 = try #require(await engine.snapshot("doc-1"))
        #expect(s1.definition == "legal_machine")
        #expect(s1.value(of: "routing") == .undefined)
        #expect(await engine.snapshot("doc-2") == nil)
        #expect(
            engine.deadLetters.map(\.reason.description).first?.hasSuffix(
                "no machine definition chosen: rule set 'document_routing' chose target 'general_processing' (default route), which maps to no machine definition"
            ) == true)
    }

    @Test func choosingTriggerRejectsWithItsOwnReason() async throws {
        let (engine, _) = manualEngine()
        try registerPipelines(engine)
        let handler = try engine.trigger("job.*", instanceID: "_event.data.id") { event in
            event.name == "job.legal"
                ? .start(definition: "legal_machine", data: [NamedValue("extra", 1)])
                : .reject(reason: "no machine for \(event.name)")
        }
        await engine.publish(Event("job.legal", data: object([("id", "j1")])))
        await engine.publish(Event("job.other", data: object([("id", "j2")])))
        await engine.quiesce()
        #expect(await engine.snapshot("j1")?.value(of: "extra") == .number(1))
        #expect(
            engine.deadLetters.map(\.reason) == [
                .triggerFailed(
                    handler: handler, message: "no machine definition chosen: no machine for job.other")
            ])
    }
}
