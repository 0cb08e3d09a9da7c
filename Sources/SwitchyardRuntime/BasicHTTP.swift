public import SwitchyardCore
import SwitchyardExpressions
import Synchronization

#if canImport(Dispatch)
    import Dispatch
#endif

/// One event on its way out through the Basic HTTP Event I/O Processor (SCXML D.2): the POST a
/// ``BasicHTTPTransport`` makes.
///
/// The body is `application/x-www-form-urlencoded`. A named event travels in the
/// `_scxmleventname` field; the fields of `<param>`s and `namelist` follow, strings as they are
/// and other values as JSON text. A `<send>` with `<content>` instead sends the content itself,
/// percent-encoded, as the whole body, and the event name (if any) as a `_scxmleventname` query
/// parameter of the URL.
public struct BasicHTTPRequest: Sendable, Hashable {
    /// Where to POST: the `<send>` target, plus the event name for a content body.
    public var url: String
    /// `application/x-www-form-urlencoded`.
    public var contentType: String
    /// The encoded body.
    public var body: String
    /// The name of the event sent (empty for none: the receiver calls it `HTTP.POST`).
    public var eventName: String
    /// The instance that sent it.
    public var sender: String
    /// A key the receiver may use to recognise a repeated POST (a durable engine resends after a
    /// crash): sent as the `Idempotency-Key` header when set.
    public var idempotencyKey: String?

    /// Encodes `event` for `url`.
    public init(event: Event, url: String, sender: String, idempotencyKey: String? = nil) {
        self.sender = sender
        self.idempotencyKey = idempotencyKey
        eventName = event.name
        contentType = "application/x-www-form-urlencoded"
        var target = url
        var fields: [(String, String)] = []
        switch event.data {
        case .undefined, .null:
            body = ""
        case .object(let o):
            for (name, value) in o.properties { fields.append((name, Self.fieldText(value))) }
            body = ""
        case let content:
            body = FormEncoding.percentEncode(Self.fieldText(content))
            if !event.name.isEmpty {
                target +=
                    (url.contains("?") ? "&" : "?") + "_scxmleventname="
                    + FormEncoding.percentEncode(event.name)
            }
        }
        if body.isEmpty {
            if !event.name.isEmpty { fields.insert(("_scxmleventname", event.name), at: 0) }
            body = FormEncoding.encode(fields)
        }
        self.url = target
    }

    private static func fieldText(_ value: Value) -> String {
        switch value {
        case .string(let s): s
        case .object, .array: value.jsonString() ?? value.jsString
        default: value.jsString
        }
    }
}

/// Why a ``BasicHTTPTransport`` could not deliver a request: the `<send>`'s instance gets
/// `error.communication` with this message.
public struct BasicHTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, e.g. `POST http://host/x answered 404`.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Carries events of the W3C Basic HTTP Event I/O Processor (SCXML D.2) for an ``Engine`` or an
/// ``InstanceRunner``: it knows where each session receives events, and it POSTs the events
/// sessions send. `switchyard serve` provides one (its `/v1/basichttp/{id}` endpoint); the
/// conformance runner uses one on a loopback port.
public protocol BasicHTTPTransport: Sendable {
    /// The URL where session `id` receives events (`_ioprocessors.basichttp.location`), or nil
    /// when it cannot receive any.
    func location(ofSession id: String) -> String?

    /// POSTs `request` and calls `completion` once, when the receiver answered 2xx (success) or
    /// the request failed. It must not block; `completion` may run on any thread.
    func post(
        _ request: BasicHTTPRequest, completion: @escaping @Sendable (Result<Void, BasicHTTPError>) -> Void)

    /// Where events that arrive at session `id`'s location go when the session runs in an
    /// ``InstanceRunner`` (which has no engine to send them to): into `inbox`. The default does
    /// nothing.
    func receive(forSession id: String, into inbox: EventInbox)
}

extension BasicHTTPTransport {
    public func receive(forSession id: String, into inbox: EventInbox) {}

    /// ``post(_:completion:)`` for `async` callers.
    public func post(_ request: BasicHTTPRequest) async -> Result<Void, BasicHTTPError> {
        await withCheckedContinuation { continuation in
            post(request) { continuation.resume(returning: $0) }
        }
    }
}

/// Events for the sessions of an ``InstanceRunner`` that arrive from other threads (a Basic HTTP
/// receiver): the runner takes them in order whenever it looks for work.
public final class EventInbox: Sendable {
    private let items = Mutex<[(session: String, event: Event)]>([])

    public init() {}

    /// Queues `event` for the session `id`.
    public func post(_ event: Event, toSession id: String) {
        items.withLock { $0.append((id, event)) }
    }

    /// Takes every queued event, oldest first.
    func drain() -> [(session: String, event: Event)] {
        items.withLock { items in
            guard !items.isEmpty else { return [] }
            defer { items.removeAll() }
            return items
        }
    }
}

/// Decoding what arrives at a Basic HTTP location (SCXML D.2.2).
public enum BasicHTTPMessage {
    /// The event an HTTP request to a session's location becomes.
    ///
    /// Its name is the `_scxmleventname` form field, else the `_scxmleventname` query
    /// parameter, else `HTTP.<METHOD>` (e.g. `HTTP.POST`). A form body's other fields become
    /// `_event.data` (an object of strings); a form body without fields (`<content>`) becomes a
    /// string; a JSON body becomes its value; any other body a string. `_event.raw` is the
    /// request as text (request line, headers, blank line, body); `_event.origintype` is the
    /// Basic HTTP type URI.
    ///
    /// - Throws: ``BasicHTTPError`` when a JSON body does not parse.
    public static func event(
        method: String, target: String, headers: [(name: String, value: String)], body: String
    ) throws(BasicHTTPError) -> Event {
        var raw = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers { raw += "\(name): \(value)\r\n" }
        raw += "\r\n" + body
        var query: [(String, String)] = []
        if let q = target.firstIndex(of: "?") {
            query = FormEncoding.decode(String(target[target.index(after: q)...]))
        }
        let contentType =
            headers.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
        var name = query.last { $0.0 == "_scxmleventname" }?.1
        var data: Value = .undefined
        if contentType.hasPrefix("application/json") {
            do {
                data = body.isEmpty ? .undefined : try Value.parseJSON(body)
            } catch {
                throw BasicHTTPError("the JSON body does not parse: \(error.message)")
            }
        } else if contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") {
            if body.contains("=") {
                var fields = JSObject()
                for (key, value) in FormEncoding.decode(body) {
                    if key == "_scxmleventname" { name = value } else { fields[key] = .string(value) }
                }
                if !fields.isEmpty { data = .object(fields) }
            } else if !body.isEmpty {
                data = .string(FormEncoding.decodeComponent(body))
            }
        } else if !body.isEmpty {
            data = .string(body)
        }
        var event = Event(
            name.flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP.\(method.uppercased())", kind: .external,
            data: data, originType: Event.basicHTTPProcessorType)
        event.raw = raw
        return event
    }
}

/// `application/x-www-form-urlencoded` (WHATWG URL, 5): encoding with `%20` for spaces, decoding
/// `+` and `%20` alike.
public enum FormEncoding {
    /// `name=value&...`, each part percent-encoded.
    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// Every byte but the unreserved ones (RFC 3986: letters, digits, `-._~`) as `%XX`.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF")
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    /// The `name=value` pairs of a form body or query string, decoded.
    public static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (
                    decodeComponent(String(pair[..<eq])),
                    decodeComponent(String(pair[pair.index(after: eq)...]))
                )
            }
            return (decodeComponent(String(pair)), "")
        }
    }

    /// One component: `+` is a space, `%XX` a byte; malformed escapes stay as they are, and bytes
    /// that are not UTF-8 become U+FFFD.
    public static func decodeComponent(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), i + 2 < utf8.count,
                let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2])
            {
                bytes.append(hi << 4 | lo)
                i += 2
            } else {
                bytes.append(b)
            }
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension BasicHTTPTransport {
    /// Posts `request` and waits for the answer, blocking the calling thread (the
    /// ``InstanceRunner`` is synchronous). Never call it on a thread the transport needs.
    func postAndWait(_ request: BasicHTTPRequest) -> Result<Void, BasicHTTPError> {
        let outcome = Mutex<Result<Void, BasicHTTPError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        post(request) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0 } ?? .failure(BasicHTTPError("the transport did not answer"))
    }
}
