import Foundation
import Switchyard
import Testing

@Suite("HTTP API: instances")
struct ServerInstanceTests {
    @Test("PUT starts (201), again is 200 under useExisting, 409 under fail")
    func startPolicies() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        let a = try await s.startInstance("t1", machine: "ticket", data: #"{"assignee":"rita"}"#)
        #expect(a["status"] == .string("running"))
        #expect(a["configuration"]?.strings == ["open"])
        #expect(a["data.assignee"] == .string("rita"))
        #expect(a.headers.first(name: "ETag") == "\"1\"")
        let again = try await s.request(.PUT, "/v1/instances/t1", json: #"{"machine":"ticket"}"#)
        #expect(again.status == 200)
        let fail = try await s.request(
            .PUT, "/v1/instances/t1", json: #"{"machine":"ticket","conflictPolicy":"fail"}"#)
        #expect(fail.status == 409)
        #expect(fail.problem == "instance-exists")
        let unknown = try await s.request(.PUT, "/v1/instances/t2", json: #"{"machine":"nope"}"#)
        #expect(unknown.status == 404)
        #expect(unknown.problem == "unknown-machine")
        let badPolicy = try await s.request(
            .PUT, "/v1/instances/t2", json: #"{"machine":"ticket","conflictPolicy":"x"}"#)
        #expect(badPolicy.status == 400)
        let badData = try await s.request(.PUT, "/v1/instances/t2", json: #"{"machine":"ticket","data":[1]}"#)
        #expect(badData.status == 400)
        #expect(badData["detail"]?.string?.contains("'data'") == true)
        let typo = try await s.request(.PUT, "/v1/instances/t2", json: #"{"machine":"ticket","dta":{}}"#)
        #expect(typo.status == 400)
        #expect(typo["detail"]?.string?.contains("'dta'") == true)
        let missing = try await s.request(.PUT, "/v1/instances/t2", json: #"{}"#)
        #expect(missing.status == 400)
        let xml = try await s.request(.PUT, "/v1/instances/t2", raw: "<x/>", contentType: "application/xml")
        #expect(xml.status == 415)
        let generated = try await s.request(
            .POST, "/v1/machines/ticket/instances", json: #"{"data":{"count":5}}"#)
        #expect(generated.status == 201)
        let location = generated.headers.first(name: "Location") ?? ""
        #expect(location.hasPrefix("/v1/instances/ticket-"))
        #expect(try await s.request(.GET, location)["data.count"] == .number(5))
        try await s.stop()
    }

    @Test("GET: ETag, If-None-Match 304, long poll wakes on the next change")
    func getAndLongPoll() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        let got = try await s.request(.GET, "/v1/instances/t1")
        let etag = got.headers.first(name: "ETag") ?? ""
        #expect(etag == "\"1\"")
        let same = try await s.request(.GET, "/v1/instances/t1", headers: [("If-None-Match", etag)])
        #expect(same.status == 304)
        let start = ContinuousClock.now
        async let polled = s.request(.GET, "/v1/instances/t1?afterSeq=1&timeout=20s")
        try await Task.sleep(for: .milliseconds(300))
        try await s.send("t1", "bump")
        let answer = try await polled
        #expect(ContinuousClock.now - start < .seconds(10), "woken by the change, not the timeout")
        #expect(answer["seq"] == .number(2))
        #expect(answer["data.count"] == .number(1))
        let timedOut = try await s.request(.GET, "/v1/instances/t1?afterSeq=2&timeout=200ms")
        #expect(timedOut.status == 200)
        #expect(timedOut["seq"] == .number(2))
        #expect(try await s.request(.GET, "/v1/instances/t1?timeout=forever&afterSeq=1").status == 400)
        #expect(try await s.request(.GET, "/v1/instances/none").problem == "unknown-instance")
        try await s.stop()
    }

    @Test("journal pages and cancel")
    func journalAndCancel() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        for _ in 0..<5 { try await s.send("t1", "bump") }
        let page1 = try await s.request(.GET, "/v1/instances/t1/journal?limit=4")
        guard case .array(let entries)? = page1["entries"] else {
            Issue.record("no entries")
            return
        }
        #expect(entries.count == 4)
        #expect(page1["nextAfterSeq"] == .number(4))
        let page2 = try await s.request(.GET, "/v1/instances/t1/journal?afterSeq=4&limit=4")
        guard case .array(let rest)? = page2["entries"] else {
            Issue.record("no entries")
            return
        }
        #expect(rest.count == 2)
        #expect(page2["nextAfterSeq"] == .null)
        let cancelled = try await s.request(.POST, "/v1/instances/t1/cancel")
        #expect(cancelled.status == 200)
        #expect(try await s.request(.GET, "/v1/instances/t1")["status"] == .string("stopped"))
        let late = try await s.send("t1", "bump")
        #expect(late.status == 409)
        #expect(late.problem == "instance-finished")
        #expect(try await s.request(.POST, "/v1/instances/t1/cancel").status == 409)
        #expect(try await s.request(.POST, "/v1/instances/none/cancel").status == 404)
        #expect(try await s.request(.GET, "/v1/instances/none/journal").status == 404)
        #expect(try await s.request(.GET, "/v1/instances/t1/journal?limit=5000").status == 400)
        try await s.stop()
    }

    @Test("list: filters, data-field search, keyset pagination")
    func list() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        for i in 1...5 { try await s.startInstance("t\(i)", machine: "ticket") }
        try await s.send("t2", "assign", data: #"{"to":"rita"}"#)
        try await s.send("t4", "assign", data: #"{"to":"rita"}"#)
        try await s.send("t5", "close")
        try await s.startInstance("doc1", machine: "document_approval")
        let all = try await s.request(.GET, "/v1/instances?machine=ticket&limit=2")
        guard case .array(let first)? = all["instances"] else {
            Issue.record("no page")
            return
        }
        #expect(first.count == 2)
        let cursor = all["nextCursor"]?.string ?? ""
        #expect(cursor == "t2")
        let next = try await s.request(.GET, "/v1/instances?machine=ticket&limit=10&cursor=\(cursor)")
        guard case .array(let second)? = next["instances"] else {
            Issue.record("no page")
            return
        }
        #expect(second.count == 3)
        #expect(next["nextCursor"] == .null)
        func ids(_ a: TestServer.Answer) -> [String] {
            guard case .array(let found)? = a["instances"] else { return [] }
            return found.compactMap { v -> String? in
                guard case .object(let o) = v else { return nil }
                return o["id"]?.string
            }
        }
        #expect(ids(try await s.request(.GET, "/v1/instances?data.assignee=rita")) == ["t2", "t4"])
        #expect(ids(try await s.request(.GET, "/v1/instances?machine=ticket&state=open")) == ["t1", "t3"])
        #expect(ids(try await s.request(.GET, "/v1/instances?state=open&data.assignee=rita")) == [])
        let undeclared = try await s.request(.GET, "/v1/instances?machine=ticket&data.count=0")
        #expect(undeclared.status == 400, "count is not declared searchable")
        #expect(undeclared["detail"]?.string?.contains("sy:searchable") == true)
        let finished = try await s.request(.GET, "/v1/instances?status=finished")
        #expect(finished.body.contains("\"t5\"") && !finished.body.contains("\"t1\""))
        let idle = try await s.request(.GET, "/v1/instances?inactiveFor=1h")
        #expect(idle["instances"] == .array([]))
        #expect(try await s.request(.GET, "/v1/instances?status=sleeping").status == 400)
        #expect(try await s.request(.GET, "/v1/instances?colour=red").status == 400)
        try await s.stop()
    }

    // Found by scripts/schemathesis.sh: parameters that were only read when another was given,
    // a duration grammar looser than openapi.yaml's, id lengths counted in bytes.
    @Test("parameters are checked even when unused; durations and ids follow openapi.yaml")
    func parameterChecks() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        for timeout in ["", "1e3", "5.4.3h", "inf", ".5s", "+5"] {
            let a = try await s.request(.GET, "/v1/instances/t1?timeout=\(timeout)")
            #expect(a.status == 400, "timeout=\(timeout): \(a.body)")
            #expect(a.problem == "invalid-parameter")
        }
        #expect(try await s.request(.GET, "/v1/instances/t1?timeout=1.5s").status == 200)
        #expect(try await s.request(.GET, "/v1/instances?inactiveFor=1e3").status == 400)
        #expect(try await s.request(.GET, "/v1/instances/t1/journal?afterSeq=+1").status == 400)
        let stream = try await s.request(
            .GET, "/v1/instances/t1/stream?afterSeq=9223372036854775808",
            headers: [("Last-Event-ID", "0")])
        #expect(stream.status == 400, "\(stream.body)")
        // 200 characters of two UTF-8 bytes each is a valid id; 201 characters is not.
        let wide = String(repeating: "\u{E9}", count: 200)
        let encoded = wide.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? wide
        let started = try await s.request(.PUT, "/v1/instances/\(encoded)", json: #"{"machine":"ticket"}"#)
        #expect(started.status == 201, "\(started.body)")
        let long = try await s.request(.PUT, "/v1/instances/\(encoded)x", json: #"{"machine":"ticket"}"#)
        #expect(long.status == 422)
        let vt = try await s.request(.PUT, "/v1/instances/a%0Bb", json: #"{"machine":"ticket"}"#)
        #expect(vt.status == 422)
        try await s.stop()
    }
}
