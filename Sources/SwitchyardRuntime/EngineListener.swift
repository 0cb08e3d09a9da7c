public import SwitchyardCore

/// Observes an ``Engine``. Callbacks run synchronously on the executor that produced them (an
/// instance's shard, or the publishing task), so they must be quick and must not block; all have
/// empty default implementations.
public protocol EngineListener: Sendable {
    /// An event is about to be processed by an instance.
    func eventReceived(instanceID: String, event: Event)
    /// One microstep (only with ``EngineOptions/traceMicrosteps``).
    func microstep(instanceID: String, trace: MicrostepTrace)
    /// The engine carried out an effect the interpreter returned.
    func effectExecuted(instanceID: String, effect: Effect)
    /// An instance was started.
    func instanceStarted(instanceID: String, definition: String)
    /// An instance finished or was stopped.
    func instanceFinished(instanceID: String, status: InstanceStatus)
    /// An event was parked in the dead-letter list.
    func deadLettered(_ letter: DeadLetter)
    /// The dead-letter list was full and its oldest letter was dropped to make room (see
    /// ``EngineOptions/deadLetterCapacity``).
    func deadLetterDropped(_ letter: DeadLetter)
}

extension EngineListener {
    public func eventReceived(instanceID: String, event: Event) {}
    public func microstep(instanceID: String, trace: MicrostepTrace) {}
    public func effectExecuted(instanceID: String, effect: Effect) {}
    public func instanceStarted(instanceID: String, definition: String) {}
    public func instanceFinished(instanceID: String, status: InstanceStatus) {}
    public func deadLettered(_ letter: DeadLetter) {}
    public func deadLetterDropped(_ letter: DeadLetter) {}
}
