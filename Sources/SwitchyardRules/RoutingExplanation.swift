public import SwitchyardExpressions

/// A decision together with the story of how it was reached: every rule in evaluation order
/// with its outcome and the reasons.
public struct RoutingExplanation: Sendable, Hashable {
    /// The decision (the same ``RuleSet/decide(_:)`` returns for the input).
    public var decision: RoutingDecision
    /// Every rule in evaluation order.
    public var steps: [RuleStep]

    /// Creates an explanation.
    public init(decision: RoutingDecision, steps: [RuleStep]) {
        self.decision = decision
        self.steps = steps
    }
}

/// What happened to one rule during an explained decision.
public struct RuleStep: Sendable, Hashable {
    /// The outcome of one rule.
    public enum Outcome: Sendable, Hashable {
        /// The condition held; the reasons are the operands that made it true.
        case matched(because: [String])
        /// The condition did not hold; the reasons are the operands that were false.
        case notMatched(because: [String])
        /// The condition or a parameter raised an error; the rule was skipped.
        case error(RuleError)
        /// Not evaluated: in mode `first` an earlier rule already matched.
        case notEvaluated
    }

    /// The rule's name.
    public var rule: String
    /// Its priority.
    public var priority: Int
    /// Its target.
    public var target: String
    /// What happened.
    public var outcome: Outcome

    /// Creates a step.
    public init(rule: String, priority: Int, target: String, outcome: Outcome) {
        self.rule = rule
        self.priority = priority
        self.target = target
        self.outcome = outcome
    }

    /// One line: `legal (priority 10): matched: `documentType == 'legal'` was true`.
    public var summary: String {
        let head = "\(rule) (priority \(priority))"
        switch outcome {
        case .matched(let r): return "\(head): matched -> \(target): " + r.joined(separator: ", ")
        case .notMatched(let r): return "\(head): not matched: " + r.joined(separator: ", ")
        case .error(let e): return "\(head): error: \(e)"
        case .notEvaluated: return "\(head): not evaluated (an earlier rule matched)"
        }
    }
}

extension RoutingExplanation {
    /// The decision and every step as text, one item per line:
    ///
    /// ```
    /// decision: matched
    /// route: legal_processing (rule legal) {"queue":"legal"}
    /// 1. legal (priority 10): matched -> legal_processing: `documentType == 'legal'` was true
    /// 2. financial (priority 5): not evaluated (an earlier rule matched)
    /// ```
    public var text: String {
        var lines = decision.textLines
        for (i, s) in steps.enumerated() { lines.append("\(i + 1). \(s.summary)") }
        if decision.outcome == .defaulted { lines.append("no rule matched: default route") }
        if decision.outcome == .noMatch { lines.append("no rule matched and there is no default") }
        return lines.joined(separator: "\n")
    }
}

extension RoutingDecision {
    /// `decision: OUTCOME`, then one `route:` line per route and one `error:` line per error.
    public var textLines: [String] {
        var lines = ["decision: \(outcome.rawValue)"]
        for r in routes {
            let rule = r.rule.map { "rule \($0)" } ?? "default"
            lines.append("route: \(r.target) (\(rule)) \(Value.object(r.parameters).jsonString() ?? "{}")")
        }
        for e in errors { lines.append("error: \(e.rule.map { "rule \($0): " } ?? "")\(e)") }
        return lines
    }
}

extension RuleSet {
    /// Routes `input` and explains the decision: every rule in evaluation order with its
    /// outcome; for a rule that did not match, the operands of its `&&`/`||` condition that were
    /// false (each operand is compiled on its own at load time); for an error, its position.
    /// Slower than ``decide(_:)``; the decision is the same.
    public func explain(_ input: Value) -> RoutingExplanation {
        var errors: [RuleError] = []
        var env = bind(input, &errors)
        var routes: [Route] = []
        var steps: [RuleStep] = []
        for rule in rules {
            func step(_ o: RuleStep.Outcome) {
                steps.append(
                    RuleStep(rule: rule.name, priority: rule.priority, target: rule.target, outcome: o))
            }
            if mode == .first, !routes.isEmpty {
                step(.notEvaluated)
                continue
            }
            var reasons = ["no condition"]
            if let c = rule.condition {
                do {
                    let (hit, why) = try Self.explain(c.tree, &env)
                    reasons = why
                    guard hit else {
                        step(.notMatched(because: why))
                        continue
                    }
                } catch {
                    let e = RuleError(
                        rule: rule.name, error: error.error, location: c.source.located(error.error))
                    errors.append(e)
                    step(.error(e))
                    continue
                }
            }
            switch parameters(rule.parameters, &env, rule.name) {
            case .success(let p):
                routes.append(Route(rule: rule.name, target: rule.target, parameters: p))
                step(.matched(because: reasons))
            case .failure(let e):
                errors.append(e)
                step(.error(e))
            }
        }
        let decision =
            routes.isEmpty
            ? fallbackDecision(&env, errors)
            : RoutingDecision(outcome: .matched, routes: routes, errors: errors)
        return RoutingExplanation(decision: decision, steps: steps)
    }

    /// An error in one operand, rebased to the whole condition's coordinates.
    struct OperandError: Error {
        var error: ExpressionError
    }

    /// Evaluates a condition tree with JavaScript short-circuit semantics, collecting the
    /// operands that decided the result.
    static func explain(_ node: ConditionNode, _ env: inout Environment) throws(OperandError) -> (
        Bool, [String]
    ) {
        switch node {
        case .operand(let code, let span):
            do {
                let v = try code.evaluateCondition(in: &env)
                return (v, ["`\(span.text)` was \(v)"])
            } catch {
                var e = error
                if e.line <= 1 {
                    e.column = span.column + max(e.column, 1) - 1
                    e.line = span.line
                } else {
                    e.line = span.line + e.line - 1
                }
                e.offset += span.offset
                throw OperandError(error: e)
            }
        case .all(let xs):
            var why: [String] = []
            for x in xs {
                let (v, w) = try explain(x, &env)
                if !v { return (false, w) }
                why += w
            }
            return (true, why)
        case .any(let xs):
            var why: [String] = []
            for x in xs {
                let (v, w) = try explain(x, &env)
                if v { return (true, w) }
                why += w
            }
            return (false, why)
        }
    }
}
