import SwitchyardCore
import SwitchyardExpressions

/// Stores dead letters: the event as a journal `event` payload, the reason as its kind and a
/// JSON object of its details.
enum DeadLetterCodec {
    static func encode(_ letter: DeadLetter) -> StoredDeadLetter {
        var detail = JSObject()
        let kind: String
        switch letter.reason {
        case .noRoute: kind = "noRoute"
        case .noSuchInstance(let id):
            kind = "noSuchInstance"
            detail["instance"] = .string(id)
        case .instanceFinished(let id):
            kind = "instanceFinished"
            detail["instance"] = .string(id)
        case .filterError(let handler, let message):
            kind = "filterError"
            detail["handler"] = .number(Double(handler.rawValue))
            detail["message"] = .string(message)
        case .triggerFailed(let handler, let message):
            kind = "triggerFailed"
            detail["handler"] = .number(Double(handler.rawValue))
            detail["message"] = .string(message)
        case .unsupportedTarget(let target):
            kind = "unsupportedTarget"
            detail["target"] = .string(target)
        case .shutDown: kind = "shutDown"
        case .storeFailed(let message):
            kind = "storeFailed"
            detail["message"] = .string(message)
        }
        return StoredDeadLetter(
            id: letter.id, event: letter.event.name, payload: JournalCodec.encode(.event(letter.event)),
            instanceID: letter.instanceID, reason: kind, detail: Value.object(detail).jsonString() ?? "{}",
            at: letter.atNanoseconds)
    }

    static func decode(_ s: StoredDeadLetter) throws(StoreError) -> DeadLetter {
        guard
            case .event(let event) = try JournalCodec.decode(kind: .event, payload: s.payload, event: s.event)
        else { throw StoreError(.invalidRecord, "its event cannot be decoded") }
        let detail: JSObject
        do {
            guard case .object(let o) = try Value.parseJSON(s.detail) else {
                throw StoreError(.invalidRecord, "its reason details are not an object")
            }
            detail = o
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.invalidRecord, "its reason details are not JSON: \(error)")
        }
        func text(_ key: String) -> String {
            if case .string(let v)? = detail[key] { return v }
            return ""
        }
        func handler() -> HandlerID {
            if case .number(let n)? = detail["handler"], n >= 0, n.isFinite {
                return HandlerID(rawValue: UInt64(n))
            }
            return HandlerID(rawValue: 0)
        }
        let reason: DeadLetterReason
        switch s.reason {
        case "noRoute": reason = .noRoute
        case "noSuchInstance": reason = .noSuchInstance(text("instance"))
        case "instanceFinished": reason = .instanceFinished(text("instance"))
        case "filterError": reason = .filterError(handler: handler(), message: text("message"))
        case "triggerFailed": reason = .triggerFailed(handler: handler(), message: text("message"))
        case "unsupportedTarget": reason = .unsupportedTarget(text("target"))
        case "shutDown": reason = .shutDown
        case "storeFailed": reason = .storeFailed(text("message"))
        default: throw StoreError(.invalidRecord, "unknown reason '\(s.reason)'")
        }
        return DeadLetter(
            id: s.id, event: event, instanceID: s.instanceID, reason: reason, atNanoseconds: s.at)
    }
}
