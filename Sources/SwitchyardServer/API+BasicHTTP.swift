import HTTPTypes
import Hummingbird
import NIOCore
import Switchyard

extension API {
    /// `POST /v1/basichttp/{id}?key=...`: an event for instance `id` through the W3C Basic HTTP
    /// Event I/O Processor (SCXML D.2.2). Authorised by the location's capability key (or a
    /// bearer token with the `write` scope); `Idempotency-Key` makes a repeat apply nothing.
    /// Answers 200 once the event is journaled and processed.
    func receiveBasicHTTP(_ request: Request, id: String) async throws -> Response {
        if let key = request.uri.queryParameters.get("key") {
            guard basicHTTP.accepts(key: key, forSession: id) else {
                throw Problem.forbidden("the key is not the Basic HTTP key of instance '\(id)'")
            }
        } else {
            guard let header = request.headers[.authorization] else {
                throw Problem.unauthorized(
                    "POST to an instance's Basic HTTP location (with its key), or send a bearer token")
            }
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                let token = state.tokens.authenticate(parts[1].trimmingCharacters(in: .whitespaces))
            else { throw Problem.unauthorized("the bearer token is not valid") }
            guard token.scope >= .write else {
                throw Problem.forbidden(
                    "token '\(token.name)' has scope \(token.scope.rawValue); this needs write")
            }
        }
        let buffer = try await body(request)
        let event = try BasicHTTPEndpoint.event(request, body: buffer)
        let key = request.headers[.idempotencyKey]
        let receipt: DeliveryReceipt
        do {
            receipt = try await engine.deliverAndWait(event, to: id, eventID: key.map { "basichttp:\($0)" })
        } catch {
            throw problem(error)
        }
        return json(
            .object(
                JSObject([
                    ("instance", .string(id)), ("event", .string(event.name)),
                    ("duplicate", .bool(receipt.duplicate)),
                ])), status: .ok)
    }
}
