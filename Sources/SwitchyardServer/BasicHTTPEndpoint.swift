import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
public import Switchyard
import SwitchyardRuntime
import Synchronization

/// The W3C Basic HTTP Event I/O Processor (SCXML D.2) over HTTP: POSTs what sessions send with
/// AsyncHTTPClient, and gives every session a location under a base URL.
///
/// A session's location is `<base>/<session id, percent-encoded>?key=<capability>`: the key is
/// an HMAC-SHA256 of the session id under a secret only the server knows, so the URL itself is
/// the credential (like a webhook URL) and an SCXML engine elsewhere can POST to it without a
/// bearer token, while nobody can guess the location of another session. `switchyard serve`
/// uses `<server>/v1/basichttp` as the base; ``BasicHTTPLoopback`` a port of its own.
public final class BasicHTTPEndpoint: BasicHTTPTransport {
    private let base = Mutex<String?>(nil)
    private let secret: [UInt8]
    /// How long a POST may take before it fails with `error.communication`.
    public let timeout: Duration

    /// An endpoint whose locations are under `base` (none until ``setBase(_:)`` when nil),
    /// keyed with `secret`.
    public init(base: String?, secret: [UInt8], timeout: Duration = .seconds(10)) {
        self.base.withLock { $0 = base }
        self.secret = secret
        self.timeout = timeout
    }

    /// Sets the base URL of the locations (once the listening port is known).
    public func setBase(_ url: String) { base.withLock { $0 = url } }

    /// The capability key of session `id`'s location: 32 hex digits of HMAC-SHA256(secret, id).
    public func key(ofSession id: String) -> String {
        String(
            SHA256.hmac(key: secret, message: Array(id.utf8)).prefix(16).map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined())
    }

    /// Whether `key` is session `id`'s capability key (compared in constant time).
    public func accepts(key: String, forSession id: String) -> Bool {
        let expected = Array(self.key(ofSession: id).utf8)
        let given = Array(key.utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }

    public func location(ofSession id: String) -> String? {
        guard let base = base.withLock({ $0 }) else { return nil }
        return "\(base)/\(FormEncoding.percentEncode(id))?key=\(key(ofSession: id))"
    }

    public func post(
        _ request: BasicHTTPRequest, completion: @escaping @Sendable (Result<Void, BasicHTTPError>) -> Void
    ) {
        let timeout = self.timeout
        Task {
            var http = HTTPClientRequest(url: request.url)
            http.method = .POST
            http.headers.add(name: "Content-Type", value: request.contentType)
            if let key = request.idempotencyKey { http.headers.add(name: "Idempotency-Key", value: key) }
            http.body = .bytes(ByteBuffer(string: request.body))
            do {
                let response = try await HTTPClient.shared.execute(
                    http,
                    timeout: .nanoseconds(
                        timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds
                            / 1_000_000_000))
                // Drain (and bound) the answer so the connection can be reused.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(Int(response.status.code)) {
                    completion(.success(()))
                } else {
                    completion(
                        .failure(BasicHTTPError("POST \(request.url) answered \(response.status.code)")))
                }
            } catch {
                completion(.failure(BasicHTTPError("POST \(request.url) failed: \(error)")))
            }
        }
    }

    /// Reads a 32-byte secret from `path`, creating it (mode 0600) at first use.
    static func secret(at path: String) throws(ServerError) -> [UInt8] {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
                let byte = UInt8(hex[index..<next], radix: 16)
            {
                bytes.append(byte)
                index = next
            }
            guard bytes.count == 32, index == hex.endIndex else {
                throw .invalidConfiguration("\(path) does not hold a Basic HTTP key (64 hex digits)")
            }
            return bytes
        }
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let text = bytes.map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        .joined()
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw .invalidConfiguration("cannot write the Basic HTTP key file \(path)")
        }
        return bytes
    }

    /// The event a request to a session's location carries.
    static func event(_ request: Request, body: ByteBuffer) throws -> Event {
        var headers: [(name: String, value: String)] = []
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        do {
            return try BasicHTTPMessage.event(
                method: request.method.rawValue, target: request.uri.description, headers: headers,
                body: String(buffer: body))
        } catch {
            throw Problem.invalidBody(error.message)
        }
    }
}

/// A Basic HTTP receiver on a loopback port for sessions run by `InstanceRunner`s (the
/// conformance runner): events POSTed to a session's location go into the inbox its runner
/// registered (`BasicHTTPTransport.receive(forSession:into:)`), and the answer is sent only
/// after that, so a session that POSTs to itself finds the event queued when its POST returns.
public final class BasicHTTPLoopback: BasicHTTPTransport {
    /// The transport that POSTs and makes locations.
    public let endpoint: BasicHTTPEndpoint
    private let inboxes = Mutex<[String: EventInbox]>([:])
    private let task = Mutex<Task<Void, any Error>?>(nil)

    private init(endpoint: BasicHTTPEndpoint) { self.endpoint = endpoint }

    /// Starts a receiver on `127.0.0.1` (an ephemeral port) and returns once it listens.
    public static func start() async throws -> BasicHTTPLoopback {
        var rng = SystemRandomNumberGenerator()
        let loopback = BasicHTTPLoopback(
            endpoint: BasicHTTPEndpoint(
                base: nil, secret: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) },
                timeout: .seconds(5)))
        let router = Router()
        router.post("/basichttp/:id") { [loopback] request, context -> Response in
            guard let id = context.parameters.get("id") else { return Response(status: .notFound) }
            guard let key = request.uri.queryParameters.get("key"),
                loopback.endpoint.accepts(key: key, forSession: id)
            else { return Response(status: .forbidden) }
            guard let inbox = loopback.inboxes.withLock({ $0[id] }) else {
                return Response(status: .notFound)
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            let event: Event
            do {
                event = try BasicHTTPEndpoint.event(request, body: body)
            } catch {
                return Response(status: .badRequest)
            }
            inbox.post(event, toSession: id)
            return Response(status: .ok)
        }
        let listening = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "switchyard.basichttp")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                listening.continuation.yield(channel.localAddress?.port ?? 0)
                listening.continuation.finish()
            }, logger: logger)
        loopback.task.withLock { $0 = Task { try await app.runService() } }
        var port = 0
        for await p in listening.stream { port = p }
        guard port > 0 else {
            throw ServerError.invalidConfiguration("the Basic HTTP loopback did not start")
        }
        loopback.endpoint.setBase("http://127.0.0.1:\(port)/basichttp")
        return loopback
    }

    /// Stops the receiver.
    public func stop() {
        task.withLock { $0?.cancel() }
    }

    public func location(ofSession id: String) -> String? { endpoint.location(ofSession: id) }

    public func post(
        _ request: BasicHTTPRequest, completion: @escaping @Sendable (Result<Void, BasicHTTPError>) -> Void
    ) {
        endpoint.post(request, completion: completion)
    }

    public func receive(forSession id: String, into inbox: EventInbox) {
        inboxes.withLock { $0[id] = inbox }
    }
}
