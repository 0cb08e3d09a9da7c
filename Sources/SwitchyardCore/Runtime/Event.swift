public import SwitchyardExpressions

/// An SCXML event (SCXML 5.10.1): what `_event` holds while the event is processed.
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

    /// The event name, e.g. `document.submitted`.
    public var name: String
    public var kind: Kind
    /// The `id` of the `<send>` that produced it, if any.
    public var sendID: String?
    /// The URI of the sender (e.g. `#_scxml_<sessionid>`) when it can receive replies.
    public var origin: String?
    /// The I/O processor type of the sender.
    public var originType: String?
    /// For events from an invoked child: the invoke id.
    public var invokeID: String?
    /// The payload.
    public var data: Value

    public init(
        _ name: String, kind: Kind = .external, data: Value = .undefined, sendID: String? = nil, origin: String? = nil,
        originType: String? = nil, invokeID: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.data = data
        self.sendID = sendID
        self.origin = origin
        self.originType = originType
        self.invokeID = invokeID
    }

    /// The SCXML event I/O processor type URI.
    public static let scxmlProcessorType = "http://www.w3.org/TR/scxml/#SCXMLEventProcessor"
}
