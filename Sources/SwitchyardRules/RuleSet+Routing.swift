public import SwitchyardCore
public import SwitchyardExpressions

extension RoutingDecision {
    /// The decision as a data-model value, as `<sy:route location="...">` stores it:
    ///
    /// ```
    /// { ruleSet, outcome: "matched" | "defaulted" | "noMatch",
    ///   target, rule, params,            // of the first route (null, null, {} for no match)
    ///   targets: [...], rules: [...],    // every route's target and matching rule, in order
    ///   routes: [{rule, target, params}],
    ///   errors: [{rule, message}],       // conditions or parameters that raised an error
    ///   explanation }                    // only when explained: RoutingExplanation.text
    /// ```
    ///
    /// `rule` is null for the default route; `rules` lists only rules that matched.
    public func value(ruleSet: String, explanation: String? = nil) -> Value {
        var o = JSObject()
        o["ruleSet"] = .string(ruleSet)
        o["outcome"] = .string(outcome.rawValue)
        o["target"] = routes.first.map { .string($0.target) } ?? .null
        o["rule"] = routes.first?.rule.map { .string($0) } ?? .null
        o["params"] = .object(routes.first?.parameters ?? JSObject())
        o["targets"] = .array(routes.map { .string($0.target) })
        o["rules"] = .array(routes.compactMap { $0.rule.map { .string($0) } })
        o["routes"] = .array(routes.map(\.value))
        o["errors"] = .array(
            errors.map { e in
                .object(
                    JSObject([
                        ("rule", e.rule.map { .string($0) } ?? .null), ("message", .string(e.description)),
                    ]))
            })
        if let explanation { o["explanation"] = .string(explanation) }
        return .object(o)
    }
}

extension Route {
    /// `{rule, target, params}` (`rule` null for the default route).
    public var value: Value {
        .object(
            JSObject([
                ("rule", rule.map { .string($0) } ?? .null), ("target", .string(target)),
                ("params", .object(parameters)),
            ]))
    }
}

extension RuleSet: RoutingTable {
    /// Routes `input` for `<sy:route>`: the decision as ``RoutingDecision/value(ruleSet:explanation:)``,
    /// and one choice per route whose event data is the same object with `target`, `rule` and
    /// `params` of that route (they differ only in mode `all`).
    public func route(_ input: Value, explain: Bool) -> RoutingResult {
        let decision: RoutingDecision
        var text: String?
        if explain {
            let explanation = self.explain(input)
            decision = explanation.decision
            text = explanation.text
        } else {
            decision = decide(input)
        }
        let whole = decision.value(ruleSet: name, explanation: text)
        guard case .object(let base) = whole else { return RoutingResult(choices: [], decision: whole) }
        var choices: [RoutingResult.Choice] = []
        for (i, r) in decision.routes.enumerated() {
            var data = base
            if i > 0 {
                data["target"] = .string(r.target)
                data["rule"] = r.rule.map { .string($0) } ?? .null
                data["params"] = .object(r.parameters)
            }
            choices.append(RoutingResult.Choice(target: r.target, data: .object(data)))
        }
        return RoutingResult(choices: choices, decision: whole)
    }
}
