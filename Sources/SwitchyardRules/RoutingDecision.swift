public import SwitchyardCore
public import SwitchyardExpressions

/// The result of routing one input through a ``RuleSet``.
///
/// Never a crash and never an untyped failure: no match without a default is
/// ``Outcome/noMatch``; a rule whose condition or parameter raised an error is skipped and the
/// error listed in ``errors``.
public struct RoutingDecision: Sendable, Hashable {
    /// How the decision came about.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// At least one rule matched (mode `first`: exactly one).
        case matched
        /// No rule matched; the rule set's default route was taken.
        case defaulted
        /// No rule matched and the rule set has no default.
        case noMatch
    }

    /// How the decision came about.
    public var outcome: Outcome
    /// The chosen routes in priority order: one in mode `first` (or the default), every
    /// matching rule in mode `all`, none for ``Outcome/noMatch``.
    public var routes: [Route]
    /// Errors raised by conditions or parameters of rules that were skipped because of them.
    public var errors: [RuleError]

    /// Creates a decision.
    public init(outcome: Outcome, routes: [Route], errors: [RuleError] = []) {
        self.outcome = outcome
        self.routes = routes
        self.errors = errors
    }

    /// The first route's target (nil for ``Outcome/noMatch``).
    public var target: String? { routes.first?.target }
    /// Every route's target, in order.
    public var targets: [String] { routes.map(\.target) }
}

/// A chosen route: the rule that matched, its target and its evaluated parameters.
public struct Route: Sendable, Hashable {
    /// The matching rule's name; nil for the default route.
    public var rule: String?
    /// Where to route.
    public var target: String
    /// Parameter values in declaration order.
    public var parameters: JSObject

    /// Creates a route.
    public init(rule: String?, target: String, parameters: JSObject = JSObject()) {
        self.rule = rule
        self.target = target
        self.parameters = parameters
    }
}

/// An expression error raised while evaluating one rule, positioned in the rule-set document.
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule (nil for the default route or the input as a whole).
    public var rule: String?
    /// The expression error (position relative to the expression text).
    public var error: ExpressionError
    /// Where the error stands in the document (`SourceLocation.synthesized` when the rule set
    /// was built in code).
    public var location: SourceLocation

    /// Creates an error.
    public init(rule: String?, error: ExpressionError, location: SourceLocation) {
        self.rule = rule
        self.error = error
        self.location = location
    }

    /// `file:line:col: kind error: message` (`line:col: ...` inside the expression when the rule
    /// set was built in code; no position for an input that is not an object).
    public var description: String {
        let what = "\(error.kind.rawValue) error: \(error.message)"
        if location.line > 0 { return "\(location): \(what)" }
        if error.line > 0 { return "\(error.line):\(error.column): \(what)" }
        return what
    }
}
