import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Switchyard

extension API {
    func addOperationRoutes(_ router: Router<Context>) {
        router.get("/v1/dead-letters") { request, _ in try deadLetters(request) }
        router.post("/v1/dead-letters/:id/replay") { _, context in
            try await replayDeadLetter(try context.path("id"))
        }
        router.delete("/v1/dead-letters/:id") { _, context in
            try await discardDeadLetter(try context.path("id"))
        }
    }

    func deadLetterValue(_ d: DeadLetter) -> Value {
        var o = JSObject([
            ("id", .string(String(d.id))), ("event", .string(d.event.name)),
            ("instance", d.instanceID.map { .string($0) } ?? .null),
            ("reason", .string(d.reason.description)),
            ("at", .string(InstanceHistory.timestampText(d.atNanoseconds))),
        ])
        if d.event.data != .undefined { o["data"] = d.event.data }
        return .object(o)
    }

    /// `GET /v1/dead-letters?limit=`: oldest first.
    func deadLetters(_ request: Request) throws -> Response {
        let limit = try request.integerQuery("limit", max: 10_000) ?? 1000
        let letters = engine.deadLetters
        return json(
            .object(
                JSObject([
                    ("deadLetters", .array(letters.prefix(limit).map(deadLetterValue))),
                    ("total", .number(Double(letters.count))),
                ])))
    }

    func deadLetterID(_ text: String) throws -> UInt64 {
        guard let id = UInt64(text) else { throw Problem.unknownDeadLetter(text) }
        return id
    }

    /// `POST /v1/dead-letters/{id}/replay`: sends the event again (to its instance, or through
    /// the router).
    func replayDeadLetter(_ text: String) async throws -> Response {
        let id = try deadLetterID(text)
        let n = await engine.replayDeadLetters { $0.id == id }
        guard n > 0 else { throw Problem.unknownDeadLetter(text) }
        return json(.object(JSObject([("replayed", .number(Double(n)))])))
    }

    /// `DELETE /v1/dead-letters/{id}`.
    func discardDeadLetter(_ text: String) async throws -> Response {
        let id = try deadLetterID(text)
        let n = await engine.discardDeadLetters { $0.id == id }
        guard n > 0 else { throw Problem.unknownDeadLetter(text) }
        return json(.object(JSObject([("discarded", .number(Double(n)))])))
    }
}
