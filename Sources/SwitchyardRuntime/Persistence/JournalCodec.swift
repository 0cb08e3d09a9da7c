import Foundation
import SwitchyardCore
import SwitchyardExpressions

/// An input an instance processes: what one journal record holds, decoded.
enum InstanceInput: Sendable {
    case start(StartPayload)
    case event(Event)
    /// A delayed send fired: which one, and when it was due (the record's time is when it
    /// fired — later for a timer that fell due while the engine was down). `due` is nil in
    /// records written before it was kept.
    case timer(sendID: String, seq: UInt64, due: Int64?)
    case activityResult(invokeID: String, generation: Int, Result<Value, ActivityError>)
    case activityTimeout(invokeID: String, generation: Int)
    case activityRetry(invokeID: String, generation: Int)
    case compensationFinished(Event)
    case stop
    case migrate(fromHash: String, toHash: String)

    var kind: JournalKind {
        switch self {
        case .start: .start
        case .event: .event
        case .timer: .timer
        case .activityResult: .activityResult
        case .activityTimeout: .activityTimeout
        case .activityRetry: .activityRetry
        case .compensationFinished: .compensationFinished
        case .stop: .stop
        case .migrate: .migrate
        }
    }
}

/// What a `start` record holds.
struct StartPayload: Sendable {
    var definitionHash: String
    var definitionName: String
    var data: [NamedValue]
    var correlationKey: String?
    /// For an invoked child: the parent instance and the invoke id (the record's event id is
    /// the parent's start message id).
    var parent: String? = nil
    var invokeID: String? = nil
}

/// Encodes journal payloads as compact JSON with the expression language's own JSON writer and
/// parser (several times faster than Foundation's coders, which matters for recovery time).
/// Values JSON cannot hold exactly (`undefined`, NaN, ±Infinity, -0, functions) fall back to
/// `Value`'s exact `Codable` form, so replay always sees the very value that was processed.
enum JournalCodec {
    static func encode(_ input: InstanceInput) -> String {
        // The commonest record — an external event without data or ids — has an empty payload:
        // its name is in the record's `event` column, and recovery parses nothing.
        if case .event(let e) = input, e.kind == .external, e.data == .undefined, e.sendID == nil,
            e.origin == nil, e.originType == nil, e.invokeID == nil, e.raw == nil
        {
            return ""
        }
        var o = JSObject()
        switch input {
        case .start(let p):
            o["definition"] = .string(p.definitionHash)
            o["name"] = .string(p.definitionName)
            var data = JSObject()
            for item in p.data { data[item.name] = item.value }
            put(.object(data), "data", into: &o)
            if let key = p.correlationKey { o["correlationKey"] = .string(key) }
            if let parent = p.parent { o["parent"] = .string(parent) }
            if let invokeID = p.invokeID { o["invokeID"] = .string(invokeID) }
        case .event(let e), .compensationFinished(let e):
            putEvent(e, into: &o)
        case .timer(let sendID, let seq, let due):
            o["sendID"] = .string(sendID)
            o["seq"] = .number(Double(seq))
            if let due { o["due"] = .number(Double(due)) }
        case .activityResult(let invokeID, let generation, let result):
            o["invokeID"] = .string(invokeID)
            o["generation"] = .number(Double(generation))
            switch result {
            case .success(let v): put(v, "value", into: &o)
            case .failure(let e):
                var err = JSObject()
                err["kind"] = .string(e.kind)
                err["message"] = .string(e.message)
                err["retryable"] = .bool(e.retryable)
                o["error"] = .object(err)
            }
        case .activityTimeout(let invokeID, let generation), .activityRetry(let invokeID, let generation):
            o["invokeID"] = .string(invokeID)
            o["generation"] = .number(Double(generation))
        case .stop:
            break
        case .migrate(let from, let to):
            o["from"] = .string(from)
            o["to"] = .string(to)
        }
        return Value.object(o).jsonString() ?? "{}"
    }

    /// Decodes a payload; `event` is the record's event name (the whole of an empty payload).
    static func decode(kind: JournalKind, payload: String, event eventName: String?) throws(StoreError)
        -> InstanceInput
    {
        if payload.isEmpty, kind == .event, let eventName { return .event(Event(eventName)) }
        let value: Value
        do throws(ExpressionError) {
            value = try Value.parseJSON(payload)
        } catch {
            throw StoreError(.invalidRecord, "journal payload is not JSON: \(error.message)")
        }
        guard case .object(let o) = value else {
            throw StoreError(.invalidRecord, "journal payload is not an object")
        }
        func string(_ key: String) throws(StoreError) -> String {
            guard case .string(let s)? = o[key] else {
                throw StoreError(.invalidRecord, "journal \(kind.rawValue) record lacks '\(key)'")
            }
            return s
        }
        func int(_ key: String) throws(StoreError) -> Int {
            guard case .number(let n)? = o[key], n.isFinite, n >= 0, n < 9e15 else {
                throw StoreError(.invalidRecord, "journal \(kind.rawValue) record lacks '\(key)'")
            }
            return Int(n)
        }
        switch kind {
        case .start:
            var data: [NamedValue] = []
            if case .object(let d) = try take("data", from: o) {
                for (k, v) in d.properties { data.append(NamedValue(k, v)) }
            }
            var key: String?
            if case .string(let s)? = o["correlationKey"] { key = s }
            var parent: String?
            var invokeID: String?
            if case .string(let s)? = o["parent"] { parent = s }
            if case .string(let s)? = o["invokeID"] { invokeID = s }
            return .start(
                StartPayload(
                    definitionHash: try string("definition"), definitionName: try string("name"), data: data,
                    correlationKey: key, parent: parent, invokeID: invokeID))
        case .event: return .event(try event(o))
        case .compensationFinished: return .compensationFinished(try event(o))
        case .timer:
            var due: Int64?
            if case .number(let n)? = o["due"], n.isFinite { due = Int64(n) }
            return .timer(sendID: try string("sendID"), seq: UInt64(try int("seq")), due: due)
        case .activityResult:
            let invokeID = try string("invokeID")
            let generation = try int("generation")
            if case .object(let e)? = o["error"] {
                var kindText = "error"
                var message = ""
                var retryable = true
                if case .string(let s)? = e["kind"] { kindText = s }
                if case .string(let s)? = e["message"] { message = s }
                if case .bool(let b)? = e["retryable"] { retryable = b }
                return .activityResult(
                    invokeID: invokeID, generation: generation,
                    .failure(ActivityError(kind: kindText, message: message, retryable: retryable)))
            }
            return .activityResult(
                invokeID: invokeID, generation: generation, .success(try take("value", from: o)))
        case .activityTimeout:
            return .activityTimeout(invokeID: try string("invokeID"), generation: try int("generation"))
        case .activityRetry:
            return .activityRetry(invokeID: try string("invokeID"), generation: try int("generation"))
        case .stop: return .stop
        case .migrate: return .migrate(fromHash: try string("from"), toHash: try string("to"))
        }
    }

    // MARK: Events

    private static func putEvent(_ e: Event, into o: inout JSObject) {
        o["name"] = .string(e.name)
        o["type"] = .string(e.kind.rawValue)
        if let s = e.sendID { o["sendid"] = .string(s) }
        if let s = e.origin { o["origin"] = .string(s) }
        if let s = e.originType { o["origintype"] = .string(s) }
        if let s = e.invokeID { o["invokeid"] = .string(s) }
        if e.data != .undefined { put(e.data, "data", into: &o) }
        if let s = e.raw { o["raw"] = .string(s) }
    }

    private static func event(_ o: JSObject) throws(StoreError) -> Event {
        guard case .string(let name)? = o["name"] else {
            throw StoreError(.invalidRecord, "journal event record lacks 'name'")
        }
        var kind = Event.Kind.external
        if case .string(let k)? = o["type"], let parsed = Event.Kind(rawValue: k) { kind = parsed }
        func opt(_ key: String) -> String? {
            if case .string(let s)? = o[key] { return s }
            return nil
        }
        var event = Event(
            name, kind: kind, data: try take("data", from: o), sendID: opt("sendid"), origin: opt("origin"),
            originType: opt("origintype"), invokeID: opt("invokeid"))
        if let raw = opt("raw") { event.raw = raw }
        return event
    }

    // MARK: Exact values

    /// Stores `v` under `key` as plain JSON when that is exact, else under `key$` in `Value`'s
    /// tagged `Codable` form.
    private static func put(_ v: Value, _ key: String, into o: inout JSObject) {
        if isPlainJSON(v, depth: 0) {
            o[key] = v
        } else if let data = try? JSONEncoder().encode(v) {
            o[key + "$"] = .string(String(decoding: data, as: UTF8.self))
        }
    }

    private static func take(_ key: String, from o: JSObject) throws(StoreError) -> Value {
        if let v = o[key] { return v }
        if case .string(let text)? = o[key + "$"] {
            do {
                return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
            } catch {
                throw StoreError(.invalidRecord, "journal value '\(key)' cannot be decoded: \(error)")
            }
        }
        return .undefined
    }

    private static func isPlainJSON(_ v: Value, depth: Int) -> Bool {
        guard depth < 200 else { return false }
        switch v {
        case .null, .bool, .string: return true
        case .number(let d): return d.isFinite && !(d == 0 && d.sign == .minus)
        case .array(let a): return a.allSatisfy { isPlainJSON($0, depth: depth + 1) }
        case .object(let o): return o.properties.allSatisfy { isPlainJSON($0.value, depth: depth + 1) }
        case .undefined, .function, .regex: return false
        }
    }
}
