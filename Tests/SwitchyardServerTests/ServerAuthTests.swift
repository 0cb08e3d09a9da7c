import Foundation
import SwitchyardServer
import Testing

@Suite("HTTP API: tokens, scopes and origins")
struct ServerAuthTests {
    @Test("no token is 401 with a problem document; a wrong token too; health is open")
    func missingToken() async throws {
        let s = try await TestServer.start()
        let none = try await s.request(.GET, "/v1/machines", token: nil)
        #expect(none.status == 401)
        #expect(none.problem == "unauthorized")
        #expect(none.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(none.headers.first(name: "Content-Type") == "application/problem+json")
        let wrong = try await s.request(.GET, "/v1/machines", token: "sy_not_a_token_at_all_000000000")
        #expect(wrong.status == 401)
        let malformed = try await s.request(
            .GET, "/v1/machines", token: nil, headers: [("Authorization", "Basic abc")])
        #expect(malformed.status == 401)
        #expect(try await s.request(.GET, "/healthz", token: nil).status == 200)
        #expect(try await s.request(.GET, "/openapi.yaml", token: nil).status == 200)
        try await s.stop()
    }

    @Test("scopes: read cannot send, write cannot deploy, admin can")
    func scopes() async throws {
        let s = try await TestServer.start(extra: TestMachines.extra)
        #expect(try await s.request(.GET, "/v1/machines", token: TestServer.readToken).status == 200)
        let readStart = try await s.request(
            .PUT, "/v1/instances/t1", token: TestServer.readToken, json: #"{"machine":"ticket"}"#)
        #expect(readStart.status == 403)
        #expect(readStart.problem == "forbidden")
        let ok = try await s.request(
            .PUT, "/v1/instances/t1", token: TestServer.writeToken, json: #"{"machine":"ticket"}"#)
        #expect(ok.status == 201)
        let deploy = try await s.request(
            .POST, "/v1/machines", token: TestServer.writeToken, raw: TestMachines.ticket,
            contentType: "application/xml")
        #expect(deploy.status == 403)
        let deadLetters = try await s.request(.DELETE, "/v1/dead-letters/1", token: TestServer.writeToken)
        #expect(deadLetters.status == 403)
        let adminDeploy = try await s.request(
            .POST, "/v1/machines", raw: TestMachines.ticket, contentType: "application/xml")
        // Over HTTP a document has no folder to resolve relative `src` against, so it is a new
        // version of the one deployed from machines/ even with the same text.
        #expect(adminDeploy.status == 201)
        try await s.stop()
    }

    @Test("other origins are refused unless allowed with --cors; preflights answered")
    func origins() async throws {
        let s = try await TestServer.start(cors: ["https://app.example"])
        let evil = try await s.request(.GET, "/v1/machines", headers: [("Origin", "https://evil.example")])
        #expect(evil.status == 403)
        #expect(evil.problem == "origin-refused")
        let app = try await s.request(.GET, "/v1/machines", headers: [("Origin", "https://app.example")])
        #expect(app.status == 200)
        #expect(app.headers.first(name: "Access-Control-Allow-Origin") == "https://app.example")
        let preflight = try await s.request(
            .OPTIONS, "/v1/instances/x/events", token: nil,
            headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")])
        #expect(preflight.status == 204)
        #expect(
            preflight.headers.first(name: "Access-Control-Allow-Headers")?.contains("Idempotency-Key") == true
        )
        let same = try await s.request(.GET, "/v1/machines", headers: [("Origin", s.url)])
        #expect(same.status == 200, "the server's own origin is not cross-origin")
        try await s.stop()
    }

    @Test("token comparison and scope order")
    func tokens() {
        let store = TokenStore([
            .init(name: "a", scope: .read, secret: "sy_aaaaaaaaaaaaaaaa"),
            .init(name: "b", scope: .admin, secret: "sy_bbbbbbbbbbbbbbbb"),
        ])
        #expect(store.authenticate("sy_bbbbbbbbbbbbbbbb")?.name == "b")
        #expect(store.authenticate("sy_bbbbbbbbbbbbbbb") == nil)
        #expect(store.authenticate("sy_bbbbbbbbbbbbbbbbb") == nil)
        #expect(store.authenticate("") == nil)
        #expect(Scope.admin > .write && Scope.write > .read)
        let secret = TokenStore.generateSecret()
        #expect(secret.hasPrefix("sy_") && secret.count == 67)
        #expect(secret != TokenStore.generateSecret())
    }

    @Test("a malformed tokens file names the file and the problem")
    func badTokensFile() throws {
        let dir = NSTemporaryDirectory() + "tokens-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/t.json"
        try #"{"tokens":[{"name":"x","scope":"root","token":"sy_0123456789abcdef"}]}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(
            throws: ServerError.invalidTokensFile(
                path, "tokens[0].scope must be \"read\", \"write\" or \"admin\"")
        ) {
            _ = try TokenStore.load(path: path)
        }
        let config = ServerConfiguration(
            host: "0.0.0.0", databasePath: dir + "/db.sqlite", machinesDirectory: nil)
        #expect(throws: ServerError.self) { _ = try SwitchyardServer(configuration: config) }
        #expect(
            !FileManager.default.fileExists(atPath: dir + "/db.sqlite"), "refused before opening the database"
        )
    }
}
