public import SwitchyardExpressions

/// Something the interpreter asks its executor to do. The interpreter performs no I/O; it returns
/// effects in the order the document produced them, and the executor carries them out in order.
public enum Effect: Hashable, Sendable, Codable {
    /// Deliver `event` to `target` now.
    case send(event: Event, target: SendTarget)
    /// Deliver `event` to `target` after `delay`. `sendID` identifies it for `<cancel>`.
    case schedule(sendID: String, delay: Duration, event: Event, target: SendTarget)
    /// Cancel the delayed send with this id if it has not been delivered yet (no-op otherwise).
    case cancel(sendID: String)
    /// Start a child session or activity.
    case invoke(InvokeRequest)
    /// Stop the invocation with this id (its state was exited).
    case cancelInvoke(invokeID: String)
    /// `<log>` output.
    case log(label: String?, message: String)
    /// The session reached a top-level final state; `data` is its `<donedata>`.
    case done(data: Value)
}

/// Where a `<send>` goes (SCXML 6.2.4, C.1).
public enum SendTarget: Hashable, Sendable, Codable {
    /// The session's own external queue (no target given).
    case this
    /// The session that invoked this one (`#_parent`).
    case parent
    /// An invoked child (`#_<invokeid>`).
    case invoked(String)
    /// Another session by id (`#_scxml_<sessionid>`).
    case session(String)
    /// Another URI the executor may know how to reach (e.g. an instance id in the engine).
    case uri(String)
    /// An `http:`/`https:` URL reached through the Basic HTTP Event I/O Processor (SCXML D.2):
    /// the executor's host POSTs the event there.
    case basicHTTP(String)
}

/// What an `<invoke>` asks the executor to start.
public struct InvokeRequest: Hashable, Sendable, Codable {
    /// The invocation id (from `id`, `idlocation`, or generated as `stateid.N`).
    public var invokeID: String
    /// The type URI (`http://www.w3.org/TR/scxml/`, `scxml`, `activity`, ...).
    public var type: String
    /// The `src` (evaluated), if any.
    public var src: String?
    /// Inline content: a child document, or a value.
    public var content: InvokeContent?
    /// Values of `<param>`s and `namelist`, by name.
    public var params: [NamedValue]
    /// Whether external events of the invoking session are forwarded to the child.
    public var autoforward: Bool
    /// The id of the state whose `<invoke>` this is.
    public var stateID: String
    /// The directory of the invoking document (resolves a relative `src`).
    public var baseDirectory: String?

    public init(
        invokeID: String, type: String, src: String?, content: InvokeContent?, params: [NamedValue],
        autoforward: Bool, stateID: String, baseDirectory: String?
    ) {
        self.invokeID = invokeID
        self.type = type
        self.src = src
        self.content = content
        self.params = params
        self.autoforward = autoforward
        self.stateID = stateID
        self.baseDirectory = baseDirectory
    }
}

/// Inline `<content>` of an `<invoke>`.
public enum InvokeContent: Hashable, Sendable, Codable {
    case document(SCXMLDocument)
    case value(Value)
}

/// A name with a value (an event parameter, an invoke parameter).
public struct NamedValue: Hashable, Sendable, Codable {
    /// The name.
    public var name: String
    /// The value.
    public var value: Value
    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}
