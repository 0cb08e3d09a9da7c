public import SwitchyardExpressions

/// Something `<sy:route>` can route an input through: a compiled rule set as the interpreter
/// sees it. SwitchyardCore knows nothing of rule sets; `SwitchyardRules` makes `RuleSet`
/// conform.
///
/// ``route(_:explain:)`` is called synchronously inside a macrostep; it must not block, and it
/// reports problems of single rules inside its result rather than by failing.
public protocol RoutingTable: Sendable {
    /// The name `<sy:route rules="...">` refers to.
    var name: String { get }
    /// Routes `input` (normally an object whose properties are the rules' variables).
    ///
    /// - Parameters:
    ///   - input: the document to route.
    ///   - explain: include the explanation text (every rule considered and why), which is
    ///     slower than deciding alone.
    func route(_ input: Value, explain: Bool) -> RoutingResult
}

/// The outcome of ``RoutingTable/route(_:explain:)``.
public struct RoutingResult: Sendable {
    /// One chosen route: its target and the value that becomes the data of the event raised
    /// for it.
    public struct Choice: Sendable {
        /// The route's target (the event raised is `<prefix>.<target>`).
        public var target: String
        /// The event data for this route.
        public var data: Value

        /// Creates a choice.
        public init(target: String, data: Value) {
            self.target = target
            self.data = data
        }
    }

    /// The chosen routes in order; empty when nothing matched and there is no default.
    public var choices: [Choice]
    /// The whole decision as a data-model value (stored by `location`, the data of
    /// `<prefix>.none`).
    public var decision: Value

    /// Creates a result.
    public init(choices: [Choice], decision: Value) {
        self.choices = choices
        self.decision = decision
    }
}

/// Finds the routing table a `<sy:route>` element uses, while a machine is compiled.
///
/// The umbrella module's `RuleSetRouting` resolves `rules="name"` (rule sets registered from
/// Swift, then `<sy:rules>` declared in the document) and `src="file.rules.xml"` (relative to
/// the document).
public protocol RoutingTableResolver: Sendable {
    /// The table for `element` (a `<sy:route>` inside `document`).
    ///
    /// - Throws: positioned diagnostics (unknown rule set, unreadable or invalid file).
    func routingTable(
        for element: ForeignElement, in document: SCXMLDocument
    ) throws(DiagnosticList) -> any RoutingTable
}

/// `<sy:route>` compiled: the table, the input expression and what to do with the decision.
/// A class, so that ``CompiledCustomAction`` (and with it every compiled action) grows by one
/// reference only.
final class CompiledRoute: Sendable {
    let table: any RoutingTable
    let input: CompiledExpr
    let location: CompiledLoc?
    /// The event-name prefix (`route` → `route.legal_processing`, `route.none`); nil: raise
    /// nothing.
    let prefix: String?
    let explain: Bool

    init(table: any RoutingTable, input: CompiledExpr, location: CompiledLoc?, prefix: String?, explain: Bool)
    {
        self.table = table
        self.input = input
        self.location = location
        self.prefix = prefix
        self.explain = explain
    }
}

extension Interpreter {
    /// Runs `<sy:route>`: evaluates the input, routes it, stores the decision and raises one
    /// internal event per chosen route (`<prefix>.none` when there is none). Errors of single
    /// rules are part of the decision; only a failing input expression or location raises
    /// `error.execution` (and stops the block, like other executable content).
    mutating func executeRoute(_ route: CompiledRoute) -> Bool {
        guard let input = evaluate(route.input) else { return false }
        let result = route.table.route(input, explain: route.explain)
        if let location = route.location {
            guard assign(location, result.decision) else { return false }
        }
        if let prefix = route.prefix {
            if result.choices.isEmpty {
                enqueueInternal(Event(prefix + ".none", kind: .internal, data: result.decision))
            }
            for choice in result.choices {
                enqueueInternal(Event(prefix + "." + choice.target, kind: .internal, data: choice.data))
            }
        }
        return true
    }
}
