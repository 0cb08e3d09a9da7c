import SwitchyardCore
public import SwitchyardRules
public import SwitchyardRuntime

extension Engine {
    /// Adds a trigger that routes each matching event through `rules` and starts the machine
    /// definition its decision's target maps to in `definitions` (target → registered
    /// definition name).
    ///
    /// The rule set's input is the event's data (`_event.data`); the first route's target picks
    /// the definition (mode `all`: the highest-priority match). The instance id is `instanceID`,
    /// an expression over `_event`; the data model is initialised from the event's data object
    /// and, when `decisionData` is not nil, a variable of that name holding the decision
    /// (`RoutingDecision.value(ruleSet:explanation:)`, with the explanation text when
    /// `explain` is true).
    ///
    /// No match without a default, or a target missing from `definitions`, dead-letters the
    /// event with `DeadLetterReason.triggerFailed(handler:message:)` and a message naming the
    /// rule set and the outcome.
    ///
    /// - Throws: `EngineError.unknownDefinition(_:)` when a value of `definitions` is not
    ///   registered; expression and topic errors as for the other triggers.
    @discardableResult
    public func trigger(
        _ topic: String, filter: String? = nil, priority: Int = 0, rules: RuleSet,
        definitions: [String: String], instanceID: String, decisionData: String? = "routing",
        explain: Bool = false, onConflict: ConflictPolicy = .useExisting,
        onFinished: ReusePolicy = .allowDuplicate
    ) throws(EngineError) -> HandlerID {
        for name in definitions.values.sorted() where !isRegistered(name) { throw .unknownDefinition(name) }
        return try trigger(
            topic, filter: filter, priority: priority, rules: rules, instanceID: instanceID,
            decisionData: decisionData, explain: explain, onConflict: onConflict, onFinished: onFinished
        ) { decision in
            decision.target.flatMap { definitions[$0] }
        }
    }

    /// Adds a trigger that routes each matching event through `rules` and starts the definition
    /// `definition` returns for the decision (nil: start nothing and dead-letter the event).
    /// Otherwise like ``trigger(_:filter:priority:rules:definitions:instanceID:decisionData:explain:onConflict:onFinished:)``.
    @discardableResult
    public func trigger(
        _ topic: String, filter: String? = nil, priority: Int = 0, rules: RuleSet, instanceID: String,
        decisionData: String? = "routing", explain: Bool = false,
        onConflict: ConflictPolicy = .useExisting, onFinished: ReusePolicy = .allowDuplicate,
        definition: @escaping @Sendable (RoutingDecision) -> String?
    ) throws(EngineError) -> HandlerID {
        try trigger(
            topic, filter: filter, priority: priority, instanceID: instanceID, onConflict: onConflict,
            onFinished: onFinished
        ) { event in
            let decision: RoutingDecision
            var text: String?
            if explain {
                let e = rules.explain(event.data)
                decision = e.decision
                text = e.text
            } else {
                decision = rules.decide(event.data)
            }
            guard let target = decision.target else {
                return .reject(reason: Self.noRouteReason(rules, decision))
            }
            guard let name = definition(decision) else {
                let rule = decision.routes.first?.rule.map { "rule \($0)" } ?? "default route"
                return .reject(
                    reason:
                        "rule set '\(rules.name)' chose target '\(target)' (\(rule)), which maps to no machine definition"
                )
            }
            var data: [NamedValue] = []
            if let decisionData {
                data.append(NamedValue(decisionData, decision.value(ruleSet: rules.name, explanation: text)))
            }
            return .start(definition: name, data: data)
        }
    }

    static func noRouteReason(_ rules: RuleSet, _ decision: RoutingDecision) -> String {
        var reason = "rule set '\(rules.name)' matched no rule and has no default"
        if !decision.errors.isEmpty {
            reason +=
                " (errors: "
                + decision.errors.map { "\($0.rule ?? "input"): \($0.error.message)" }
                .joined(separator: "; ") + ")"
        }
        return reason
    }
}
