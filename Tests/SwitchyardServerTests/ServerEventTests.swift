import AsyncHTTPClient
import Foundation
import NIOCore
import Switchyard
import Testing

@Suite("HTTP API: events, idempotency, correlation, streams")
struct ServerEventTests {
    @Test("202 once journaled; wait=processed says whether a transition took it")
    func sendAndWait() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        let accepted = try await s.request(.POST, "/v1/instances/t1/events", json: #"{"name":"bump"}"#)
        #expect(accepted.status == 202)
        #expect(accepted["seq"] == .number(2))
        #expect(accepted["handled"] == nil)
        let handled = try await s.send("t1", "assign", data: #"{"to":"rita"}"#)
        #expect(handled.status == 200)
        #expect(handled["handled"] == .bool(true))
        #expect(handled["configuration"]?.strings == ["assigned"])
        let ignored = try await s.send("t1", "no.such.event")
        #expect(ignored["handled"] == .bool(false))
        #expect(ignored["configuration"]?.strings == ["assigned"])
        #expect(try await s.request(.POST, "/v1/instances/t1/events", json: #"{}"#).status == 400)
        #expect(try await s.request(.POST, "/v1/instances/t1/events", json: #"{"name":42}"#).status == 400)
        #expect(try await s.request(.POST, "/v1/instances/t1/events", json: #"{"name":"a b"}"#).status == 400)
        #expect(
            try await s.request(.POST, "/v1/instances/t1/events?wait=later", json: #"{"name":"x"}"#).status
                == 400)
        #expect(try await s.request(.POST, "/v1/instances/zz/events", json: #"{"name":"x"}"#).status == 404)
        try await s.stop()
    }

    @Test("a body over the limit is 413, never a 5xx")
    func oversized() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra, maxBody: 1024)
        try await s.startInstance("t1", machine: "ticket")
        let big = #"{"name":"bump","data":{"blob":""# + String(repeating: "x", count: 4096) + #""}}"#
        let a = try await s.request(.POST, "/v1/instances/t1/events", json: big)
        #expect(a.status == 413)
        #expect(a.problem == "body-too-large")
        #expect(try await s.send("t1", "bump").status == 200, "the server keeps working")
        try await s.stop()
    }

    @Test("the same Idempotency-Key from two concurrent clients applies once and answers alike")
    func idempotentConcurrent() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        let answers = try await withThrowingTaskGroup(of: TestServer.Answer.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await s.request(
                        .POST, "/v1/instances/t1/events", json: #"{"name":"bump","data":{"n":1}}"#,
                        headers: [("Idempotency-Key", "order-77")])
                }
            }
            var all: [TestServer.Answer] = []
            for try await a in group { all.append(a) }
            return all
        }
        #expect(answers.allSatisfy { $0.status == 202 })
        #expect(Set(answers.map { $0["seq"] ?? .null }) == [.number(2)], "every answer names the one record")
        #expect(answers.filter { $0["duplicate"] == .bool(false) }.count == 1)
        let state = try await s.request(.GET, "/v1/instances/t1")
        #expect(state["data.count"] == .number(1), "applied once")
        let viaField = try await s.request(
            .POST, "/v1/instances/t1/events", json: #"{"name":"bump","data":{"n":1},"eventId":"order-77"}"#)
        #expect(viaField["duplicate"] == .bool(true))
        let other = try await s.request(
            .POST, "/v1/instances/t1/events", json: #"{"name":"bump","data":{"n":2}}"#,
            headers: [("Idempotency-Key", "order-77")])
        #expect(other.status == 422)
        #expect(other.problem == "idempotency-key-reused")
        let clash = try await s.request(
            .POST, "/v1/instances/t1/events", json: #"{"name":"bump","eventId":"a"}"#,
            headers: [("Idempotency-Key", "b")])
        #expect(clash.status == 400)
        try await s.stop()
    }

    @Test("correlated delivery starts once per key, then signals the running instance")
    func correlated() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        let body =
            #"{"name":"bump","correlationKey":"INV-9","startIfAbsent":true,"startData":{"assignee":"ops"}}"#
        let first = try await s.request(.POST, "/v1/machines/ticket/events", json: body)
        #expect(first.status == 200, "\(first.body)")
        #expect(first["started"] == .bool(true))
        #expect(first["instance"] == .string("ticket:INV-9"))
        let second = try await s.request(.POST, "/v1/machines/ticket/events", json: body)
        #expect(second["started"] == .bool(false))
        let state = try await s.request(.GET, "/v1/instances/ticket:INV-9")
        #expect(state["data.count"] == .number(2))
        #expect(state["data.assignee"] == .string("ops"))
        let absent = try await s.request(
            .POST, "/v1/machines/ticket/events", json: #"{"name":"bump","correlationKey":"INV-10"}"#)
        #expect(absent.status == 404)
        #expect(absent.problem == "no-correlated-instance")
        #expect(
            try await s.request(.POST, "/v1/machines/ticket/events", json: #"{"name":"bump"}"#).status == 400)
        try await s.stop()
    }

    @Test("the event stream sends one event per journal record and resumes after Last-Event-ID")
    func stream() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        try await s.startInstance("t1", machine: "ticket")
        try await s.send("t1", "bump")
        var request = HTTPClientRequest(url: s.url + "/v1/instances/t1/stream")
        request.headers.add(name: "Authorization", value: "Bearer \(TestServer.adminToken)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        var text = ""
        var sentMore = false
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if !sentMore && text.contains("id: 2\n") {
                sentMore = true
                try await s.send("t1", "bump")
                try await s.send("t1", "close")
            }
            if text.contains("id: 4\n") { break }
        }
        let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }
        #expect(ids == ["id: 1", "id: 2", "id: 3", "id: 4"])
        #expect(text.contains("event: start\n"))
        #expect(text.contains(#""event":"close""#))

        // Resume: only what came after, and the stream ends with the finished instance.
        let resumed = try await s.request(.GET, "/v1/instances/t1/stream", headers: [("Last-Event-ID", "2")])
        let resumedIDs = resumed.body.split(separator: "\n").filter { $0.hasPrefix("id: ") }
        #expect(resumedIDs == ["id: 3", "id: 4"])
        #expect(try await s.request(.GET, "/v1/instances/none/stream").status == 404)
        #expect(
            try await s.request(.GET, "/v1/instances/t1/stream", headers: [("Last-Event-ID", "x")]).status
                == 400)
        try await s.stop()
    }
}
