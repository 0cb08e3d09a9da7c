public import SwitchyardExpressions

/// An SCXML event (SCXML 5.10.1): what `_event` holds while the event is processed.
///
/// A value type with copy-on-write storage: events are queued, forwarded and journaled often,
/// so a copy costs one reference count, not one per field.
public struct Event: Hashable, Sendable, Codable {
    /// Where an event came from.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Raised by the processor itself (`error.*`, `done.*`).
        case platform
        /// Raised by `<raise>` or `<send target="#_internal">`.
        case `internal`
        /// Everything else: sent by this or another session, a timer or the application.
        case external
    }

    @usableFromInline final class Storage: @unchecked Sendable {
        // Mutated only while uniquely referenced (copy-on-write), so sharing across threads is
        // safe, and no access overlaps another: the dynamic exclusivity checks (a runtime call
        // on every read of every event field) are skipped.
        @usableFromInline @exclusivity(unchecked) var name: String
        @exclusivity(unchecked) var kind: Kind
        @exclusivity(unchecked) var sendID: String?
        @exclusivity(unchecked) var origin: String?
        @exclusivity(unchecked) var originType: String?
        @usableFromInline @exclusivity(unchecked) var invokeID: String?
        @exclusivity(unchecked) var data: Value
        @exclusivity(unchecked) var raw: String?

        init(
            name: String, kind: Kind, sendID: String?, origin: String?, originType: String?,
            invokeID: String?,
            data: Value, raw: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.sendID = sendID
            self.origin = origin
            self.originType = originType
            self.invokeID = invokeID
            self.data = data
            self.raw = raw
        }

        func copy() -> Storage {
            Storage(
                name: name, kind: kind, sendID: sendID, origin: origin, originType: originType,
                invokeID: invokeID,
                data: data, raw: raw)
        }
    }

    // Readable from inlinable getters: runners check the name and invoke id of every event.
    @usableFromInline var storage: Storage

    /// An event sharing `storage` (the interpreter rebuilds its current event this way).
    init(sharing storage: Storage) { self.storage = storage }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    public init(
        _ name: String, kind: Kind = .external, data: Value = .undefined, sendID: String? = nil,
        origin: String? = nil,
        originType: String? = nil, invokeID: String? = nil
    ) {
        storage = Storage(
            name: name, kind: kind, sendID: sendID, origin: origin, originType: originType,
            invokeID: invokeID,
            data: data)
    }

    /// The event name, e.g. `document.submitted`.
    public var name: String {
        @inlinable get { storage.name }
        set { unique().name = newValue }
    }
    /// Platform, internal or external (`_event.type`).
    public var kind: Kind {
        get { storage.kind }
        set { unique().kind = newValue }
    }
    /// The `id` of the `<send>` that produced it, if any.
    public var sendID: String? {
        get { storage.sendID }
        set { unique().sendID = newValue }
    }
    /// The URI of the sender (e.g. `#_scxml_<sessionid>`) when it can receive replies.
    public var origin: String? {
        get { storage.origin }
        set { unique().origin = newValue }
    }
    /// The I/O processor type of the sender.
    public var originType: String? {
        get { storage.originType }
        set { unique().originType = newValue }
    }
    /// Whether ``invokeID`` is set (without copying it: runners ask for every event).
    @inlinable public var hasInvokeID: Bool { storage.invokeID != nil }

    /// For events from an invoked child: the invoke id.
    public var invokeID: String? {
        @inlinable get { storage.invokeID }
        set { unique().invokeID = newValue }
    }
    /// The payload.
    public var data: Value {
        get { storage.data }
        set { unique().data = newValue }
    }
    /// The message as the I/O processor received it (`_event.raw`), e.g. the HTTP request of an
    /// event that came through the Basic HTTP Event I/O Processor; nil for events that did not
    /// arrive as a message.
    public var raw: String? {
        get { storage.raw }
        set { unique().raw = newValue }
    }

    /// Events are equal when all their fields are.
    public static func == (a: Event, b: Event) -> Bool {
        a.storage === b.storage
            || (a.name == b.name && a.kind == b.kind && a.sendID == b.sendID && a.origin == b.origin
                && a.originType == b.originType && a.invokeID == b.invokeID && a.data == b.data
                && a.raw == b.raw)
    }

    /// Hashes the name, kind and ids.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(kind)
        hasher.combine(sendID)
        hasher.combine(invokeID)
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, sendID, origin, originType, invokeID, data, raw
    }

    /// Decodes the form written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try c.decode(String.self, forKey: .name), kind: try c.decode(Kind.self, forKey: .kind),
            data: try c.decodeIfPresent(Value.self, forKey: .data) ?? .undefined,
            sendID: try c.decodeIfPresent(String.self, forKey: .sendID),
            origin: try c.decodeIfPresent(String.self, forKey: .origin),
            originType: try c.decodeIfPresent(String.self, forKey: .originType),
            invokeID: try c.decodeIfPresent(String.self, forKey: .invokeID))
        if let raw = try c.decodeIfPresent(String.self, forKey: .raw) { self.raw = raw }
    }

    /// Encodes the fields by name; `data` is left out when undefined.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(sendID, forKey: .sendID)
        try c.encodeIfPresent(origin, forKey: .origin)
        try c.encodeIfPresent(originType, forKey: .originType)
        try c.encodeIfPresent(invokeID, forKey: .invokeID)
        if data != .undefined { try c.encode(data, forKey: .data) }
        try c.encodeIfPresent(raw, forKey: .raw)
    }

    /// A platform error event (`error.execution`, `error.communication`, ...) whose data is
    /// `{message, location}` (location only when known).
    public static func platformError(
        _ name: String, message: String, at location: SourceLocation? = nil, sendID: String? = nil
    ) -> Event {
        var data = JSObject()
        data["message"] = .string(message)
        if let location { data["location"] = .string(location.description) }
        return Event(name, kind: .platform, data: .object(data), sendID: sendID)
    }

    /// The SCXML event I/O processor type URI.
    public static let scxmlProcessorType = "http://www.w3.org/TR/scxml/#SCXMLEventProcessor"
    /// The Basic HTTP Event I/O Processor type URI (SCXML D.2).
    public static let basicHTTPProcessorType = "http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor"
}
