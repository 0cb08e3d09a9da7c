public import SwitchyardCore
import SwitchyardExpressions

/// Executable content in the Swift DSL: ``Assign``, ``Raise``, ``Log``, ``Send``, ``Script``
/// and ``Execute`` (a Swift closure).
public protocol ExecutableContent: Sendable {
    /// The actions this content adds, in order.
    var actionElements: [ActionElement] { get }
}

/// One action of an entry, exit or transition block in the Swift DSL. Opaque: create actions
/// with the DSL types.
public struct ActionElement: Sendable {
    enum Kind: Sendable {
        case model(Action)
        case closure(name: String?, ActionBody, SourceLocation)
    }
    let kind: Kind
}

/// Collects executable content in the order written; `if`, `if`/`else` and `for` are allowed.
@resultBuilder public enum ActionBuilder {
    /// One action.
    public static func buildExpression(_ content: some ExecutableContent) -> [ActionElement] {
        content.actionElements
    }

    /// Already collected actions.
    public static func buildExpression(_ elements: [ActionElement]) -> [ActionElement] { elements }

    /// The actions of a block, in order.
    public static func buildBlock(_ parts: [ActionElement]...) -> [ActionElement] { parts.flatMap { $0 } }

    /// An `if` without `else`.
    public static func buildOptional(_ part: [ActionElement]?) -> [ActionElement] { part ?? [] }

    /// The `if` branch of an `if`/`else`.
    public static func buildEither(first part: [ActionElement]) -> [ActionElement] { part }

    /// The `else` branch of an `if`/`else`.
    public static func buildEither(second part: [ActionElement]) -> [ActionElement] { part }

    /// A `for` loop.
    public static func buildArray(_ parts: [[ActionElement]]) -> [ActionElement] { parts.flatMap { $0 } }
}

/// `<onentry>` in the Swift DSL: actions run when the state is entered. Each `OnEntry` is its
/// own block (an error in one does not stop the next).
public struct OnEntry: StateContent {
    let actions: [ActionElement]

    /// An entry block.
    public init(@ActionBuilder _ actions: () -> [ActionElement]) { self.actions = actions() }

    /// The block as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .onEntry(actions))] }
}

/// `<onexit>` in the Swift DSL: actions run when the state is exited.
public struct OnExit: StateContent {
    let actions: [ActionElement]

    /// An exit block.
    public init(@ActionBuilder _ actions: () -> [ActionElement]) { self.actions = actions() }

    /// The block as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .onExit(actions))] }
}

/// `<assign location="..." expr="..."/>`: sets a variable (or a property path) to the value of
/// an expression.
public struct Assign: ExecutableContent {
    let action: Action

    /// Assigns the value of `expr` to `location` (`amount`, `order.total`, ...).
    public init(
        _ location: String, _ expr: String, fileID: StaticString = #fileID, line: UInt = #line,
        column: UInt = #column
    ) {
        let at = SourceLocation(fileID: fileID, line: line, column: column)
        action = .assign(
            AssignAction(
                locationExpr: ExpressionSource(location, at: at), expr: ExpressionSource(expr, at: at),
                location: at))
    }

    /// The action.
    public var actionElements: [ActionElement] { [ActionElement(kind: .model(action))] }
}

/// `<raise event="..."/>`: puts an event on the internal queue.
public struct Raise: ExecutableContent {
    let action: Action

    /// Raises `event`.
    public init(_ event: String, fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column) {
        action = .raise(
            RaiseAction(event: event, location: SourceLocation(fileID: fileID, line: line, column: column)))
    }

    /// The action.
    public var actionElements: [ActionElement] { [ActionElement(kind: .model(action))] }
}

/// `<log label="..." expr="..."/>`: a log effect with the value of an expression.
public struct Log: ExecutableContent {
    let action: Action

    /// Logs the value of `expr` (e.g. `"'approved by ' + reviewer"`) with an optional label.
    public init(
        _ expr: String, label: String? = nil, fileID: StaticString = #fileID, line: UInt = #line,
        column: UInt = #column
    ) {
        let at = SourceLocation(fileID: fileID, line: line, column: column)
        action = .log(LogAction(label: label, expr: ExpressionSource(expr, at: at), location: at))
    }

    /// The action.
    public var actionElements: [ActionElement] { [ActionElement(kind: .model(action))] }
}

/// `<send event="..." target="..." delay="..."/>`: sends an event, now or after a delay.
public struct Send: ExecutableContent {
    let action: Action

    /// Sends `event` to `target` (the machine itself when nil) after `delay` (`"30s"`, `"24h"`;
    /// none when nil). `id` names the send for `<cancel>`; `namelist` names variables whose
    /// values go along as the event's data.
    public init(
        _ event: String, to target: String? = nil, delay: String? = nil, id: String? = nil,
        namelist: [String] = [], fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column
    ) {
        action = .send(
            SendAction(
                event: event, target: target, id: id, delay: delay, namelist: namelist,
                location: SourceLocation(fileID: fileID, line: line, column: column)))
    }

    /// The action.
    public var actionElements: [ActionElement] { [ActionElement(kind: .model(action))] }
}

/// `<script>`: statements of the expression language.
public struct Script: ExecutableContent {
    let action: Action

    /// Runs `source` (e.g. `"var t = total; total = t * 2"`).
    public init(_ source: String, fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column)
    {
        let at = SourceLocation(fileID: fileID, line: line, column: column)
        action = .script(ScriptAction(source: ExpressionSource(source, at: at), location: at))
    }

    /// The action.
    public var actionElements: [ActionElement] { [ActionElement(kind: .model(action))] }
}

/// A Swift closure as an action, or a call of a named `<sy:action>`.
///
/// The closure runs synchronously inside the macrostep with a `CustomActionContext`: the
/// session id, the event and read/write access to the data model. Throwing raises
/// `error.execution` and stops the rest of the block, like any failing executable content. The
/// closure must not block and should be deterministic (see `HostBindings`).
///
/// ```swift
/// OnEntry {
///     Execute { context in
///         try context.setValue(.string("alice"), for: "reviewer")
///     }
/// }
/// ```
public struct Execute: ExecutableContent {
    let element: ActionElement

    /// A Swift action. With a `name`, the document shows `<sy:action name="NAME">` (names must
    /// be unique in the machine); without one, a generated name.
    public init(
        _ name: String? = nil, fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column,
        _ body: @escaping ActionBody
    ) {
        element = ActionElement(
            kind: .closure(name: name, body, SourceLocation(fileID: fileID, line: line, column: column)))
    }

    /// A call of the action registered elsewhere (e.g. `Engine.registerAction`) as `name`:
    /// `<sy:action name="NAME"/>`.
    public init(
        named name: String, fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column
    ) {
        let at = SourceLocation(fileID: fileID, line: line, column: column)
        element = ActionElement(
            kind: .model(
                .extension(
                    ForeignElement(
                        namespace: SCXMLNamespace.switchyard, name: "action",
                        attributes: [
                            ForeignAttribute(namespace: nil, name: "name", value: name, location: at)
                        ],
                        location: at))))
    }

    /// The action.
    public var actionElements: [ActionElement] { [element] }
}
