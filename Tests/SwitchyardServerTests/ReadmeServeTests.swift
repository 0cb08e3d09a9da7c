import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardTestSupport
import Testing

@Suite("README walkthrough step 2: switchyard serve")
struct ReadmeServeTests {
    static var readme: String {
        (try? String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8))
            ?? ""
    }

    @Test("serve prints what the README shows and the curl requests answer what it shows")
    func walkthrough() async throws {
        let dir = temporaryDirectory()
        try FileManager.default.copyItem(
            atPath: RepositoryPaths.root.path + "/machines", toPath: dir + "/machines")
        let process = Process()
        process.executableURL = Products.directory.appendingPathComponent("switchyard")
        process.arguments = ["serve", "--port", "0"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var text = ""
        while !text.contains("try: curl") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let portRange = text.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
            let tokenRange = text.range(of: #"sy_[0-9a-f]{64}"#, options: .regularExpression)
        else {
            Issue.record("serve printed: \(text)")
            return
        }
        let url = "http://" + text[portRange]
        let token = String(text[tokenRange])
        // What the README shows: the same lines with port 8080 and the token cut short.
        let shown = text.replacingOccurrences(of: String(text[portRange]), with: "127.0.0.1:8080")
            .components(separatedBy: "\n").prefix(6).joined(separator: "\n")
            .replacingOccurrences(of: token, with: "sy_5d0c...")
        #expect(Self.readme.contains("```\n" + shown + "\n```"), "README shows other serve output:\n\(shown)")

        func call(_ method: HTTPMethod, _ path: String, _ body: String?) async throws -> (Int, String) {
            var request = HTTPClientRequest(url: url + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        let (status, _) = try await call(
            .PUT, "/v1/instances/doc-7", #"{"machine":"document_approval","data":{"amount":2500}}"#)
        let (_, submitted) = try await call(
            .POST, "/v1/instances/doc-7/events?wait=processed", #"{"name":"submit","data":{"by":"sam"}}"#)
        let (_, approved) = try await call(
            .POST, "/v1/instances/doc-7/events?wait=processed", #"{"name":"approve","data":{"by":"maria"}}"#)
        let (_, stream) = try await call(.GET, "/v1/instances/doc-7/stream", nil)
        #expect(Self.readme.contains("```\n\(status)\n\(submitted)\nid: 1\n"))
        #expect(Self.readme.contains("...\n\(approved)\nid: 3\n"))
        #expect(stream.contains("id: 1\nevent: start\ndata: {\"seq\":1,\"run\":1,\"kind\":\"start\","))
        #expect(stream.contains(#""configuration":["open","draft"]"#))
        #expect(stream.contains("id: 3\nevent: event\ndata: {\"seq\":3,\"run\":1,\"kind\":\"event\","))
        #expect(stream.contains(#""event":"approve""#) && stream.contains(#""configuration":["approved"]"#))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
