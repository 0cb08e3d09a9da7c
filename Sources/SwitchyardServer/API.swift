import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Switchyard
import Synchronization

typealias Context = BasicRequestContext

/// The HTTP API's handlers: each turns a request into calls on the public ``Engine`` and
/// ``SQLiteStore`` API and the answer into JSON. Errors are thrown as ``Problem``s; the problem
/// middleware writes them.
struct API: Sendable {
    let engine: Engine
    let store: SQLiteStore
    let catalog: Catalog
    let hub: WatchHub
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let state: ServerState
    let logger: Logger
    let basicHTTP: BasicHTTPEndpoint

    /// Builds the router: every route of `openapi.yaml`, under the problem, CORS, auth and
    /// metrics middleware.
    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(logger: logger))
        router.add(
            middleware: OriginMiddleware(allowed: configuration.corsOrigins, selfOrigins: state.selfOrigins))
        router.add(middleware: AuthMiddleware(tokens: state.tokens, logger: logger))

        router.get("/healthz") { _, _ in json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            guard state.isReady else { throw Problem.notReady("recovering instances from the database") }
            return json(["status": "ready"])
        }
        router.get("/metrics") { _, _ in await metricsText() }
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }

        addMachineRoutes(router)
        addInstanceRoutes(router)
        addEventRoutes(router)
        addStreamRoutes(router)
        addOperationRoutes(router)
        router.post("/v1/basichttp/:id") { request, context in
            try await receiveBasicHTTP(request, id: try context.parameters.require("id"))
        }
        return router
    }

    // MARK: Bodies

    /// The request body, at most ``ServerConfiguration/maxBodyBytes``.
    func body(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw Problem.bodyTooLarge(configuration.maxBodyBytes)
        }
    }

    /// The body as a JSON object whose members are all in `allowed` (an unknown member is a 400
    /// naming it, so a typo is never silently ignored). An empty body is an empty object.
    func jsonObject(_ request: Request, allowed: Set<String>) async throws -> JSObject {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem.unsupportedMediaType("send the body as application/json (got '\(type)')")
        }
        let buffer = try await body(request)
        let text = String(buffer: buffer)
        if text.allSatisfy(\.isWhitespace) { return JSObject() }
        let value: Value
        do {
            value = try Value.parseJSON(text)
        } catch {
            throw Problem.invalidBody("the body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw Problem.invalidBody("the body must be a JSON object, not \(jsonKind(value))")
        }
        for key in object.propertyNames where !allowed.contains(key) {
            throw Problem.invalidBody(
                "unknown field '\(key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        return object
    }

    // MARK: Errors

    /// The problem an engine error is answered with.
    func problem(_ error: EngineError) -> Problem {
        switch error {
        case .unknownDefinition(let name): .unknownMachine(name)
        case .instanceExists(let id): .instanceExists(id)
        case .instanceFinished(let id), .notRunning(let id): .instanceFinished(id)
        case .noSuchInstance(let id): .unknownInstance(id)
        case .notRecovered: .notReady("recovering instances from the database")
        case .shutDown: .notReady("the server is shutting down")
        case .busy: .busy("the instance's mailbox is full; retry")
        case .storeUnavailable(let m): .storeUnavailable(m)
        default: .unprocessable(error.description)
        }
    }

    // MARK: Metrics

    func metricsText() async -> Response {
        var text = metrics.registry.emitToString()
        text += await metrics.engineText(engine: engine, store: store)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

// MARK: JSON answers

/// A JSON answer.
func json(_ value: Value, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
    var headers = extra
    headers[.contentType] = "application/json"
    let text = value.jsonString() ?? "null"
    return Response(
        status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

func jsonKind(_ value: Value) -> String {
    switch value {
    case .array: "an array"
    case .string: "a string"
    case .number: "a number"
    case .bool: "a boolean"
    case .null: "null"
    default: "a value of another kind"
    }
}

extension Request {
    /// A query parameter.
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    /// A non-negative integer query parameter (nil when absent; 400 when malformed).
    func integerQuery(_ name: String, max limit: Int = Int.max) throws -> Int? {
        guard let text = query(name) else { return nil }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) else {
            throw Problem.invalidParameter(name, "must be a non-negative integer, got '\(text)'")
        }
        guard n <= limit else { throw Problem.invalidParameter(name, "must be at most \(limit), got \(n)") }
        return n
    }

    /// A duration query parameter: `30s`, `500ms`, `2m` or a number of seconds.
    func durationQuery(_ name: String, max limit: Double) throws -> Duration? {
        guard let text = query(name) else { return nil }
        guard let seconds = parseSeconds(text), seconds >= 0 else {
            throw Problem.invalidParameter(name, "must be a duration such as 30s, 500ms or 2m, got '\(text)'")
        }
        return .milliseconds(Int64(min(seconds, limit) * 1000))
    }
}

/// `30s`, `500ms`, `2m`, `1h` or a plain number of seconds: exactly the grammar `openapi.yaml`
/// gives (`^[0-9]+(\.[0-9]+)?(ms|s|m|h|d)?$`), so `1e3`, `inf`, `+5` or `1.2.3s` are refused
/// rather than read by `Double`'s more lenient parser.
func parseSeconds(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    var number = Substring(text)
    var factor = 1.0
    for (suffix, f) in units where text.hasSuffix(suffix) {
        if suffix == "s" && text.hasSuffix("ms") { continue }
        number = number.dropLast(suffix.count)
        factor = f
        break
    }
    let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
        return nil
    }
    return Double(number).map { $0 * factor }
}

extension Context {
    /// A path parameter the route declares.
    func path(_ name: String) throws -> String {
        guard let value = parameters.get(name) else {
            throw Problem.badRequest("missing path parameter '\(name)'")
        }
        return value.removingPercentEncoding ?? value
    }
}

/// Whether the server has finished recovery, and what every middleware needs to know.
final class ServerState: Sendable {
    private let ready = Atomic<Bool>(false)
    let tokens: TokenStore
    /// `http://host:port` values this server is reached at (its own pages are not cross-origin).
    let selfOriginsBox = Mutex<[String]>([])

    init(tokens: TokenStore) { self.tokens = tokens }

    var isReady: Bool { ready.load(ordering: .acquiring) }
    func markReady() { ready.store(true, ordering: .releasing) }
    var selfOrigins: @Sendable () -> [String] { { self.selfOriginsBox.withLock { $0 } } }
}
