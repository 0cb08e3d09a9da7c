import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Switchyard

extension API {
    func addInstanceRoutes(_ router: Router<Context>) {
        router.put("/v1/instances/:id") { request, context in
            try await putInstance(try context.path("id"), request)
        }
        router.post("/v1/machines/:name/instances") { request, context in
            try await createInstance(machine: try context.path("name"), request)
        }
        router.get("/v1/instances") { request, _ in try await listInstances(request) }
        router.get("/v1/instances/:id") { request, context in
            try await getInstance(try context.path("id"), request)
        }
        router.get("/v1/instances/:id/journal") { request, context in
            try await journal(try context.path("id"), request)
        }
        router.post("/v1/instances/:id/cancel") { _, context in try await cancel(try context.path("id")) }
    }

    // MARK: Starting

    /// `PUT /v1/instances/{id}` `{machine, data, conflictPolicy, correlationKey}`.
    func putInstance(_ id: String, _ request: Request) async throws -> Response {
        try Self.checkInstanceID(id)
        let body = try await jsonObject(
            request, allowed: ["machine", "data", "conflictPolicy", "correlationKey"])
        guard case .string(let machine)? = body["machine"] else {
            throw Problem.invalidBody("field 'machine' (the machine name, a string) is required")
        }
        let policy: ConflictPolicy
        switch body["conflictPolicy"] {
        case nil, .string("useExisting")?: policy = .useExisting
        case .string("fail")?: policy = .fail
        case .string("terminateExisting")?: policy = .terminateExisting
        default:
            throw Problem.invalidBody(
                "field 'conflictPolicy' must be \"useExisting\", \"fail\" or \"terminateExisting\"")
        }
        return try await start(machine: machine, id: id, body: body, policy: policy)
    }

    /// `POST /v1/machines/{name}/instances` `{data, correlationKey}`: starts one under a new id.
    func createInstance(machine: String, _ request: Request) async throws -> Response {
        let body = try await jsonObject(request, allowed: ["data", "correlationKey"])
        let id = "\(machine)-\(UUID().uuidString.lowercased().prefix(13))"
        return try await start(machine: machine, id: id, body: body, policy: .fail)
    }

    private func start(machine: String, id: String, body: JSObject, policy: ConflictPolicy) async throws
        -> Response
    {
        let data = try Self.namedValues(body["data"], field: "data")
        var key: String?
        switch body["correlationKey"] {
        case nil, .null?: key = nil
        case .string(let k)?: key = k
        default: throw Problem.invalidBody("field 'correlationKey' must be a string")
        }
        guard engine.definitionVersions.contains(where: { $0.name == machine }) else {
            throw Problem.unknownMachine(machine)
        }
        let outcome: StartOutcome
        do {
            outcome = try await engine.start(
                machine, id: id, data: data, correlationKey: key, onConflict: policy)
        } catch {
            throw problem(error)
        }
        var headers = HTTPFields()
        headers[.location] = "/v1/instances/\(id)"
        let representation = try await instanceValue(id)
        if let seq = representation.seq { headers[.eTag] = "\"\(seq)\"" }
        return json(representation.value, status: outcome == .started ? .created : .ok, headers: headers)
    }

    /// An id to start an instance under: 1 to 200 characters (Unicode scalars, as JSON Schema's
    /// `maxLength` counts them) without '/' or line breaks, as `openapi.yaml`'s `NewInstanceID`
    /// says.
    static func checkInstanceID(_ id: String) throws {
        guard !id.isEmpty, id.unicodeScalars.count <= 200, !id.contains(where: { $0.isNewline || $0 == "/" })
        else {
            throw Problem.unprocessable("instance id must be 1 to 200 characters without '/' or line breaks")
        }
    }

    /// A JSON object's members as named values (`data`); nil or null is none.
    static func namedValues(_ value: Value?, field: String) throws -> [NamedValue] {
        switch value {
        case nil, .null?: return []
        case .object(let o)?: return o.properties.map { NamedValue($0.key, $0.value) }
        case let v?: throw Problem.invalidBody("field '\(field)' must be a JSON object, not \(jsonKind(v))")
        }
    }

    // MARK: Reading

    /// The instance as JSON and its newest durable journal sequence.
    func instanceValue(_ id: String) async throws -> (value: Value, seq: Int64?) {
        let row: StoredInstance?
        do {
            row = try await store.instance(id)
        } catch {
            throw Problem.storeUnavailable(error.message)
        }
        let snapshot = await engine.snapshot(id)
        guard row != nil || snapshot != nil else { throw Problem.unknownInstance(id) }
        var o = JSObject()
        o["id"] = .string(id)
        o["machine"] = .string(snapshot?.definition ?? row?.definitionName ?? "")
        if let snapshot {
            o["version"] = .number(Double(snapshot.version))
            let (status, final) = statusText(snapshot.status)
            o["status"] = .string(status)
            o["finalState"] = final.map { .string($0) } ?? .null
            o["configuration"] = .array(snapshot.configuration.map { .string($0) })
            o["data"] = .object(JSObject(snapshot.data.map { ($0.name, $0.value) }))
            o["pendingTimers"] = .array(
                snapshot.pendingTimers.map { t in
                    .object(
                        JSObject([
                            ("sendId", .string(t.sendID)), ("event", .string(t.event.name)),
                            ("due", .string(InstanceHistory.timestampText(t.dueNanoseconds))),
                        ]))
                })
            o["activities"] = .array(snapshot.activities.map { .string($0) })
            o["children"] = .object(
                JSObject(snapshot.children.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
            o["parent"] = snapshot.parent.map { .string($0) } ?? .null
        } else if let row {
            o["status"] = .string(row.status)
            o["finalState"] = row.finalState.map { .string($0) } ?? .null
            let last = try? await engine.history(of: id).entries.last
            o["configuration"] = .array((last?.configuration ?? []).map { .string($0) })
            o["data"] = .object(JSObject())
            o["pendingTimers"] = .array([])
        }
        if let row {
            o["seq"] = .number(Double(row.lastSeq))
            o["startedAt"] = .string(InstanceHistory.timestampText(row.startedAt))
            o["updatedAt"] = .string(InstanceHistory.timestampText(row.updatedAt))
        }
        return (.object(o), row?.lastSeq)
    }

    func statusText(_ status: InstanceStatus) -> (String, String?) {
        switch status {
        case .running: ("running", nil)
        case .finished(let f): ("finished", f)
        case .stopped: ("stopped", nil)
        }
    }

    /// `GET /v1/instances/{id}[?afterSeq=N&timeout=30s]`; `ETag` is the journal sequence, so
    /// `If-None-Match` answers 304 while nothing changed.
    func getInstance(_ id: String, _ request: Request) async throws -> Response {
        // Both are checked even when there is nothing to wait for: a malformed timeout is a 400,
        // never silently ignored.
        let after = try request.integerQuery("afterSeq")
        let timeout = try request.durationQuery("timeout", max: configuration.maxWaitSeconds)
        if let after {
            try await waitForChange(id, after: Int64(after), timeout: timeout ?? .seconds(30))
        }
        let (value, seq) = try await instanceValue(id)
        var headers = HTTPFields()
        if let seq {
            headers[.eTag] = "\"\(seq)\""
            if let match = request.headers[.ifNoneMatch], match == "\"\(seq)\"" {
                return Response(status: .notModified, headers: headers)
            }
        }
        return json(value, headers: headers)
    }

    /// Waits until the instance's durable journal passes `after`, at most `timeout`.
    func waitForChange(_ id: String, after: Int64, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let row: StoredInstance?
            do {
                row = try await store.instance(id)
            } catch {
                throw Problem.storeUnavailable(error.message)
            }
            guard let row else {
                if await engine.snapshot(id) == nil { throw Problem.unknownInstance(id) }
                return
            }
            if row.lastSeq > after || row.status != "running" { return }
            let left = deadline - ContinuousClock.now
            if left <= .zero || hub.isClosed { return }
            // The hub wakes us when the instance commits; the bounded wait covers a commit
            // that landed between the read above and the registration.
            _ = await hub.wait(for: id, after: row.lastSeq, timeout: min(left, .seconds(1)))
        }
    }

    /// `GET /v1/instances/{id}/journal?afterSeq=&limit=`: journal records of every run of the
    /// id, oldest first.
    func journal(_ id: String, _ request: Request) async throws -> Response {
        let after = Int64(try request.integerQuery("afterSeq") ?? 0)
        let limit = try request.integerQuery("limit", max: 1000) ?? 100
        let entries = try await journalEntries(id, after: after)
        let page = entries.prefix(limit)
        var o = JSObject()
        o["instance"] = .string(id)
        o["entries"] = .array(page.map(\.value))
        o["nextAfterSeq"] =
            page.count == limit && entries.count > limit ? .number(Double(page.last?.seq ?? after)) : .null
        return json(.object(o))
    }

    /// Journal entries after `after`, with their run numbers.
    func journalEntries(_ id: String, after: Int64) async throws -> [JournalEntry] {
        let history: InstanceHistory
        do {
            history = try await engine.history(of: id)
        } catch .noSuchInstance {
            if await engine.snapshot(id) != nil { return [] }
            throw Problem.unknownInstance(id)
        } catch {
            throw problem(error)
        }
        var out: [JournalEntry] = []
        for run in history.runs {
            for e in run.entries where e.seq > after { out.append(JournalEntry(run: run.number, entry: e)) }
        }
        return out
    }

    // MARK: Listing

    /// `GET /v1/instances?machine=&status=&state=&data.FIELD=&inactiveFor=&limit=&cursor=`:
    /// keyset pagination by id.
    func listInstances(_ request: Request) async throws -> Response {
        let limit = try request.integerQuery("limit", max: 1000) ?? 100
        let cursor = request.query("cursor")
        let machine = request.query("machine")
        let status = request.query("status")
        if let status, !["running", "finished", "stopped"].contains(status) {
            throw Problem.invalidParameter("status", "must be running, finished or stopped, got '\(status)'")
        }
        let state = request.query("state")
        var fields: [(String, String)] = []
        for (key, value) in request.uri.queryParameters where key.hasPrefix("data.") {
            fields.append((String(key.dropFirst(5)), String(value)))
        }
        let inactive = try request.durationQuery("inactiveFor", max: 3650 * 86400)
        let known: Set<String> = ["limit", "cursor", "machine", "status", "state", "inactiveFor"]
        for (key, _) in request.uri.queryParameters
        where !key.hasPrefix("data.") && !known.contains(String(key)) {
            throw Problem.invalidParameter(
                String(key),
                "unknown parameter (expected one of: \(known.sorted().joined(separator: ", ")), data.FIELD)")
        }
        // Only fields a machine declares with `sy:searchable` can be searched by.
        var searchable: [String: Set<String>] = [:]
        if !fields.isEmpty {
            let names = machine.map { [$0] } ?? Array(Set(engine.definitionVersions.map(\.name)))
            for name in names { searchable[name] = await searchableFields(name) }
            for (field, _) in fields where !searchable.values.contains(where: { $0.contains(field) }) {
                throw Problem.invalidParameter(
                    "data.\(field)",
                    machine.map {
                        "field '\(field)' is not searchable in machine '\($0)' (declare it with sy:searchable)"
                    }
                        ?? "no deployed machine declares field '\(field)' searchable (sy:searchable)")
            }
        }
        let rows: [StoredInstance]
        do {
            rows = try await store.instances()
        } catch {
            throw Problem.storeUnavailable(error.message)
        }
        let now = engine.clock.now()
        var page: [Value] = []
        var last: String?
        var more = false
        for row in rows {
            if let cursor, row.id <= cursor { continue }
            if let machine, row.definitionName != machine { continue }
            if let status, row.status != status { continue }
            if let inactive, Duration.nanoseconds(now - row.updatedAt) < inactive { continue }
            var snapshot: InstanceSnapshot?
            if !fields.isEmpty,
                !fields.allSatisfy({ searchable[row.definitionName]?.contains($0.0) ?? false })
            {
                continue
            }
            if state != nil || !fields.isEmpty {
                guard row.status == "running", let s = await engine.snapshot(row.id) else { continue }
                if let state, !s.isActive(state) { continue }
                if !fields.allSatisfy({ (name, text) in
                    s.value(of: name).map { Self.matches($0, text) } ?? false
                }) {
                    continue
                }
                snapshot = s
            }
            if page.count == limit {
                more = true
                break
            }
            var o = JSObject([
                ("id", .string(row.id)), ("machine", .string(row.definitionName)),
                ("status", .string(row.status)),
                ("seq", .number(Double(row.lastSeq))),
                ("updatedAt", .string(InstanceHistory.timestampText(row.updatedAt))),
            ])
            if row.status == "running", let s = snapshot {
                o["configuration"] = .array(s.configuration.map { .string($0) })
            } else if row.status == "running", let s = await engine.snapshot(row.id) {
                o["configuration"] = .array(s.configuration.map { .string($0) })
            }
            page.append(.object(o))
            last = row.id
        }
        return json(
            .object(
                JSObject([
                    ("instances", .array(page)),
                    ("nextCursor", more ? last.map { .string($0) } ?? .null : .null),
                ])))
    }

    /// The fields any version of the machine declares searchable.
    func searchableFields(_ machine: String) async -> Set<String> {
        var fields = Set(catalog.deployedVersions(machine).flatMap { $0.document.searchableFields })
        if fields.isEmpty, let stored = try? await store.definitions() {
            for d in stored where d.name == machine {
                if let doc = try? JSONDecoder().decode(SCXMLDocument.self, from: Data(d.document.utf8)) {
                    fields.formUnion(doc.searchableFields)
                }
            }
        }
        return fields
    }

    /// Whether a data value matches a query text: strings by equality, numbers numerically,
    /// booleans as `true`/`false`.
    static func matches(_ value: Value, _ text: String) -> Bool {
        switch value {
        case .string(let s): s == text
        case .number(let n): Double(text) == n
        case .bool(let b): text == (b ? "true" : "false")
        case .null: text == "null"
        default: false
        }
    }

    // MARK: Cancelling

    /// `POST /v1/instances/{id}/cancel`: stops a running instance (timers and activities
    /// cancelled).
    func cancel(_ id: String) async throws -> Response {
        if await engine.stop(id) {
            return json(.object(JSObject([("id", .string(id)), ("status", .string("stopped"))])))
        }
        if await engine.snapshot(id) != nil { throw Problem.instanceFinished(id) }
        let row = try? await store.instance(id)
        if row != nil { throw Problem.instanceFinished(id) }
        throw Problem.unknownInstance(id)
    }
}

/// One journal record as the API shows it.
struct JournalEntry: Sendable {
    var run: Int
    var entry: InstanceHistory.Entry

    var seq: Int64 { entry.seq }

    var value: Value {
        var o = JSObject([
            ("seq", .number(Double(entry.seq))), ("run", .number(Double(run))), ("kind", .string(entry.kind)),
            ("time", .string(entry.timestamp ?? InstanceHistory.timestampText(entry.time))),
            ("event", entry.event.map { .string($0) } ?? .null),
            ("eventId", entry.eventID.map { .string($0) } ?? .null),
            ("configuration", .array(entry.configuration.map { .string($0) })),
            ("entered", .array(entry.entered.map { .string($0) })),
            ("exited", .array(entry.exited.map { .string($0) })),
        ])
        if let data = entry.data, data != .undefined { o["data"] = data }
        if let due = entry.dueTimestamp { o["due"] = .string(due) }
        return .object(o)
    }
}
