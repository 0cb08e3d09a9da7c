public import SwitchyardCore
public import SwitchyardExpressions

/// A validated, compiled rule set: prioritised `when` → `target` rules with parameters.
///
/// Build one from a ``RuleSetDeclaration`` (XML via ``init(element:options:sourceLine:)``, or
/// Swift code). Loading checks everything up front — expression syntax, unknown functions,
/// duplicate names, missing targets, equal-priority duplicates and rules shadowed by an earlier
/// unconditional rule — so evaluation cannot fail for structural reasons.
///
/// Rules run in priority order, highest first; **equal priorities run in document order**.
/// ``decide(_:)`` is the fast path (no explanation is built); ``explain(_:)`` also reports every
/// rule considered and, for a rule that did not match, which operands of its `&&`/`||`
/// condition were false.
///
/// The input is a JSON object whose top-level members are the variables of the conditions
/// (`documentType`, `keywords`, `amount`). Members the rules never mention are ignored; members
/// they mention but the input lacks are `undefined`.
public struct RuleSet: Sendable {
    /// The rule set's name.
    public let name: String
    /// First match or all matches.
    public let mode: RuleSetMode
    /// The rules in evaluation order (priority descending, then document order).
    public let rules: [Rule]
    /// The default route's target, if any.
    public var defaultTarget: String? { fallback?.target }
    /// Warnings found while loading (for example a default that can never be used).
    public let warnings: [Diagnostic]
    /// The input members the rules read, in slot order.
    public var variables: [String] { symbols.names }

    let fallback: (target: String, parameters: CompiledParameters)?
    /// Each rule's whole condition, in evaluation order (nil: unconditional).
    let conditions: ConditionList
    let symbols: SymbolTable
    let limits: Limits

    init(
        name: String, mode: RuleSetMode, rules: [Rule],
        fallback: (target: String, parameters: CompiledParameters)?,
        symbols: SymbolTable, limits: Limits, warnings: [Diagnostic]
    ) {
        self.name = name
        self.mode = mode
        self.rules = rules
        self.conditions = ConditionList(rules.map { $0.condition?.whole })
        self.fallback = fallback
        self.symbols = symbols
        self.limits = limits
        self.warnings = warnings
    }

    /// Routes `input`: the fast path, without an explanation.
    public func decide(_ input: Value) -> RoutingDecision {
        var errors: [RuleError] = []
        var env = bind(input, &errors)
        var routes: [Route] = []
        var next = 0
        while let i = conditions.firstTrue(
            from: next, in: &env,
            onError: { i, error in
                errors.append(
                    RuleError(
                        rule: rules[i].name, error: error,
                        location: rules[i].when?.located(error) ?? .synthesized))
            })
        {
            next = i + 1
            // Fields read in place: copying a whole `Rule` costs a dozen reference-count operations.
            switch parameters(rules[i].parameters, &env, rules[i].name) {
            case .success(let p):
                routes.append(Route(rule: rules[i].name, target: rules[i].target, parameters: p))
                if mode == .first {
                    return RoutingDecision(outcome: .matched, routes: routes, errors: errors)
                }
            case .failure(let e):
                errors.append(e)
            }
        }
        if !routes.isEmpty { return RoutingDecision(outcome: .matched, routes: routes, errors: errors) }
        return fallbackDecision(&env, errors)
    }

    func fallbackDecision(_ env: inout Environment, _ errors: [RuleError]) -> RoutingDecision {
        var errors = errors
        guard let fallback else { return RoutingDecision(outcome: .noMatch, routes: [], errors: errors) }
        switch parameters(fallback.parameters, &env, nil) {
        case .success(let p):
            return RoutingDecision(
                outcome: .defaulted, routes: [Route(rule: nil, target: fallback.target, parameters: p)],
                errors: errors)
        case .failure(let e):
            errors.append(e)
            return RoutingDecision(outcome: .noMatch, routes: [], errors: errors)
        }
    }

    /// Binds the input's members to the variables' slots: one lookup per variable per decision,
    /// none per rule.
    func bind(_ input: Value, _ errors: inout [RuleError]) -> Environment {
        var env = Environment(symbols: symbols, limits: limits)
        switch input {
        case .object(let o):
            for (slot, name) in symbols.names.enumerated() {
                if let v = o[name] { env[slot] = v }
            }
        default:
            errors.append(
                RuleError(
                    rule: nil,
                    error: ExpressionError(
                        kind: .type, message: "the input must be a JSON object, not \(Self.describe(input))",
                        line: 0,
                        column: 0, offset: 0),
                    location: .synthesized))
        }
        return env
    }

    static func describe(_ v: Value) -> String {
        switch v {
        case .array: return "an array"
        case .null: return "null"
        case .undefined: return "undefined"
        default: return "a \(v.typeName)"
        }
    }

    func parameters(_ p: CompiledParameters, _ env: inout Environment, _ rule: String?) -> Result<
        JSObject, RuleError
    > {
        switch p {
        case .constant(let o): return .success(o)
        case .computed(let items):
            var o = JSObject()
            for item in items {
                switch item.value {
                case .value(let v): o[item.name] = v
                case .expression(let e, let source):
                    do {
                        o[item.name] = try e.evaluate(in: &env)
                    } catch {
                        return .failure(RuleError(rule: rule, error: error, location: source.located(error)))
                    }
                }
            }
            return .success(o)
        }
    }
}

extension ExpressionSource {
    /// Where an error inside this expression stands in the document.
    func located(_ error: ExpressionError) -> SourceLocation {
        location(ofLine: error.line, column: error.column)
    }
}
