import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Switchyard

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}

extension API {
    func addEventRoutes(_ router: Router<Context>) {
        router.post("/v1/instances/:id/events") { request, context in
            try await sendEvent(try context.path("id"), request)
        }
        router.post("/v1/machines/:name/events") { request, context in
            try await sendCorrelated(machine: try context.path("name"), request)
        }
    }

    /// An event as a request body gives it.
    struct EventRequest {
        var name: String
        var data: Value
        var key: String?
    }

    /// Reads `{name, data, eventId}` (+ `Idempotency-Key`) from a body.
    func eventRequest(_ request: Request, body: JSObject) throws -> EventRequest {
        guard case .string(let name)? = body["name"], !name.isEmpty else {
            throw Problem.invalidBody("field 'name' (the event name, a non-empty string) is required")
        }
        // Lengths count Unicode scalars, as JSON Schema's maxLength in openapi.yaml does.
        guard name.unicodeScalars.count <= 256, !name.contains(where: { $0.isWhitespace }) else {
            throw Problem.invalidBody("field 'name' must be at most 256 characters without spaces")
        }
        let data = body["data"] ?? .undefined
        var key = request.headers[.idempotencyKey]
        switch body["eventId"] {
        case nil, .null?: break
        case .string(let id)?:
            if let key, key != id {
                throw Problem.invalidBody("the Idempotency-Key header and field 'eventId' differ")
            }
            key = id
        default: throw Problem.invalidBody("field 'eventId' must be a string")
        }
        if let key, key.isEmpty || key.unicodeScalars.count > 200 {
            throw Problem.invalidBody("the idempotency key must be 1 to 200 characters")
        }
        return EventRequest(name: name, data: data, key: key)
    }

    /// `POST /v1/instances/{id}/events[?wait=processed]` `{name, data, eventId}`.
    func sendEvent(_ id: String, _ request: Request) async throws -> Response {
        let wait = request.query("wait")
        if let wait, wait != "processed" && wait != "journaled" {
            throw Problem.invalidParameter("wait", "must be 'processed' or 'journaled', got '\(wait)'")
        }
        let body = try await jsonObject(request, allowed: ["name", "data", "eventId"])
        let event = try eventRequest(request, body: body)
        let answer = try await deliver(event, to: id)
        return respond(answer, processed: wait == "processed")
    }

    /// What a delivered (or deduplicated) event answers.
    struct DeliveryAnswer {
        var instanceID: String
        var receipt: DeliveryReceipt
        var sequence: Int64?
        var started: Bool? = nil
    }

    func respond(_ answer: DeliveryAnswer, processed: Bool) -> Response {
        var o = JSObject([
            ("instance", .string(answer.instanceID)),
            ("seq", answer.sequence.map { .number(Double($0)) } ?? .null),
            ("duplicate", .bool(answer.receipt.duplicate)),
        ])
        if let started = answer.started { o["started"] = .bool(started) }
        if processed {
            o["handled"] = answer.receipt.handled.map { .bool($0) } ?? .null
            o["configuration"] = .array(answer.receipt.configuration.map { .string($0) })
        }
        return json(.object(o), status: processed ? .ok : .accepted)
    }

    /// Delivers the event (waiting until it is journaled and processed). A retry with the same
    /// idempotency key applies nothing and answers like the first delivery; the same key with
    /// another event is a 422.
    func deliver(_ event: EventRequest, to id: String) async throws -> DeliveryAnswer {
        let receipt: DeliveryReceipt
        do {
            receipt = try await engine.deliverAndWait(
                Event(event.name, data: event.data), to: id, eventID: event.key)
        } catch {
            throw problem(error)
        }
        guard receipt.duplicate, let key = event.key else {
            return DeliveryAnswer(instanceID: id, receipt: receipt, sequence: receipt.sequence)
        }
        // The first delivery of this key may still be committing: look for its record a few
        // times, woken by the hub when the instance commits.
        for _ in 0..<20 {
            let entries = try await journalEntries(id, after: 0)
            if let first = entries.last(where: { $0.entry.eventID == key }) {
                let sameName = first.entry.event == event.name
                let recorded = first.entry.data ?? .undefined
                let sameData =
                    recorded == event.data || (Self.isAbsent(recorded) && Self.isAbsent(event.data))
                guard sameName && sameData else {
                    throw Problem.idempotencyConflict(
                        key,
                        "it was first used for event '\(first.entry.event ?? "?")' with other data; use a new key for a different event"
                    )
                }
                var original = receipt
                original.configuration = first.entry.configuration
                return DeliveryAnswer(instanceID: id, receipt: original, sequence: first.seq)
            }
            let newest = entries.last?.seq ?? 0
            _ = await hub.wait(for: id, after: newest, timeout: .milliseconds(250))
        }
        return DeliveryAnswer(instanceID: id, receipt: receipt, sequence: nil)
    }

    static func isAbsent(_ v: Value) -> Bool {
        if case .undefined = v { return true }
        if case .null = v { return true }
        return false
    }

    /// `POST /v1/machines/{name}/events` `{name, correlationKey, data, eventId, startIfAbsent,
    /// startData}`: delivers to the running instance of the machine with this correlation key,
    /// or (with `startIfAbsent`) starts one and delivers to it. The instance id is
    /// `<machine>:<correlationKey>`, so concurrent calls with one key find the same instance.
    func sendCorrelated(machine: String, _ request: Request) async throws -> Response {
        let body = try await jsonObject(
            request, allowed: ["name", "data", "eventId", "correlationKey", "startIfAbsent", "startData"])
        let event = try eventRequest(request, body: body)
        guard case .string(let key)? = body["correlationKey"], !key.isEmpty else {
            throw Problem.invalidBody("field 'correlationKey' (a non-empty string) is required")
        }
        var startIfAbsent = false
        switch body["startIfAbsent"] {
        case nil, .null?: break
        case .bool(let b)?: startIfAbsent = b
        default: throw Problem.invalidBody("field 'startIfAbsent' must be a boolean")
        }
        let startData = try Self.namedValues(body["startData"], field: "startData")
        guard engine.definitionVersions.contains(where: { $0.name == machine }) else {
            throw Problem.unknownMachine(machine)
        }
        let id = "\(machine):\(key)"
        try Self.checkInstanceID(id)
        var started = false
        let running = await engine.snapshot(id)?.status.isRunning ?? false
        if !running {
            guard startIfAbsent else {
                throw Problem(
                    status: 404, slug: "no-correlated-instance",
                    title: "No running instance has this correlation key",
                    detail:
                        "no running instance of '\(machine)' has correlation key '\(key)' (send startIfAbsent: true to start one)"
                )
            }
            do {
                started =
                    try await engine.start(
                        machine, id: id, data: startData, correlationKey: key, onConflict: .useExisting)
                    == .started
            } catch {
                throw problem(error)
            }
        }
        var answer = try await deliver(event, to: id)
        answer.started = started
        return respond(answer, processed: true)
    }
}
