import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Switchyard

extension API {
    func addStreamRoutes(_ router: Router<Context>) {
        router.get("/v1/instances/:id/stream") { request, context in
            try await stream(try context.path("id"), request)
        }
    }

    /// `GET /v1/instances/{id}/stream`: Server-Sent Events, one per journal record (each record
    /// is one macrostep's input), `id:` the journal sequence. `Last-Event-ID` (or `?afterSeq=`)
    /// resumes after that record, so a reconnecting client misses nothing. The stream ends
    /// after the record that finishes the instance, and when the server shuts down.
    func stream(_ id: String, _ request: Request) async throws -> Response {
        // `afterSeq` is checked even when Last-Event-ID (which wins) is sent.
        var after = Int64(try request.integerQuery("afterSeq") ?? 0)
        if let last = request.headers[.lastEventID] {
            let digits = last.trimmingCharacters(in: .whitespaces)
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(digits) else {
                throw Problem.badRequest("Last-Event-ID must be a journal sequence number, got '\(last)'")
            }
            after = n
        }
        // Unknown ids are a 404 before the stream starts.
        let first = try await journalEntries(id, after: after)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let api = self
        let start = after
        let body = ResponseBody { writer in
            var sent = start
            var pending = first
            var lastWrite = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while true {
                for e in pending {
                    try await writer.write(ByteBuffer(string: Self.sseEvent(e)))
                    sent = e.seq
                    lastWrite = ContinuousClock.now
                }
                if api.hub.isClosed { break }
                let row = try? await api.store.instance(id)
                if let row, row.status != "running", row.lastSeq <= sent { break }
                let woke = await api.hub.wait(for: id, after: sent, timeout: .seconds(1))
                if woke == nil && ContinuousClock.now - lastWrite > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = ContinuousClock.now
                }
                pending = (try? await api.journalEntries(id, after: sent)) ?? []
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static func sseEvent(_ e: JournalEntry) -> String {
        let data = e.value.jsonString() ?? "{}"
        return "id: \(e.seq)\nevent: \(e.entry.kind)\ndata: \(data)\n\n"
    }
}
