public import SwitchyardExpressions

/// Runs Switchyard's extension actions (`<sy:action name="...">` and other elements in the
/// `urn:switchyard:scxml:1` namespace inside executable content).
///
/// The interpreter calls ``perform(_:context:)`` synchronously, in document order, inside the
/// macrostep; it must not block. Throwing raises `error.execution` in the machine and stops the
/// rest of the block (SCXML 4.9), like any other failing executable content.
public protocol CustomActionHandler: Sendable {
    /// Performs `action`, reading and writing the data model through `context`.
    func perform(_ action: CustomAction, context: inout CustomActionContext) throws
}

/// One extension action as the handler sees it.
public struct CustomAction: Sendable {
    /// The `name` of `<sy:action>`, or the local name of another `sy:` element.
    public var name: String
    /// The evaluated `<sy:param>` children, in document order.
    public var params: [NamedValue]
    /// The element as written (other attributes, children, text).
    public var element: ForeignElement

    public init(name: String, params: [NamedValue], element: ForeignElement) {
        self.name = name
        self.params = params
        self.element = element
    }

    /// The value of the parameter with this name (nil when absent).
    public func param(_ name: String) -> Value? { params.first { $0.name == name }?.value }
}

/// What a custom action may see and change: the instance id, the event being processed and the
/// data model.
public struct CustomActionContext: Sendable {
    /// The instance's session id.
    public let sessionID: String
    /// The event being processed (nil while the instance starts).
    public let event: Event?
    var environment: Environment

    /// The value of a data model variable (nil when not declared).
    public func value(of name: String) -> Value? { environment.value(named: name) }

    /// Sets a data model variable, declaring it when the document did not. System variables
    /// (`_event`, `_sessionid`, ...) are read-only: setting one throws.
    public mutating func setValue(_ value: Value, for name: String) throws(CustomActionError) {
        if let slot = environment.symbols.slot(of: name) {
            guard !environment.symbols.isReadOnly(slot) else {
                throw CustomActionError("'\(name)' is read-only")
            }
            environment[slot] = value
        } else {
            _ = environment.declare(name, value: value)
        }
    }
}

/// A failure of a custom action; becomes the message of the `error.execution` it raises.
public struct CustomActionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
