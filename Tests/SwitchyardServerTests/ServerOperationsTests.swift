import Foundation
import NIOHTTP1
import Switchyard
import SwitchyardServer
import Testing

@Suite("HTTP API: dead letters, metrics, the OpenAPI document")
struct ServerOperationsTests {
    @Test("dead letters: listed, replayed (parked again with a new id), discarded")
    func deadLetters() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        try await s.send("t1", "orphan")
        var list = try await s.request(.GET, "/v1/dead-letters")
        guard case .array(let letters)? = list["deadLetters"], case .object(let letter)? = letters.first,
            let id = letter["id"]?.string
        else {
            Issue.record("no dead letter: \(list.body)")
            return
        }
        #expect(letter["event"] == .string("ping"))
        #expect(letter["reason"]?.string?.contains("#_parent") == true)
        let replay = try await s.request(.POST, "/v1/dead-letters/\(id)/replay")
        #expect(replay["replayed"] == .number(1))
        list = try await s.request(.GET, "/v1/dead-letters")
        guard case .array(let after)? = list["deadLetters"], case .object(let again)? = after.first,
            let newID = again["id"]?.string
        else {
            Issue.record("the replayed letter was not parked again: \(list.body)")
            return
        }
        #expect(newID != id)
        #expect(try await s.request(.POST, "/v1/dead-letters/\(id)/replay").status == 404)
        #expect(try await s.request(.DELETE, "/v1/dead-letters/\(newID)")["discarded"] == .number(1))
        #expect(try await s.request(.GET, "/v1/dead-letters")["total"] == .number(0))
        #expect(try await s.request(.DELETE, "/v1/dead-letters/abc").status == 404)
        try await s.stop()
    }

    @Test("metrics: HTTP latency histogram and instances by machine and state")
    func metrics() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        try await s.send("t1", "bump")
        let m = try await s.request(.GET, "/metrics", token: TestServer.readToken)
        #expect(m.status == 200)
        #expect(m.body.contains("switchyard_http_request_duration_seconds_bucket"))
        #expect(m.body.contains(#"route="/v1/instances/{id}/events""#))
        #expect(m.body.contains(#"switchyard_instances{machine="ticket",status="running",state="open"} 1"#))
        #expect(m.body.contains("switchyard_events_processed_total 1"))
        #expect(try await s.request(.GET, "/metrics", token: nil).status == 401)
        try await s.stop()
    }

    /// `(method, path)` of every operation in `openapi.yaml`.
    static func documentedOperations(_ yaml: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("components:") {
                path = nil
            } else if let p = path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let word = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "put", "post", "delete"].contains(String(word)) { out.append((String(word), p)) }
            }
        }
        return out
    }

    @Test(
        "every operation of openapi.yaml is served (no route is missing) and undocumented ones are 404 problems"
    )
    func documentMatchesRoutes() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        let yaml = try await s.request(.GET, "/openapi.yaml", token: nil)
        #expect(yaml.headers.first(name: "Content-Type") == "application/yaml")
        let operations = Self.documentedOperations(yaml.body)
        #expect(operations.count >= 22, "parsed \(operations.count) operations")
        for (method, template) in operations {
            let path = template.replacingOccurrences(of: "{name}", with: "zz").replacingOccurrences(
                of: "{id}", with: "zz")
            let a = try await s.request(
                .init(rawValue: method.uppercased()), path + (path.hasSuffix("/stream") ? "" : ""),
                json: method == "get" || method == "delete" ? nil : "{}", timeout: .seconds(10))
            let routerMiss = a.status == 404 && (a["detail"]?.string?.hasPrefix("no route") ?? false)
            #expect(!routerMiss, "\(method.uppercased()) \(template) is documented but not routed")
            #expect(a.status < 500, "\(method.uppercased()) \(template): \(a.status) \(a.body)")
        }
        let undocumented = try await s.request(.GET, "/v1/nothing")
        #expect(undocumented.status == 404)
        #expect(undocumented.problem == "not-found")
        try await s.stop()
    }

    // Found by scripts/schemathesis.sh: the router answered 404 for a known path with another
    // method.
    @Test("a documented path with an undocumented method is a 405 problem with Allow")
    func methodNotAllowed() async throws {
        let s = try await TestServer.start()
        for (method, path, allow) in [
            (HTTPMethod.TRACE, "/v1/instances", "GET"), (.PATCH, "/v1/instances/x", "GET, PUT"),
            (.DELETE, "/v1/machines/document_approval", "GET"), (.GET, "/v1/instances/x/cancel", "POST"),
        ] {
            let a = try await s.request(method, path)
            #expect(a.status == 405, "\(method) \(path): \(a.status) \(a.body)")
            #expect(a.problem == "method-not-allowed")
            #expect(a.headers.first(name: "Allow") == allow)
            #expect(a.headers.first(name: "Content-Type") == "application/problem+json")
        }
        #expect(try await s.request(.TRACE, "/v1/nothing").status == 404)
        try await s.stop()
    }
}
