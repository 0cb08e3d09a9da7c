public import SwitchyardCore

/// What a choosing trigger decided for one event.
public enum TriggerChoice: Sendable {
    /// Start an instance of the definition registered under `definition`; `data` is added to
    /// the data model after the event's data object (a name in both takes this value).
    case start(definition: String, data: [NamedValue] = [])
    /// Start nothing: the event is dead-lettered with
    /// ``DeadLetterReason/triggerFailed(handler:message:)`` and this reason.
    case reject(reason: String)
}

extension Engine {
    /// Adds a machine trigger that chooses, per event, which machine definition to start.
    ///
    /// `choose` runs synchronously on the publishing task for every matching event (after the
    /// filter); it must be cheap and must not block. The instance id comes from `instanceID`, an
    /// expression over `_event`, and the data model is initialised from the event's data object
    /// plus the choice's data, as for ``trigger(_:filter:priority:start:instanceID:onConflict:onFinished:deliver:)``.
    /// A ``TriggerChoice/reject(reason:)``, a definition name that is not registered, or a failed
    /// start dead-letters the event (``DeadLetterReason/triggerFailed(handler:message:)``).
    /// The `Switchyard` module builds a rule-set router on this
    /// (`trigger(_:rules:definitions:instanceID:)`). `deliver` works as for the other
    /// `trigger` (default false).
    @discardableResult
    public func trigger(
        _ topic: String, filter: String? = nil, priority: Int = 0, instanceID: String,
        onConflict: ConflictPolicy = .useExisting, onFinished: ReusePolicy = .allowDuplicate,
        deliver: Bool = false,
        choose: @escaping @Sendable (Event) -> TriggerChoice
    ) throws(EngineError) -> HandlerID {
        let pattern = try TopicPattern(topic)
        let f = try filter.map { (s) throws(EngineError) in try EventFilter(s) }
        let idExpression = try EventFilter(instanceID)
        let trigger = Trigger(
            definition: "", idExpression: idExpression, onConflict: onConflict, onFinished: onFinished,
            choose: choose, deliver: deliver)
        return core.router.add(pattern: pattern, filter: f, priority: priority, action: .trigger(trigger))
    }

    /// Whether a machine definition is registered under `name`.
    public func isRegistered(_ name: String) -> Bool { core.definition(named: name) != nil }
}

extension Trigger {
    /// The definition to start for `event` and the extra data for its data model.
    func chosenDefinition(for event: Event) throws(EngineError) -> (String, [NamedValue]) {
        guard let choose else { return (definition, []) }
        switch choose(event) {
        case .start(let name, let data): return (name, data)
        case .reject(let reason): throw .noDefinitionChosen(reason)
        }
    }
}
