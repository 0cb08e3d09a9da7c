import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every error a handler (or the router) throws into an RFC 9457 problem document, so no
/// answer is an empty error and no bad input becomes a 500.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return Self.response(problem)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                // The router answers 404 for a known path with another method; RFC 9110 §15.5.6
                // wants a 405 listing the methods the resource has (`Allow`).
                let allowed = OpenAPIDocument.methods(at: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                    return Self.response(
                        .methodNotAllowed(request.method.rawValue, request.uri.path, allowed))
                }
                return Self.response(.notFound("no route \(request.method) \(request.uri.path)"))
            case .methodNotAllowed:
                return Self.response(
                    .methodNotAllowed(
                        request.method.rawValue, request.uri.path,
                        OpenAPIDocument.methods(at: request.uri.path)))
            case .contentTooLarge:
                return Self.response(.bodyTooLarge(0))
            default:
                return Self.response(
                    Problem(
                        status: Int(error.status.code), slug: "http-\(error.status.code)",
                        title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase))
            }
        } catch is NIOTooManyBytesError {
            return Self.response(.bodyTooLarge(0))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("internal error on \(request.method) \(request.uri.path): \(error)")
            return Self.response(.internalError("the server failed to answer; the error is logged"))
        }
    }

    static func response(_ problem: Problem) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        for (name, value) in problem.headers {
            if let n = HTTPField.Name(name) { headers[n] = value }
        }
        let text = problem.document.jsonString() ?? "{}"
        return Response(
            status: HTTPResponse.Status(code: problem.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Refuses browser requests from origins not allowed with `--cors`, and answers CORS preflights
/// for the allowed ones. Requests without an `Origin` header (curl, servers) pass.
struct OriginMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let allowed: [String]
    let selfOrigins: @Sendable () -> [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let sameOrigin = selfOrigins().contains(origin)
        guard sameOrigin || allowed.contains(origin) || allowed.contains("*") else {
            throw Problem.originRefused(origin)
        }
        if request.method == .options {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS"
            headers[.accessControlAllowHeaders] =
                "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, If-None-Match"
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "ETag, Location"
        response.headers[.vary] = "Origin"
        return response
    }
}

/// Requires a bearer token with the scope the route needs (``AuthMiddleware/requiredScope(_:_:)``).
/// The token is compared in constant time and never logged (only its name is).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let tokens: TokenStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let needed = Self.requiredScope(request.method, request.uri.path) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("send 'Authorization: Bearer <token>' (\(needed.rawValue) scope)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        guard let token = tokens.authenticate(parts[1].trimmingCharacters(in: .whitespaces)) else {
            logger.notice("refused an unknown bearer token on \(request.method) \(request.uri.path)")
            throw Problem.unauthorized("the bearer token is not valid")
        }
        guard token.scope >= needed else {
            throw Problem.forbidden(
                "token '\(token.name)' has scope \(token.scope.rawValue); \(request.method) \(request.uri.path) needs \(needed.rawValue)"
            )
        }
        return try await next(request, context)
    }

    /// The scope a request needs; nil for the open endpoints (health, readiness, the OpenAPI
    /// document, CORS preflights).
    static func requiredScope(_ method: HTTPRequest.Method, _ path: String) -> Scope? {
        if method == .options { return nil }
        if path == "/healthz" || path == "/readyz" || path == "/openapi.yaml" { return nil }
        let segments = path.split(separator: "/")
        // A Basic HTTP location carries its own capability key; the handler checks it (or a
        // write token).
        if method == .post && segments.count == 3 && segments.starts(with: ["v1", "basichttp"]) {
            return nil
        }
        if method == .get || method == .head { return .read }
        // Deploying machines and handling dead letters is administration.
        if method == .post && segments == ["v1", "machines"] { return .admin }
        if segments.starts(with: ["v1", "dead-letters"]) { return .admin }
        return .write
    }
}

/// Records each request's latency by method, route and status.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            method: request.method.rawValue, route: ServerMetrics.route(request.uri.path),
            status: Int(response.status.code), duration: ContinuousClock.now - start)
        return response
    }
}
