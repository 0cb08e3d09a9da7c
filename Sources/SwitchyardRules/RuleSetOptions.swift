public import SwitchyardExpressions

/// Settings for compiling and evaluating a ``RuleSet``.
public struct RuleSetOptions: Sendable, Hashable {
    /// When set, every target (rules and default) must be one of these names; for example the
    /// state ids of the machine a rule set is embedded in. Nil: any non-empty target.
    public var knownTargets: Set<String>?
    /// Sandbox limits for each evaluation.
    public var limits: Limits

    /// Creates options.
    public init(knownTargets: Set<String>? = nil, limits: Limits = .default) {
        self.knownTargets = knownTargets
        self.limits = limits
    }
}
