import Foundation
import Testing

/// `switchyard validate` and `switchyard run` on `machines/document_routing.scxml` (which routes
/// with `<sy:route src="document_routing.rules.xml">`).
@Suite struct RoutingMachineCLITests {
    static let machine = "machines/document_routing.scxml"

    @Test func validatesCleanly() throws {
        let r = try CLI.run(["validate", "--strict", Self.machine], cwd: CLI.repositoryRoot)
        #expect(r.stdout == "machines/document_routing.scxml: OK\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
    }

    @Test func runsAnInvoiceThroughTheFinancialPipeline() throws {
        let input = """
            document.submitted {"documentType":"invoice","keywords":["invoice"],"amount":25000}
            approve
            pay

            """
        let r = try CLI.run(["run", Self.machine], stdin: input, cwd: CLI.repositoryRoot)
        #expect(
            r.stdout == """
                (start) -> waiting
                document.submitted -> financial_processing, financial_approval, cfo_approval
                log route: financial_processing (financial)
                approve -> financial_processing, payment
                pay -> finished in completed

                """)
        #expect(r.stderr == "")
        #expect(r.status == 0)
    }

    @Test func jsonTraceShowsTheStoredDecision() throws {
        let input = #"document.submitted {"documentType":"memo","keywords":["notes"],"amount":3}"# + "\n"
        let r = try CLI.run(["run", Self.machine, "--trace", "json"], stdin: input, cwd: CLI.repositoryRoot)
        // The start, the event's macrostep, then the line it logged.
        var lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.last == #"{"log":{"label":"route","message":"general_processing (default)"}}"#)
        lines.removeLast()
        #expect(
            lines.last?.hasPrefix(
                #"{"event":"document.submitted","configuration":["general_processing","filing"]"#) == true)
        #expect(
            lines.last?.contains(
                #""decision":{"ruleSet":"document_routing","outcome":"defaulted","target":"general_processing","rule":null,"params":{"queue":"general"}"#
            ) == true)
        #expect(lines.last?.contains(#"no rule matched: default route"#) == true)
    }

    @Test func missingRuleSetIsAPositionedLoadError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cli-route-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("m.scxml").path
        try """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript">
          <sy:rules name="document_routing"><sy:default target="x"/></sy:rules>
          <state id="s">
            <onentry><sy:route rules="document_routin"/></onentry>
          </state>
        </scxml>
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", file], cwd: CLI.repositoryRoot)
        #expect(
            r.stdout == """
                \(file):5:31: error: no rule set named 'document_routin' (known: document_routing)
                    <onentry><sy:route rules="document_routin"/></onentry>
                                              ^
                \(file): FAILED, 1 error

                """)
        #expect(r.status == 1)
    }
}
