import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// `machines/document_routing.scxml`: the samples, the pipelines' rejections and a document no
/// rule takes together enter every state and take every transition of the shipped file.
@Suite struct DocumentRoutingCoverageTests {
    /// Every `<transition>` as `source -[events]-> targets`, the form microstep traces use.
    static func allTransitions(_ definition: MachineDefinition) -> (
        states: Set<String>, transitions: Set<String>
    ) {
        var states: Set<String> = []
        var transitions: Set<String> = []
        func walk(_ node: StateNode) {
            if case .history = node.kind { return }
            if let id = node.id {
                states.insert(id)
                for t in node.transitions {
                    transitions.insert(
                        "\(id) -[\(t.events.joined(separator: " "))]-> "
                            + (t.targets.isEmpty ? "(targetless)" : t.targets.joined(separator: " ")))
                }
            }
            for child in node.children { walk(child) }
        }
        for s in definition.document.states { walk(s) }
        return (states, transitions)
    }

    /// Runs `events` after submitting `input`; returns the microsteps and the final state.
    static func walk(_ definition: MachineDefinition, _ input: Value, _ events: [String]) -> (
        [MicrostepTrace], String?
    ) {
        var traces: [MicrostepTrace] = []
        let driver = InstanceRunner(definition: definition, options: InterpreterOptions(tracing: true))
        driver.onMacrostep = { _, result, _ in traces += result.trace }
        driver.start()
        for event in [Event("document.submitted", data: input)] + events.map({ Event($0) }) {
            driver.enqueue(event)
            driver.runUntilIdle()
        }
        return (traces, driver.top.finalStateID)
    }

    @Test func everyStateAndTransitionIsCovered() throws {
        let shipped = try #require(DocumentRoutingMachineTests.machine)
        var traces: [MicrostepTrace] = []
        for sample in DocumentRoutingSampleTests.samples {
            let approver: String? = {
                if case .object(let o) = sample.parameters, case .string(let s)? = o["approval"] { return s }
                return nil
            }()
            var events = DocumentRoutingMachineTests.pipeline(sample.target, approval: approver).events
            if sample.target == "legal_processing", case .object(let o) = sample.parameters,
                case .number(let n)? = o["reviewers"]
            {
                events = Array(repeating: "approve", count: Int(n))
            }
            let (t, final) = Self.walk(shipped, sample.input, events)
            #expect(final == "completed", "\(sample.name)")
            traces += t
        }
        let rejections: [(Value, String)] = [
            (["documentType": "legal", "keywords": [], "amount": 0], "legal"),
            (["documentType": "invoice", "keywords": [], "amount": 100], "financial"),
            (["documentType": "spec", "keywords": ["specification"], "amount": 0], "technical"),
        ]
        for (input, name) in rejections {
            let (t, final) = Self.walk(shipped, input, ["reject"])
            #expect(final == "rejected", "\(name)")
            traces += t
        }
        // The shipped rule set has a default, so `route.none` needs the same machine with a rule
        // set without one.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-routing-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let machines = TestPaths.repositoryRoot.appendingPathComponent("machines")
        let rules = try String(
            contentsOf: machines.appendingPathComponent("document_routing.rules.xml"), encoding: .utf8)
        let start = try #require(rules.range(of: "<sy:default"))
        let end = try #require(rules.range(of: "</sy:default>"))
        try (rules[..<start.lowerBound] + rules[end.upperBound...]).write(
            to: dir.appendingPathComponent("document_routing.rules.xml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: machines.appendingPathComponent("document_routing.scxml"),
            to: dir.appendingPathComponent("document_routing.scxml"))
        let noDefault = try MachineDefinition.load(
            path: dir.appendingPathComponent("document_routing.scxml").path)
        let (t, final) = Self.walk(noDefault, ["documentType": "memo", "keywords": [], "amount": 0], [])
        #expect(final == "unrouted")
        traces += t

        let expected = Self.allTransitions(shipped)
        var entered: Set<String> = []
        var taken: Set<String> = []
        for trace in traces {
            entered.formUnion(trace.entered)
            taken.formUnion(trace.transitions)
        }
        #expect(expected.states.subtracting(entered).sorted() == [], "states never entered")
        #expect(expected.transitions.subtracting(taken).sorted() == [], "transitions never taken")
    }
}
