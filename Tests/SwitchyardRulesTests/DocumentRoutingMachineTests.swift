import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// Routes every sample document through `machines/document_routing.scxml` (which routes with
/// `<sy:route src="document_routing.rules.xml">`): checks the pipeline state entered, the
/// decision stored in `decision` (target, rule, parameters, explanation text against the golden
/// explanations of the rule-set tests), the pipeline's data, and runs each pipeline to its
/// final state.
@Suite struct DocumentRoutingMachineTests {
    typealias Sample = DocumentRoutingSampleTests.Sample

    static let machinePath = TestPaths.repositoryRoot.appendingPathComponent(
        "machines/document_routing.scxml"
    ).path

    static let machine: MachineDefinition? = try? MachineDefinition.load(path: machinePath, strict: true)

    /// `## name` sections of the golden explanation file.
    static let explanations: [String: String] = {
        let url = TestPaths.samples.appendingPathComponent("document_routing.samples.explain")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for section in text.components(separatedBy: "## ").dropFirst() {
            guard let newline = section.firstIndex(of: "\n") else { continue }
            let name = String(section[..<newline])
            var body = String(section[section.index(after: newline)...])
            while body.hasSuffix("\n") { body.removeLast() }
            result[name] = body
        }
        return result
    }()

    /// The events that finish each pipeline, and the state the document waits in first.
    static func pipeline(_ target: String, approval: String?) -> (state: String, events: [String]) {
        switch target {
        case "legal_processing": ("legal_review", ["approve", "approve"])
        case "financial_processing":
            (approval == "cfo" ? "cfo_approval" : "clerk_approval", ["approve", "pay"])
        case "technical_processing": ("technical_review", ["approve"])
        default: ("filing", ["file"])
        }
    }

    func run(_ sample: Sample) throws -> InstanceRunner {
        let driver = InstanceRunner(definition: try #require(Self.machine), sessionID: sample.name)
        driver.start()
        driver.enqueue(Event("document.submitted", data: sample.input))
        driver.runUntilIdle()
        return driver
    }

    @Test func loadsCleanly() throws {
        let m = try #require(Self.machine)
        #expect(m.warnings.isEmpty)
        #expect(Self.explanations.count == DocumentRoutingSampleTests.samples.count)
        #expect(DocumentRoutingSampleTests.samples.count >= 30)
    }

    @Test(arguments: DocumentRoutingSampleTests.samples)
    func routesSample(_ sample: Sample) throws {
        let driver = try run(sample)
        let top = driver.top
        guard case .object(let decision)? = top.value(of: "decision") else {
            Issue.record("no decision stored")
            return
        }
        // The stored decision.
        #expect(decision["target"] == .string(sample.target))
        #expect(decision["rule"] == (sample.rule.map { .string($0) } ?? .null))
        #expect(decision["params"] == sample.parameters)
        #expect(decision["outcome"] == .string(sample.rule == nil ? "defaulted" : "matched"))
        #expect(decision["ruleSet"] == .string("document_routing"))
        #expect(decision["rules"] == .array(sample.rule.map { [.string($0)] } ?? []))
        guard case .array(let errors)? = decision["errors"] else {
            Issue.record("no errors array")
            return
        }
        #expect(
            errors.compactMap { e -> String? in
                if case .object(let o) = e, case .string(let r)? = o["rule"] { return r }
                return nil
            } == sample.errorRules)
        // The explanation, with the rule file's path made repository-relative like the golden file.
        guard case .string(let explanation)? = decision["explanation"] else {
            Issue.record("no explanation")
            return
        }
        let relative = explanation.replacingOccurrences(of: TestPaths.repositoryRoot.path + "/", with: "")
        #expect(relative == Self.explanations[sample.name])
        // The pipeline state and its data.
        var approval: String?
        if case .object(let p) = sample.parameters, case .string(let a)? = p["approval"] { approval = a }
        let (state, events) = Self.pipeline(sample.target, approval: approval)
        #expect(top.isActive(sample.target))
        #expect(top.isActive(state))
        #expect(top.configurationIDs.count == (state.hasSuffix("_approval") ? 3 : 2))
        if case .object(let p) = sample.parameters {
            #expect(top.value(of: "queue") == p["queue"])
        }
        // Run the pipeline to the end.
        for name in events {
            driver.enqueue(Event(name))
            driver.runUntilIdle()
        }
        #expect(driver.isFinished)
        #expect(driver.top.finalStateID == "completed")
        #expect(driver.top.value(of: "outcome") == .string("completed"))
    }

    @Test func legalNeedsAsManyApprovalsAsReviewers() throws {
        let sample = try #require(
            DocumentRoutingSampleTests.samples.first { $0.target == "legal_processing" })
        let driver = try run(sample)
        #expect(driver.top.value(of: "reviewers") == .number(2))
        driver.enqueue(Event("approve"))
        driver.runUntilIdle()
        #expect(driver.top.configurationIDs == ["legal_processing", "legal_review"])
        #expect(driver.top.value(of: "approvals") == .number(1))
        driver.enqueue(Event("approve"))
        driver.runUntilIdle()
        #expect(driver.top.finalStateID == "completed")
        #expect(driver.top.value(of: "approvals") == .number(2))
    }

    @Test func rejectEndsInRejected() throws {
        let sample = try #require(DocumentRoutingSampleTests.samples.first { $0.name == "invoice-large" })
        let driver = try run(sample)
        #expect(
            driver.top.configurationIDs == ["financial_processing", "financial_approval", "cfo_approval"])
        driver.enqueue(Event("reject"))
        driver.runUntilIdle()
        #expect(driver.top.finalStateID == "rejected")
    }

    @Test func technicalPipelineKeepsTheTags() throws {
        let input: Value = ["documentType": "spec", "keywords": ["specification", "api"], "amount": 0]
        let driver = InstanceRunner(definition: try #require(Self.machine), sessionID: "t")
        driver.start()
        driver.enqueue(Event("document.submitted", data: input))
        driver.runUntilIdle()
        #expect(driver.top.configurationIDs == ["technical_processing", "technical_review"])
        #expect(driver.top.value(of: "tags") == .string("specification,api"))
        #expect(driver.top.value(of: "pipeline") == .string("technical"))
    }
}
