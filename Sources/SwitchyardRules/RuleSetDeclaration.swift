public import SwitchyardCore
public import SwitchyardExpressions

/// How a rule set picks among matching rules.
public enum RuleSetMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The highest-priority matching rule wins (ties: the one written first).
    case first
    /// Every matching rule, in priority order (ties: document order).
    case all
}

/// A rule set as written: names, priorities and expression texts with their source positions,
/// not yet checked or compiled. Built from a `<sy:rules>` element
/// (``init(element:)``) or directly in Swift; ``RuleSet/init(_:options:)`` validates and compiles
/// it.
public struct RuleSetDeclaration: Sendable, Hashable {
    /// The rule set's name.
    public var name: String
    /// Whether the first or every matching rule is chosen.
    public var mode: RuleSetMode
    /// The rules in document order.
    public var rules: [RuleDeclaration]
    /// The route taken when no rule matches; nil for none (the decision is then
    /// ``RoutingDecision/Outcome/noMatch``).
    public var fallback: DefaultDeclaration?
    /// Where the declaration starts (`<sy:rules>`).
    public var location: SourceLocation

    /// Creates a declaration.
    public init(
        name: String, mode: RuleSetMode = .first, rules: [RuleDeclaration] = [],
        fallback: DefaultDeclaration? = nil, location: SourceLocation = .synthesized
    ) {
        self.name = name
        self.mode = mode
        self.rules = rules
        self.fallback = fallback
        self.location = location
    }
}

/// One rule as written: `when` the condition holds, route to `target` with `parameters`.
public struct RuleDeclaration: Sendable, Hashable {
    /// The rule's name, unique in its set.
    public var name: String
    /// Higher runs first; equal priorities run in document order. Default 0.
    public var priority: Int
    /// The condition; nil means the rule always matches (unconditional).
    public var when: ExpressionSource?
    /// Where the route goes (a pipeline, a state, a queue: the host decides).
    public var target: String
    /// Parameters of the route, in document order.
    public var parameters: [ParameterDeclaration]
    /// Where the rule starts (`<sy:rule>`).
    public var location: SourceLocation
    /// Where the `name` value stands (for duplicate-name diagnostics).
    public var nameLocation: SourceLocation
    /// Where the `target` value stands.
    public var targetLocation: SourceLocation

    /// Creates a rule. Conditions given as plain strings are positioned nowhere
    /// (`SourceLocation.synthesized`); errors then report positions inside the expression.
    public init(
        name: String, priority: Int = 0, when: ExpressionSource? = nil, target: String,
        parameters: [ParameterDeclaration] = [], location: SourceLocation = .synthesized,
        nameLocation: SourceLocation? = nil, targetLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.priority = priority
        self.when = when
        self.target = target
        self.parameters = parameters
        self.location = location
        self.nameLocation = nameLocation ?? location
        self.targetLocation = targetLocation ?? location
    }

    /// Creates a rule with a condition written as text.
    public init(
        name: String, priority: Int = 0, when: String, target: String, parameters: [ParameterDeclaration] = []
    ) {
        self.init(
            name: name, priority: priority, when: ExpressionSource(when), target: target,
            parameters: parameters)
    }
}

/// The route taken when no rule matches.
public struct DefaultDeclaration: Sendable, Hashable {
    /// Where the route goes.
    public var target: String
    /// Parameters of the route.
    public var parameters: [ParameterDeclaration]
    /// Where `<sy:default>` starts.
    public var location: SourceLocation

    /// Creates a default route.
    public init(
        target: String, parameters: [ParameterDeclaration] = [], location: SourceLocation = .synthesized
    ) {
        self.target = target
        self.parameters = parameters
        self.location = location
    }
}

/// A parameter of a route: a constant value or an expression evaluated against the input.
public struct ParameterDeclaration: Sendable, Hashable {
    /// How the parameter's value is obtained.
    public enum Source: Sendable, Hashable {
        /// A constant (from `value` with an optional `type`).
        case value(Value)
        /// An expression over the input's members (from `expr`).
        case expression(ExpressionSource)
    }
    /// The parameter name, unique within its rule.
    public var name: String
    /// Its value or expression.
    public var source: Source
    /// Where `<sy:param>` starts.
    public var location: SourceLocation

    /// Creates a parameter.
    public init(name: String, _ source: Source, location: SourceLocation = .synthesized) {
        self.name = name
        self.source = source
        self.location = location
    }

    /// A parameter computed by an expression.
    public static func expression(_ name: String, _ text: String) -> ParameterDeclaration {
        ParameterDeclaration(name: name, .expression(ExpressionSource(text)))
    }

    /// A constant parameter.
    public static func value(_ name: String, _ value: Value) -> ParameterDeclaration {
        ParameterDeclaration(name: name, .value(value))
    }
}
