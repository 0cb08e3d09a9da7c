import AsyncHTTPClient
import Foundation
import NIOCore
import Switchyard
import SwitchyardTestSupport
import Testing

@Suite("HTTP server: restarts, graceful shutdown, the serve command")
struct ServerLifecycleTests {
    @Test("a timer due while the server was down fires after the restart")
    func restartWithTimerDue() async throws {
        let dir = temporaryDirectory()
        var s = try await TestServer.start(extra: TestMachines.extra, directory: dir)
        try await s.startInstance("t1", machine: "ticket")
        let assigned = try await s.send("t1", "assign", data: #"{"to":"rita"}"#)
        #expect(assigned["configuration"]?.strings == ["assigned"])
        let before = try await s.request(.GET, "/v1/instances/t1")
        guard case .array(let timers)? = before["pendingTimers"] else {
            Issue.record("no timers")
            return
        }
        #expect(timers.count == 1)
        try await s.stop()
        try await Task.sleep(for: .milliseconds(2300))

        s = try await TestServer.start(extra: TestMachines.extra, directory: dir)
        let after = try await s.request(.GET, "/v1/instances/t1?afterSeq=2&timeout=10s")
        #expect(after["configuration"]?.strings == ["overdue"], "\(after.body)")
        let journal = try await s.request(.GET, "/v1/instances/t1/journal?afterSeq=2")
        #expect(journal.body.contains(#""kind":"timer""#))
        #expect(journal.body.contains(#""due":"#), "the record says when the timer was due")
        let metrics = try await s.request(.GET, "/metrics")
        #expect(metrics.body.contains("switchyard_timers_fired_late_total 1\n"), "fired after its due time")
        try await s.stop()
    }

    @Test("graceful shutdown with requests in flight loses no acknowledged event")
    func shutdownInFlight() async throws {
        let dir = temporaryDirectory()
        var s = try await TestServer.start(extra: TestMachines.extra, directory: dir)
        try await s.startInstance("t1", machine: "ticket")
        let server = s
        // AsyncHTTPClient keeps at most 8 connections to the host; requests queued behind them
        // when the listener closes retry connecting until their deadline, hence the short one.
        let results = await withTaskGroup(of: (String, Int?).self) { group in
            for i in 0..<120 {
                group.addTask {
                    let key = "k\(i)"
                    let a = try? await server.request(
                        .POST, "/v1/instances/t1/events", json: #"{"name":"bump"}"#,
                        headers: [("Idempotency-Key", key)], timeout: .seconds(5))
                    return (key, a?.status)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(30))
                await server.server.shutdown()
                return ("", nil)
            }
            var out: [(String, Int?)] = []
            for await r in group where !r.0.isEmpty { out.append(r) }
            return out
        }
        try await s.stop()
        let acknowledged = results.filter { $0.1 == 202 }.map(\.0)
        #expect(results.allSatisfy { $0.1 == nil || $0.1 == 202 || $0.1 == 503 }, "\(results.map(\.1))")

        s = try await TestServer.start(extra: TestMachines.extra, directory: dir)
        let journal = try await s.request(.GET, "/v1/instances/t1/journal?limit=1000")
        for key in acknowledged {
            #expect(journal.body.contains(#""eventId":"\#(key)""#), "acknowledged \(key) is journaled")
        }
        let count = try await s.request(.GET, "/v1/instances/t1")["data.count"]?.number ?? -1
        #expect(Int(count) >= acknowledged.count)
        #expect(Int(count) == journal.body.components(separatedBy: #""event":"bump""#).count - 1)
        try await s.stop()
    }

    @Test("switchyard serve prints its URL and token, serves, and exits 0 on SIGTERM")
    func serveProcess() async throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/machines", withIntermediateDirectories: true)
        try writeText(dir + "/machines/ticket.scxml", TestMachines.ticket)
        let process = Process()
        process.executableURL = Products.directory.appendingPathComponent("switchyard")
        process.arguments = ["serve", "--port", "0", "--log-level", "warning"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        var text = ""
        let handle = out.fileHandleForReading
        while !text.contains("try: curl") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text.contains("deployed machine ticket (machines/ticket.scxml)"))
        guard let urlRange = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
            let tokenRange = text.range(of: #"sy_[0-9a-f]{64}"#, options: .regularExpression)
        else {
            Issue.record("no URL or token in: \(text)")
            process.terminate()
            return
        }
        let url = String(text[urlRange])
        let token = String(text[tokenRange])
        #expect(FileManager.default.fileExists(atPath: dir + "/switchyard.sqlite.tokens.json"))
        var request = HTTPClientRequest(url: url + "/v1/machines")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 200)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(body.contains("\"ticket\""))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        text += String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(text.hasSuffix("Switchyard stopped\n"))
    }

    @Test("serve refuses to listen beyond loopback without a tokens file")
    func refusesOpenHost() throws {
        let dir = temporaryDirectory()
        let r = try Products.run(
            "switchyard", ["serve", "--host", "0.0.0.0", "--db", dir + "/db.sqlite", "--machines", dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("needs --tokens FILE"))
        let missing = try Products.run(
            "switchyard", ["serve", "--db", dir + "/db.sqlite", "--machines", dir + "/none"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("machines folder"))
    }
}
