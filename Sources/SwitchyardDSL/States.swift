public import SwitchyardCore
public import SwitchyardExpressions

/// `<state>` in the Swift DSL: atomic when its body has no child states, compound otherwise.
///
/// ```swift
/// State("review", initial: "waiting") {
///     OnEntry { Assign("reviews", "reviews + 1") }
///     State("waiting") { On("approve", to: "approved") }
///     On("withdraw", to: "withdrawn")
/// }
/// ```
public struct State: StateContent {
    let spec: NodeSpec

    /// A state with id `id`. `initial` names the child entered by default (the first child
    /// state when nil).
    public init(
        _ id: String, initial: String? = nil, fileID: StaticString = #fileID, line: UInt = #line,
        column: UInt = #column, @StateBuilder _ body: () -> [StateElement] = { [] }
    ) {
        spec = NodeSpec(
            kind: .state, id: id, initial: initial.map { [$0] } ?? [], elements: body(),
            location: SourceLocation(fileID: fileID, line: line, column: column))
    }

    /// The state as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .node(spec))] }
}

/// `<parallel>` in the Swift DSL: every child state is active at once.
public struct Parallel: StateContent {
    let spec: NodeSpec

    /// A parallel state with id `id` whose children are its regions.
    public init(
        _ id: String, fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column,
        @StateBuilder _ body: () -> [StateElement]
    ) {
        spec = NodeSpec(
            kind: .parallel, id: id, initial: [], elements: body(),
            location: SourceLocation(fileID: fileID, line: line, column: column))
    }

    /// The state as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .node(spec))] }
}

/// `<final>` in the Swift DSL. Entering it completes its parent (`done.state.<parent>`); a
/// top-level final state ends the machine.
public struct Final: StateContent {
    let spec: NodeSpec

    /// A final state with id `id`; its body may hold ``OnEntry`` and ``OnExit``.
    public init(
        _ id: String, fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column,
        @StateBuilder _ body: () -> [StateElement] = { [] }
    ) {
        spec = NodeSpec(
            kind: .final, id: id, initial: [], elements: body(),
            location: SourceLocation(fileID: fileID, line: line, column: column))
    }

    /// The state as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .node(spec))] }
}

/// `<history>` in the Swift DSL: a pseudo-state that re-enters what was active when its parent
/// was last exited (`.shallow`: the direct children; `.deep`: every descendant), or `default`
/// when the parent was never exited.
public struct History: StateContent {
    let spec: NodeSpec

    /// A history state of type `type` whose default transition goes to `defaultTarget`.
    public init(
        _ id: String, _ type: HistoryType = .shallow, default defaultTarget: String,
        fileID: StaticString = #fileID, line: UInt = #line, column: UInt = #column
    ) {
        let location = SourceLocation(fileID: fileID, line: line, column: column)
        let transition = TransitionSpec(
            events: [], targets: [defaultTarget], cond: nil, guardClosure: nil, type: .external, actions: [],
            location: location)
        spec = NodeSpec(
            kind: .history(type), id: id, initial: [],
            elements: [StateElement(kind: .transition(transition))],
            location: location)
    }

    /// The state as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .node(spec))] }
}

/// `<data>` in the Swift DSL: a data model variable, declared in the machine or in a state.
public struct Variable: StateContent {
    let declaration: DataDeclaration

    /// A variable initialised with the expression `expr` (undefined when nil).
    public init(
        _ id: String, expr: String? = nil, fileID: StaticString = #fileID, line: UInt = #line,
        column: UInt = #column
    ) {
        let location = SourceLocation(fileID: fileID, line: line, column: column)
        declaration = DataDeclaration(
            id: id, expr: expr.map { ExpressionSource($0, at: location) }, location: location)
    }

    /// A variable initialised with a value (written into the document as its JSON text).
    public init(
        _ id: String, _ value: Value, fileID: StaticString = #fileID, line: UInt = #line,
        column: UInt = #column
    ) {
        self.init(id, expr: value.jsonString() ?? "undefined", fileID: fileID, line: line, column: column)
    }

    /// The declaration as one element.
    public var stateElements: [StateElement] { [StateElement(kind: .variable(declaration))] }
}
