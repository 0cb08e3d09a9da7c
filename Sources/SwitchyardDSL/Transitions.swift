public import SwitchyardCore
public import SwitchyardExpressions

/// What a Swift guard closure sees: the event being processed and the machine's variables.
///
/// The variables are those declared with ``Variable`` anywhere in the machine, read when the
/// guard runs (a late-bound variable not yet initialised is undefined).
public struct GuardContext: Sendable {
    /// `_event` as the data model sees it: an object with `name`, `type`, `data`, ...
    /// (undefined while the machine starts).
    public let event: Value
    /// The declared variables and their current values.
    public let data: JSObject

    /// The name of the event being processed (nil while the machine starts).
    public var eventName: String? {
        guard case .object(let o) = event, case .string(let name)? = o["name"] else { return nil }
        return name
    }

    /// The event's data (undefined when it has none).
    public var eventData: Value {
        guard case .object(let o) = event else { return .undefined }
        return o["data"] ?? .undefined
    }

    /// The current value of variable `name` (undefined when it is not declared).
    public subscript(name: String) -> Value { data[name] ?? .undefined }
}

/// A guard written in Swift. Throwing counts as a failing `cond`: the transition is not taken
/// and `error.execution` is raised.
public typealias GuardClosure = @Sendable (GuardContext) throws -> Bool

/// `<transition event="...">` in the Swift DSL.
///
/// ```swift
/// On("approve", to: "approved", guard: "amount < 10000")     // an expression guard
/// On("approve", to: "escalated").when { $0["amount"].jsNumber >= 10_000 }   // a Swift guard
/// On("ping") { Log("'pong'") }                                // targetless
/// On("split", to: "a2", "b2")                                 // several targets
/// ```
public struct On: StateContent {
    var spec: TransitionSpec

    /// A transition on `events` (space-separated descriptors such as `submit`, `error.*`, `*`)
    /// to `targets` (none: targetless), taken when `guard` (an expression) is true.
    public init(
        _ events: String, to targets: String..., guard cond: String? = nil, type: TransitionType = .external,
        fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column,
        @ActionBuilder actions: () -> [ActionElement] = { [] }
    ) {
        spec = TransitionSpec(
            events: events.split(separator: " ").map(String.init), targets: targets, cond: cond,
            guardClosure: nil, type: type, actions: actions(),
            location: SourceLocation(fileID: fileID, line: line, column: column))
    }

    /// The same transition with a Swift guard. With an expression guard too, both must be true
    /// (the expression is evaluated first).
    public func when(_ guardClosure: @escaping GuardClosure) -> On {
        var copy = self
        copy.spec.guardClosure = guardClosure
        return copy
    }

    /// The transition as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .transition(spec))] }
}

/// An eventless transition (`<transition>` without `event`) in the Swift DSL: taken as soon as
/// its guard holds, after every microstep.
public struct Always: StateContent {
    var spec: TransitionSpec

    /// An eventless transition to `targets`, taken when `guard` (an expression) is true.
    public init(
        to targets: String..., guard cond: String? = nil, type: TransitionType = .external,
        fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column,
        @ActionBuilder actions: () -> [ActionElement] = { [] }
    ) {
        spec = TransitionSpec(
            events: [], targets: targets, cond: cond, guardClosure: nil, type: type, actions: actions(),
            location: SourceLocation(fileID: fileID, line: line, column: column))
    }

    /// The same transition with a Swift guard (and-ed with an expression guard).
    public func when(_ guardClosure: @escaping GuardClosure) -> Always {
        var copy = self
        copy.spec.guardClosure = guardClosure
        return copy
    }

    /// The transition as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .transition(spec))] }
}
