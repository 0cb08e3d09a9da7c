import Foundation
import Switchyard
import Testing

@Suite("HTTP API: machines, graphs and rule sets")
struct ServerMachineTests {
    @Test("deploy: new version, identical document, new content")
    func deploy() async throws {
        let s = try await TestServer.start()
        let first = try await s.request(
            .POST, "/v1/machines", raw: TestMachines.ticket, contentType: "application/xml")
        #expect(first.status == 201, "\(first.body)")
        #expect(first["name"] == .string("ticket"))
        #expect(first["version"] == .number(1))
        #expect(first.headers.first(name: "Location") == "/v1/machines/ticket")
        let again = try await s.request(
            .POST, "/v1/machines", raw: TestMachines.ticket, contentType: "application/xml")
        #expect(again.status == 200)
        #expect(again["created"] == .bool(false))
        let changed = TestMachines.ticket.replacingOccurrences(of: "delay=\"1s\"", with: "delay=\"2s\"")
        let second = try await s.request(.POST, "/v1/machines", raw: changed, contentType: "application/xml")
        #expect(second.status == 201)
        #expect(second["version"] == .number(2))
        let renamed = try await s.request(
            .POST, "/v1/machines?name=ticket_copy", raw: TestMachines.ticket, contentType: "application/xml")
        #expect(renamed["name"] == .string("ticket_copy"))
        let one = try await s.request(.GET, "/v1/machines/ticket")
        #expect(one["latestVersion"] == .number(2))
        guard case .array(let versions)? = one["versions"] else {
            Issue.record("no versions")
            return
        }
        #expect(versions.count == 2)
        let list = try await s.request(.GET, "/v1/machines")
        #expect(list.body.contains("\"document_approval\"") && list.body.contains("\"ticket_copy\""))
        #expect(try await s.request(.GET, "/v1/machines/nothing").problem == "unknown-machine")
        try await s.stop()
    }

    @Test("deploy: diagnostics with line and column as a 422 problem")
    func invalidMachine() async throws {
        let s = try await TestServer.start()
        let broken = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" name="broken" initial="a">
              <state id="a">
                <transition event="go" target="nowhere"/>
              </state>
            </scxml>
            """
        let a = try await s.request(.POST, "/v1/machines", raw: broken, contentType: "application/xml")
        #expect(a.status == 422)
        #expect(a.problem == "invalid-machine")
        guard case .array(let errors)? = a["errors"], case .object(let e)? = errors.first else {
            Issue.record("no diagnostics: \(a.body)")
            return
        }
        #expect(e["line"] == .number(3))
        #expect(e["column"]?.number ?? 0 > 0)
        #expect(e["message"]?.string?.contains("nowhere") == true)
        let malformed = try await s.request(
            .POST, "/v1/machines", raw: "<scxml", contentType: "application/xml")
        #expect(malformed.status == 422)
        let empty = try await s.request(.POST, "/v1/machines", raw: "", contentType: "application/xml")
        #expect(empty.status == 400)
        let searchable = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
                   name="s" initial="a" sy:searchable="owner amount">
              <datamodel><data id="amount" expr="0"/></datamodel>
              <state id="a"/>
            </scxml>
            """
        let undeclared = try await s.request(
            .POST, "/v1/machines", raw: searchable, contentType: "application/xml")
        #expect(undeclared.status == 422)
        #expect(
            undeclared.body.contains("sy:searchable names 'owner', which no <data> of this machine declares"))
        #expect(!undeclared.body.contains("'amount'"))
        #expect(undeclared.body.contains(#""file":"machine.scxml","line":2,"#), "positioned at the attribute")
        let badName = try await s.request(
            .POST, "/v1/machines?name=a%20b", raw: TestMachines.ticket, contentType: "application/xml")
        #expect(badName.status == 422)
        try await s.stop()
    }

    @Test("graph: dot, mermaid and svg, unknown format is 400")
    func graph() async throws {
        let s = try await TestServer.start()
        let dot = try await s.request(.GET, "/v1/machines/document_approval/graph?format=dot")
        #expect(dot.status == 200)
        #expect(dot.body.hasPrefix("digraph"))
        #expect(dot.body.contains("in_review"))
        let mermaid = try await s.request(.GET, "/v1/machines/document_approval/graph?format=mermaid")
        #expect(mermaid.body.hasPrefix("stateDiagram-v2"))
        let svg = try await s.request(.GET, "/v1/machines/document_approval/graph?format=svg")
        #expect(svg.status == 200)
        #expect(svg.headers.first(name: "Content-Type")?.hasPrefix("image/svg+xml") == true)
        #expect(svg.body.contains("<svg"))
        #expect(svg.body.contains(#"data-state-id="in_review""#))
        let bad = try await s.request(.GET, "/v1/machines/document_approval/graph?format=png")
        #expect(bad.status == 400)
        #expect(bad["parameter"] == .string("format"))
        #expect(try await s.request(.GET, "/v1/machines/document_approval/graph?version=9").status == 404)
        try await s.stop()
    }

    @Test("rules: decide with and without an explanation")
    func decide() async throws {
        let s = try await TestServer.start()
        let names = try await s.request(.GET, "/v1/rules")
        #expect(names["ruleSets"]?.strings == ["document_routing"])
        let input = #"{"type":"invoice","amount":12000,"keywords":[],"department":"finance"}"#
        let plain = try await s.request(.POST, "/v1/rules/document_routing/decide", json: input)
        #expect(plain.status == 200, "\(plain.body)")
        #expect(plain["ruleSet"] == .string("document_routing"))
        #expect(plain["target"]?.string != nil)
        #expect(plain["explanation"] == nil)
        let explained = try await s.request(
            .POST, "/v1/rules/document_routing/decide?explain=true", json: input)
        #expect(explained["explanation"]?.string?.isEmpty == false)
        #expect(explained["target"] == plain["target"])
        let array = try await s.request(.POST, "/v1/rules/document_routing/decide", json: "[1,2]")
        #expect(array.status == 400)
        #expect(try await s.request(.POST, "/v1/rules/nope/decide", json: "{}").problem == "unknown-rule-set")
        try await s.stop()
    }
}
