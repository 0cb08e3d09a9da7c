import Foundation
import SwitchyardExpressions

/// An RFC 9457 problem document: every error answer of the HTTP API.
///
/// `type` is a stable identifier (`urn:switchyard:problem:<slug>`) clients can switch on; `title`
/// is the same for every problem of a type; `detail` names what was wrong in this request (the
/// field, the instance, the event, the file position).
struct Problem: Error, Sendable {
    /// The HTTP status.
    var status: Int
    /// The slug after `urn:switchyard:problem:`.
    var slug: String
    var title: String
    var detail: String
    /// Members added to the document (`errors` with diagnostics, `instance`, ...).
    var extra: [(String, Value)] = []
    /// Headers added to the answer (`Retry-After`, `WWW-Authenticate`).
    var headers: [(String, String)] = []

    var type: String { "urn:switchyard:problem:\(slug)" }

    var document: Value {
        var o = JSObject([
            ("type", .string(type)), ("title", .string(title)), ("status", .number(Double(status))),
            ("detail", .string(detail)),
        ])
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    // MARK: The problem types

    static func badRequest(_ detail: String) -> Problem {
        Problem(status: 400, slug: "bad-request", title: "The request is malformed", detail: detail)
    }
    static func invalidBody(_ detail: String) -> Problem {
        Problem(status: 400, slug: "invalid-body", title: "The request body is not valid", detail: detail)
    }
    static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem(
            status: 400, slug: "invalid-parameter", title: "A query parameter is not valid",
            detail: "parameter '\(name)': \(detail)", extra: [("parameter", .string(name))])
    }
    static func unauthorized(_ detail: String) -> Problem {
        Problem(
            status: 401, slug: "unauthorized", title: "A bearer token is required", detail: detail,
            headers: [("WWW-Authenticate", "Bearer realm=\"switchyard\"")])
    }
    static func forbidden(_ detail: String) -> Problem {
        Problem(
            status: 403, slug: "forbidden", title: "The token lacks the scope this request needs",
            detail: detail)
    }
    static func originRefused(_ origin: String) -> Problem {
        Problem(
            status: 403, slug: "origin-refused", title: "Requests from this origin are refused",
            detail: "origin '\(origin)' is not allowed (start the server with --cors \(origin) to allow it)")
    }
    static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, slug: "not-found", title: "No such resource", detail: detail)
    }
    static func unknownMachine(_ name: String) -> Problem {
        Problem(
            status: 404, slug: "unknown-machine", title: "No machine is deployed under this name",
            detail: "no machine named '\(name)' is deployed", extra: [("machine", .string(name))])
    }
    static func unknownInstance(_ id: String) -> Problem {
        Problem(
            status: 404, slug: "unknown-instance", title: "No instance has this id",
            detail: "no instance '\(id)'", extra: [("instance", .string(id))])
    }
    static func unknownRuleSet(_ name: String) -> Problem {
        Problem(
            status: 404, slug: "unknown-rule-set", title: "No rule set is deployed under this name",
            detail: "no rule set named '\(name)' is deployed", extra: [("ruleSet", .string(name))])
    }
    static func unknownDeadLetter(_ id: String) -> Problem {
        Problem(
            status: 404, slug: "unknown-dead-letter", title: "No dead letter has this id",
            detail: "no dead letter \(id)")
    }
    /// A 405 with the `Allow` header RFC 9110 §15.5.6 requires.
    static func methodNotAllowed(_ method: String, _ path: String, _ allowed: [String]) -> Problem {
        Problem(
            status: 405, slug: "method-not-allowed", title: "The method is not allowed here",
            detail: "\(method) is not allowed on \(path) (allowed: \(allowed.joined(separator: ", ")))",
            headers: [("Allow", allowed.joined(separator: ", "))])
    }
    static func instanceExists(_ id: String) -> Problem {
        Problem(
            status: 409, slug: "instance-exists", title: "An instance with this id is running",
            detail: "instance '\(id)' is running (conflictPolicy \"fail\")",
            extra: [("instance", .string(id))])
    }
    static func instanceFinished(_ id: String) -> Problem {
        Problem(
            status: 409, slug: "instance-finished", title: "The instance has finished",
            detail: "instance '\(id)' has finished or was stopped; it takes no more events",
            extra: [("instance", .string(id))])
    }
    static func bodyTooLarge(_ limit: Int) -> Problem {
        Problem(
            status: 413, slug: "body-too-large", title: "The request body is too large",
            detail: "the body exceeds the limit of \(limit) bytes (--max-body)")
    }
    static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(
            status: 415, slug: "unsupported-media-type", title: "The body's media type is not accepted",
            detail: detail)
    }
    static func invalidMachine(_ detail: String, diagnostics: [Value]) -> Problem {
        Problem(
            status: 422, slug: "invalid-machine", title: "The machine document has errors", detail: detail,
            extra: [("errors", .array(diagnostics))])
    }
    static func idempotencyConflict(_ key: String, _ detail: String) -> Problem {
        Problem(
            status: 422, slug: "idempotency-key-reused",
            title: "The idempotency key was used for a different request",
            detail: "idempotency key '\(key)': \(detail)", extra: [("idempotencyKey", .string(key))])
    }
    static func unprocessable(_ detail: String) -> Problem {
        Problem(
            status: 422, slug: "unprocessable", title: "The request cannot be carried out", detail: detail)
    }
    static func busy(_ detail: String) -> Problem {
        Problem(
            status: 503, slug: "busy", title: "The engine is busy", detail: detail,
            headers: [("Retry-After", "1")])
    }
    static func notReady(_ detail: String) -> Problem {
        Problem(
            status: 503, slug: "not-ready", title: "The server is not ready", detail: detail,
            headers: [("Retry-After", "1")])
    }
    static func storeUnavailable(_ detail: String) -> Problem {
        Problem(
            status: 503, slug: "store-unavailable", title: "The database cannot be written", detail: detail,
            headers: [("Retry-After", "5")])
    }
    static func internalError(_ detail: String) -> Problem {
        Problem(status: 500, slug: "internal", title: "Internal server error", detail: detail)
    }
}
