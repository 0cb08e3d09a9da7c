import SwitchyardCore

/// Something that may stand inside a ``Machine`` or a state of the Swift DSL: a ``State``,
/// ``Parallel``, ``Final``, ``History``, a transition (``On``, ``Always``), ``OnEntry``,
/// ``OnExit`` or a ``Variable``.
public protocol StateContent: Sendable {
    /// The elements this content adds to the enclosing state, in order.
    var stateElements: [StateElement] { get }
}

/// One element of a state's body in the Swift DSL, as collected by ``StateBuilder``.
///
/// Opaque: create elements with the DSL types (``State``, ``On``, ...).
public struct StateElement: Sendable {
    enum Kind: Sendable {
        case node(NodeSpec)
        case transition(TransitionSpec)
        case onEntry([ActionElement])
        case onExit([ActionElement])
        case variable(DataDeclaration)
    }
    let kind: Kind
}

/// A state-like node before it becomes a ``StateNode``.
struct NodeSpec: Sendable {
    var kind: StateKind
    var id: String?
    var initial: [String]
    var elements: [StateElement]
    var location: SourceLocation
}

/// A transition before it becomes a ``Transition``: the model fields plus the Swift guard.
struct TransitionSpec: Sendable {
    var events: [String]
    var targets: [String]
    var cond: String?
    var guardClosure: GuardClosure?
    var type: TransitionType
    var actions: [ActionElement]
    var location: SourceLocation
}

/// Collects the body of a ``Machine`` or a state: states, transitions, entry and exit blocks and
/// variables, in the order written. `if`, `if`/`else` and `for` are allowed, so a body can be
/// generated.
@resultBuilder public enum StateBuilder {
    /// One piece of content.
    public static func buildExpression(_ content: some StateContent) -> [StateElement] {
        content.stateElements
    }

    /// Already collected elements.
    public static func buildExpression(_ elements: [StateElement]) -> [StateElement] { elements }

    /// The pieces of a body, in order.
    public static func buildBlock(_ parts: [StateElement]...) -> [StateElement] { parts.flatMap { $0 } }

    /// An `if` without `else`.
    public static func buildOptional(_ part: [StateElement]?) -> [StateElement] { part ?? [] }

    /// The `if` branch of an `if`/`else`.
    public static func buildEither(first part: [StateElement]) -> [StateElement] { part }

    /// The `else` branch of an `if`/`else`.
    public static func buildEither(second part: [StateElement]) -> [StateElement] { part }

    /// A `for` loop.
    public static func buildArray(_ parts: [[StateElement]]) -> [StateElement] { parts.flatMap { $0 } }
}

extension SourceLocation {
    /// The location of a DSL call in Swift source, so diagnostics point at the Swift line.
    init(fileID: StaticString, line: UInt, column: UInt) {
        self.init(file: "\(fileID)", line: Int(line), column: Int(column))
    }
}
