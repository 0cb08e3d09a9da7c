import Foundation
import NIOCore
import Switchyard
import SwitchyardConformance
import SwitchyardServer
import SwitchyardTestSupport
import Synchronization
import Testing

/// The W3C Basic HTTP Event I/O Processor (SCXML D.2): real POSTs over loopback, through the
/// conformance runner's receiver and through `switchyard serve`'s `/v1/basichttp/{id}`.
@Suite("Basic HTTP Event I/O Processor")
struct ServerBasicHTTPTests {
    static let w3c = RepositoryPaths.root.path + "/../shared/w3c-scxml/ecma"
    static let hasW3C = FileManager.default.fileExists(atPath: w3c + "/test201.scxml")

    /// Runs `body` on a thread of its own (the conformance runner blocks while a POST is
    /// answered; the cooperative pool must stay free for the receiver).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.start()
        }
    }

    @Test(
        "the twelve W3C HTTP tests pass on a loopback receiver",
        .enabled(if: hasW3C, "../shared/w3c-scxml is not present beside the repository; skipping"))
    func w3cHTTPTests() async throws {
        let loopback = try await BasicHTTPLoopback.start()
        defer { loopback.stop() }
        let runner = ConformanceRunner(basicHTTP: loopback)
        let results = await Self.onThread {
            ConformanceExceptions.basicHTTP.sorted().map { runner.run(path: Self.w3c + "/\($0).scxml") }
        }
        #expect(results.count == 12)
        for r in results { #expect(r.outcome == .pass, "\(r.line)") }
        // Without a transport they are skipped, with the reason.
        let skipped = ConformanceRunner().run(path: Self.w3c + "/test509.scxml")
        guard case .skip(let why) = skipped.outcome else {
            Issue.record("test509 without a transport: \(skipped.line)")
            return
        }
        #expect(why.contains("Basic HTTP"))
    }

    static let pinger = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="pinger" initial="idle">
          <datamodel><data id="loc" expr="''"/><data id="x" expr="''"/><data id="why" expr="''"/></datamodel>
          <state id="idle">
            <onentry><assign location="loc" expr="_ioprocessors.basichttp.location"/></onentry>
            <transition event="go" target="pinging"/>
            <transition event="goBad" target="bad"/>
            <transition event="poke"><assign location="x" expr="_event.data.x"/></transition>
            <transition event="HTTP.POST"><assign location="x" expr="'content:' + _event.data"/></transition>
          </state>
          <state id="pinging">
            <onentry>
              <send type="http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor" event="pong" targetexpr="loc">
                <param name="n" expr="7"/>
              </send>
            </onentry>
            <transition event="pong" cond="_event.data.n == '7' &amp;&amp; _event.raw.search(/^POST /) === 0" target="got"/>
          </state>
          <state id="bad">
            <onentry><send type="basichttp" event="x" targetexpr="'http://127.0.0.1:1/nowhere'"/></onentry>
            <transition event="error.communication" target="failed">
              <assign location="why" expr="_event.data.message"/>
            </transition>
          </state>
          <final id="got"/>
          <final id="failed"/>
        </scxml>
        """

    /// Polls the instance until `done` holds for its JSON (5 s at most).
    static func waitFor(
        _ s: TestServer, _ id: String, _ done: (TestServer.Answer) -> Bool
    ) async throws -> TestServer.Answer {
        var last = try await s.request(.GET, "/v1/instances/\(id)")
        for _ in 0..<100 where !done(last) {
            try await Task.sleep(for: .milliseconds(50))
            last = try await s.request(.GET, "/v1/instances/\(id)")
        }
        return last
    }

    @Test("an instance POSTs to its own location through the server and gets the event back")
    func roundTripThroughServer() async throws {
        let s = try await TestServer.start(extra: ["pinger.scxml": Self.pinger])
        try await s.startInstance("p1", machine: "pinger")
        let started = try await s.request(.GET, "/v1/instances/p1")
        let location = try #require(started["data.loc"]?.string)
        #expect(location.hasPrefix(s.url + "/v1/basichttp/p1?key="), "\(location)")
        #expect(try await s.send("p1", "go").status == 200)
        let after = try await Self.waitFor(s, "p1") { $0["status"]?.string == "finished" }
        #expect(after["finalState"]?.string == "got", "\(after.body)")
        try await s.stop()
    }

    @Test("a POST that cannot be delivered gives the instance error.communication")
    func unreachableTarget() async throws {
        let s = try await TestServer.start(extra: ["pinger.scxml": Self.pinger]) {
            $0.basicHTTPTimeout = .milliseconds(500)
        }
        try await s.startInstance("p2", machine: "pinger")
        #expect(try await s.send("p2", "goBad").status == 200)
        let after = try await Self.waitFor(s, "p2") { $0["status"]?.string == "finished" }
        let journal = try await s.request(.GET, "/v1/instances/p2/journal")
        let letters = try await s.request(.GET, "/v1/dead-letters")
        #expect(after["finalState"]?.string == "failed", "\(after.body) \(journal.body) \(letters.body)")
        #expect(after["data.why"]?.string?.contains("127.0.0.1:1") == true, "\(after.body)")
        try await s.stop()
    }

    @Test("the location's key or a write token authorises; form fields, content and repeats")
    func receiving() async throws {
        let s = try await TestServer.start(extra: ["pinger.scxml": Self.pinger])
        try await s.startInstance("p3", machine: "pinger")
        try await s.startInstance("p4", machine: "pinger")
        let location = try #require(try await s.request(.GET, "/v1/instances/p3")["data.loc"]?.string)
        let path = String(location.dropFirst(s.url.count))
        let form = "application/x-www-form-urlencoded"

        // No key and no token: 401. A wrong key, or p3's key used for p4: 403. A read token: 403.
        let noKey = try await s.request(
            .POST, "/v1/basichttp/p3", token: nil, raw: "_scxmleventname=poke&x=1", contentType: form)
        #expect(noKey.status == 401)
        let wrong = try await s.request(
            .POST, "/v1/basichttp/p3?key=00112233445566778899aabbccddeeff", token: nil,
            raw: "_scxmleventname=poke", contentType: form)
        #expect(wrong.status == 403)
        let key = String(path.split(separator: "=").last ?? "")
        let otherInstance = try await s.request(
            .POST, "/v1/basichttp/p4?key=\(key)", token: nil, raw: "_scxmleventname=poke", contentType: form)
        #expect(otherInstance.status == 403)
        let readOnly = try await s.request(
            .POST, "/v1/basichttp/p3", token: TestServer.readToken, raw: "_scxmleventname=poke",
            contentType: form)
        #expect(readOnly.status == 403)

        // With the key: the fields become _event.data; the same Idempotency-Key applies once.
        let ok = try await s.request(
            .POST, path, token: nil, raw: "_scxmleventname=poke&x=hello%20world", contentType: form,
            headers: [("Idempotency-Key", "k1")])
        #expect(ok.status == 200, "\(ok.body)")
        #expect(ok["event"]?.string == "poke")
        #expect(ok["duplicate"] == .bool(false))
        #expect(try await s.request(.GET, "/v1/instances/p3")["data.x"]?.string == "hello world")
        let again = try await s.request(
            .POST, path, token: nil, raw: "_scxmleventname=poke&x=other", contentType: form,
            headers: [("Idempotency-Key", "k1")])
        #expect(again["duplicate"] == .bool(true))
        #expect(try await s.request(.GET, "/v1/instances/p3")["data.x"]?.string == "hello world")

        // A write token instead of the key; a content body without a name is HTTP.POST.
        let content = try await s.request(
            .POST, "/v1/basichttp/p3", token: TestServer.writeToken, raw: "some%20content", contentType: form)
        #expect(content["event"]?.string == "HTTP.POST")
        #expect(try await s.request(.GET, "/v1/instances/p3")["data.x"]?.string == "content:some content")

        // A malformed JSON body is a 400; an unknown instance a 404.
        let badJSON = try await s.request(
            .POST, path, token: nil, raw: "{nope", contentType: "application/json")
        #expect(badJSON.status == 400)
        #expect(badJSON.problem == "invalid-body")
        let unknown = try await s.request(
            .POST, "/v1/basichttp/nobody", token: TestServer.writeToken, raw: "_scxmleventname=poke",
            contentType: form)
        #expect(unknown.status == 404)
        try await s.stop()
    }
}
