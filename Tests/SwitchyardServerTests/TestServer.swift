import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Switchyard
import SwitchyardServer
import SwitchyardTestSupport
import Synchronization
import Testing

/// A real server on a loopback port of its own, over a temporary database, driven over HTTP.
final class TestServer: Sendable {
    static let adminToken = "sy_test_admin_token_0123456789abcdef"
    static let writeToken = "sy_test_write_token_0123456789abcdef"
    static let readToken = "sy_test_read_token_01234567890abcdef"

    let directory: String
    let server: SwitchyardServer
    let url: String
    private let task: Task<Void, any Error>

    /// The shipped machines plus `extra` (file name -> SCXML), a tokens file with one token per
    /// scope; waits until `/readyz` answers.
    static func start(
        _ name: String = #function, extra: [String: String] = [:], directory given: String? = nil,
        cors: [String] = [], maxBody: Int = 1 << 20,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let dir = given ?? temporaryDirectory("server-" + name)
        let machines = dir + "/machines"
        try FileManager.default.createDirectory(atPath: machines, withIntermediateDirectories: true)
        let shipped = RepositoryPaths.root.path + "/machines"
        for file in try FileManager.default.contentsOfDirectory(atPath: shipped)
        where file.hasSuffix(".scxml") || file.hasSuffix(".rules.xml") {
            let target = machines + "/" + file
            if !FileManager.default.fileExists(atPath: target) {
                try FileManager.default.copyItem(atPath: shipped + "/" + file, toPath: target)
            }
        }
        for (file, text) in extra { try writeText(machines + "/" + file, text) }
        let tokens = dir + "/tokens.json"
        try writeText(
            tokens,
            """
            { "tokens": [
              { "name": "admin", "scope": "admin", "token": "\(adminToken)" },
              { "name": "app", "scope": "write", "token": "\(writeToken)" },
              { "name": "dash", "scope": "read", "token": "\(readToken)" } ] }
            """)
        var configuration = ServerConfiguration(
            port: 0, databasePath: dir + "/switchyard.sqlite", machinesDirectory: machines,
            tokensFile: tokens,
            corsOrigins: cors, maxBodyBytes: maxBody, shards: 2, logLevel: .warning)
        configure(&configuration)
        let server = try SwitchyardServer(configuration: configuration)
        let listening = AsyncStream<String>.makeStream()
        let task = Task {
            try await server.run(gracefulShutdownSignals: []) { url in listening.continuation.yield(url) }
        }
        var url = ""
        for await u in listening.stream {
            url = u
            break
        }
        let s = TestServer(directory: dir, server: server, url: url, task: task)
        for _ in 0..<200 {
            if try await s.request(.GET, "/readyz", token: nil).status == 200 { return s }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("server at \(url) never became ready")
        return s
    }

    private init(directory: String, server: SwitchyardServer, url: String, task: Task<Void, any Error>) {
        self.directory = directory
        self.server = server
        self.url = url
        self.task = task
    }

    /// Graceful shutdown; returns when the server has stopped.
    func stop() async throws {
        await server.shutdown()
        try await task.value
    }

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        /// The body as a JSON value (`undefined` when it is not JSON).
        var json: Value { (try? Value.parseJSON(body)) ?? .undefined }

        /// A member of the JSON body object (dotted paths: `data.amount`).
        subscript(path: String) -> Value? {
            var v: Value? = json
            for key in path.split(separator: ".") {
                guard case .object(let o)? = v else { return nil }
                v = o[String(key)]
            }
            return v
        }

        /// The problem type slug (`urn:switchyard:problem:<slug>`).
        var problem: String? {
            guard case .string(let t)? = self["type"] else { return nil }
            return String(t.dropFirst("urn:switchyard:problem:".count))
        }
    }

    func request(
        _ method: HTTPMethod, _ path: String, token: String? = TestServer.adminToken,
        json body: String? = nil,
        raw: String? = nil, contentType: String? = nil, headers extra: [(String, String)] = [],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        } else if let raw {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(string: raw))
        }
        for (n, v) in extra { request.headers.add(name: n, value: v) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// Starts an instance of `machine` with this id (201 expected).
    @discardableResult
    func startInstance(_ id: String, machine: String, data: String = "{}") async throws -> Answer {
        let a = try await request(
            .PUT, "/v1/instances/\(id)", json: #"{"machine":"\#(machine)","data":\#(data)}"#)
        #expect(a.status == 201, "start \(id): \(a.body)")
        return a
    }

    /// Sends an event and waits for the macrostep.
    @discardableResult
    func send(_ id: String, _ name: String, data: String? = nil, key: String? = nil) async throws -> Answer {
        let body = data.map { #"{"name":"\#(name)","data":\#($0)}"# } ?? #"{"name":"\#(name)"}"#
        return try await request(
            .POST, "/v1/instances/\(id)/events?wait=processed", json: body,
            headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }
}

extension Value {
    /// The strings of an array value.
    var strings: [String] {
        guard case .array(let a) = self else { return [] }
        return a.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    var number: Double? { if case .number(let n) = self { n } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
}
