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
    /// A durable engine committed journal records of this instance; `sequence` is its newest
    /// journal sequence, now durable (never called without a store). A watcher (the HTTP
    /// server's long polls and event streams) reads the journal after its last seen sequence.
    func journalCommitted(instanceID: String, sequence: Int64, status: InstanceStatus)
}

extension EngineListener {
    public func eventReceived(instanceID: String, event: Event) {}
    public func microstep(instanceID: String, trace: MicrostepTrace) {}
    public func effectExecuted(instanceID: String, effect: Effect) {}
    public func instanceStarted(instanceID: String, definition: String) {}
    public func instanceFinished(instanceID: String, status: InstanceStatus) {}
    public func deadLettered(_ letter: DeadLetter) {}
    public func deadLetterDropped(_ letter: DeadLetter) {}
    public func journalCommitted(instanceID: String, sequence: Int64, status: InstanceStatus) {}
}
