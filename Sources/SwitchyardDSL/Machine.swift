public import SwitchyardCore
import SwitchyardExpressions

/// A statechart written in Swift with result builders — the same model the SCXML loader builds.
///
/// A `Machine` turns its body into an `SCXMLDocument` plus the `HostBindings` for its
/// Swift closures; ``compile(options:)`` compiles both into a `MachineDefinition` through
/// exactly the validation an XML document goes through (duplicate ids, unknown targets, bad
/// expressions, ... as `DiagnosticList` errors positioned at the Swift line that wrote them).
/// The definition runs with `Interpreter`, `InstanceRunner` or the engine like any other.
///
/// ```swift
/// let definition = try Machine("door", initial: "closed") {
///     Variable("locked", .bool(false))
///     State("closed") {
///         On("open", to: "opened").when { !$0["locked"].truthy }
///         On("lock") { Assign("locked", "true") }
///     }
///     State("opened") {
///         OnEntry { Log("'door opened'") }
///         On("close", to: "closed")
///     }
/// }.compile()
/// ```
///
/// ## Swift guards and actions
///
/// A guard closure (``On/when(_:)``) becomes a function bound in `HostBindings` under a
/// generated name (`_dsl_guard_1`, ...), and the transition's `cond` calls it with `_event` and
/// an object of the declared variables: `_dsl_guard_1(_event, {"amount": amount})`. A closure
/// action (``Execute``) becomes `<sy:action name="...">` with the closure bound as that action.
/// The interpreter therefore needs no Swift-specific code: guards go through its ordinary `cond`
/// evaluation (a throwing closure raises `error.execution` and counts as false, like a failing
/// expression) and actions through its custom-action hook. The machine uses the `ecmascript`
/// data model unless told otherwise; Swift guards need it.
public struct Machine: Sendable {
    /// The document the body describes.
    public let document: SCXMLDocument
    /// The Swift guards and actions of the body.
    public let bindings: HostBindings
    /// Problems the DSL itself finds (content where SCXML does not allow it, two Swift actions
    /// with one name); reported by ``compile(options:)``.
    let problems: [Diagnostic]

    /// A machine named `name` (`<scxml name>`) starting in `initial` (the first state when nil).
    public init(
        _ name: String? = nil, initial: String? = nil, datamodel: String = "ecmascript",
        binding: DataBinding = .early, fileID: StaticString = #fileID, line: UInt = #line,
        column: UInt = #column, @StateBuilder _ body: () -> [StateElement]
    ) {
        var builder = DocumentBuilder()
        let location = SourceLocation(fileID: fileID, line: line, column: column)
        let elements = body()
        builder.collectVariables(elements)
        var document = SCXMLDocument(
            name: name, initial: initial.map { [$0] } ?? [], datamodel: datamodel, binding: binding,
            location: location)
        for element in elements {
            switch element.kind {
            case .node(let spec): document.states.append(builder.node(spec))
            case .variable(let d): document.data.append(d)
            case .transition(let t):
                builder.problem(
                    "a transition must be inside a state, not at the top level of a machine", t.location)
            case .onEntry, .onExit:
                builder.problem(
                    "OnEntry and OnExit must be inside a state, not at the top level of a machine", location)
            }
        }
        self.document = document
        self.bindings = builder.bindings
        self.problems = builder.problems
    }

    /// Validates and compiles the machine.
    ///
    /// - Throws: `DiagnosticList` with every problem, each at the Swift file and line of the
    ///   DSL call that caused it (e.g. `"duplicate state id 'review'"`).
    public func compile(options: MachineCompileOptions = .init()) throws(DiagnosticList) -> MachineDefinition
    {
        // The DSL's own problems are reported with the cross-reference checks that compilation
        // runs (the same messages as for a document read from XML).
        if self.problems.contains(where: { $0.severity == .error }) {
            throw DiagnosticList(self.problems + document.validate())
        }
        return try MachineDefinition.compile(document, options: options, bindings: bindings)
    }
}

/// Turns DSL elements into model nodes and collects the Swift closures.
struct DocumentBuilder {
    var bindings = HostBindings()
    var problems: [Diagnostic] = []
    var variables: [String] = []
    var guardCount = 0
    var actionCount = 0

    mutating func problem(_ message: String, _ location: SourceLocation) {
        problems.append(Diagnostic(.error, message, at: location))
    }

    mutating func collectVariables(_ elements: [StateElement]) {
        for element in elements {
            switch element.kind {
            case .variable(let d) where !variables.contains(d.id): variables.append(d.id)
            case .node(let spec): collectVariables(spec.elements)
            default: break
            }
        }
    }

    mutating func node(_ spec: NodeSpec) -> StateNode {
        var node = StateNode(kind: spec.kind, id: spec.id, initial: spec.initial, location: spec.location)
        node.idLocation = spec.location
        for element in spec.elements {
            switch element.kind {
            case .node(let child): node.children.append(self.node(child))
            case .transition(let t): node.transitions.append(transition(t))
            case .onEntry(let actions): node.onEntry.append(self.actions(actions))
            case .onExit(let actions): node.onExit.append(self.actions(actions))
            case .variable(let d): node.data.append(d)
            }
        }
        return node
    }

    mutating func transition(_ spec: TransitionSpec) -> Transition {
        var cond = spec.cond.map { ExpressionSource($0, at: spec.location) }
        if let closure = spec.guardClosure {
            guardCount += 1
            let name = "_dsl_guard_\(guardCount)"
            bindings.functions[name] = { arguments in
                let event = arguments.first ?? .undefined
                var data = JSObject()
                if arguments.count > 1, case .object(let o) = arguments[1] { data = o }
                return .bool(try closure(GuardContext(event: event, data: data)))
            }
            let object = variables.map { "\(Self.quoted($0)): \($0)" }.joined(separator: ", ")
            let call = "\(name)(_event, {\(object)})"
            let text = spec.cond.map { "(\($0)) && \(call)" } ?? call
            cond = ExpressionSource(text, at: spec.location)
        }
        return Transition(
            events: spec.events, cond: cond, targets: spec.targets, type: spec.type,
            actions: actions(spec.actions), location: spec.location, targetLocation: spec.location,
            targetLocations: spec.targets.map { _ in spec.location })
    }

    mutating func actions(_ elements: [ActionElement]) -> [Action] {
        elements.map { element in
            switch element.kind {
            case .model(let action):
                if case .send(let send) = action, let delay = send.delay, DelaySpec.parse(delay) == nil {
                    problem(
                        "invalid delay '\(delay)': expected a number with a unit (ms, s, m, h, d), e.g. '500ms' or '2s'",
                        send.location)
                }
                return action
            case .closure(let given, let body, let location):
                let name: String
                if let given {
                    if bindings.actions[given] != nil {
                        problem("two Swift actions are named '\(given)'", location)
                    }
                    name = given
                } else {
                    actionCount += 1
                    name = "_dsl_action_\(actionCount)"
                }
                bindings.actions[name] = body
                return .extension(
                    ForeignElement(
                        namespace: SCXMLNamespace.switchyard, name: "action",
                        attributes: [
                            ForeignAttribute(namespace: nil, name: "name", value: name, location: location)
                        ],
                        location: location))
            }
        }
    }

    /// A JavaScript string literal for `s`.
    static func quoted(_ s: String) -> String {
        var r = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": r += "\\\\"
            case "\"": r += "\\\""
            default: r.unicodeScalars.append(c)
            }
        }
        return r + "\""
    }
}
