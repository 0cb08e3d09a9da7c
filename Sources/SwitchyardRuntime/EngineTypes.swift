public import Logging
public import SwitchyardCore
public import SwitchyardExpressions

/// What ``Engine/start(_:id:data:correlationKey:onConflict:onFinished:)`` does when an instance
/// with the same id is running.
public enum ConflictPolicy: Sendable, Hashable {
    /// Keep the running instance and report ``StartOutcome/existing`` (the default).
    case useExisting
    /// Throw ``EngineError/instanceExists(_:)``.
    case fail
    /// Stop the running instance (status ``InstanceStatus/stopped``) and start a new one.
    case terminateExisting
}

/// What ``Engine/start(_:id:data:correlationKey:onConflict:onFinished:)`` does when an instance
/// with the same id has finished or was stopped.
public enum ReusePolicy: Sendable, Hashable {
    /// Start a new instance under the id, replacing the finished one (the default).
    case allowDuplicate
    /// Throw ``EngineError/instanceFinished(_:)``.
    case rejectDuplicate
}

/// The result of a successful start.
public enum StartOutcome: Sendable, Hashable {
    /// A new instance was started.
    case started
    /// An instance with the id was already running and was kept (``ConflictPolicy/useExisting``).
    case existing
}

/// The life-cycle state of an instance.
public enum InstanceStatus: Sendable, Hashable {
    case running
    /// Reached a top-level final state (its id).
    case finished(finalState: String?)
    /// Stopped by ``Engine/stop(_:)`` or replaced by ``ConflictPolicy/terminateExisting``.
    case stopped

    /// Whether the instance still accepts events.
    public var isRunning: Bool { self == .running }
}

/// Errors of the engine's public API.
public enum EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No definition is registered under this name.
    case unknownDefinition(String)
    /// A definition, action or activity is already registered under this name.
    case duplicateRegistration(String)
    /// ``ConflictPolicy/fail``: an instance with this id is running.
    case instanceExists(String)
    /// ``ReusePolicy/rejectDuplicate``: an instance with this id has finished.
    case instanceFinished(String)
    /// The shard's mailbox is full (``Engine/tryEnqueue(_:to:)`` only; ``Engine/enqueue(_:to:)`` waits).
    case busy
    /// An expression (filter, trigger id, correlation) did not compile.
    case invalidExpression(String)
    /// A topic pattern is malformed.
    case invalidTopic(String)
    /// The engine was shut down.
    case shutDown
    /// The operation needs a ``ManualClock``.
    case notManualClock
    /// No instance with this id exists (``Engine/deliverAndWait(_:to:eventID:)``).
    case noSuchInstance(String)
    /// The instance has finished or was stopped and accepts no events.
    case notRunning(String)
    /// The engine has a store and ``Engine/recover()`` has not run yet.
    case notRecovered
    /// The store failed; the message names the cause. A shard whose commit failed refuses
    /// further work until the engine is restarted (and recovers from the store).
    case storeUnavailable(String)
    /// ``Engine/migrate(_:to:stateMapping:transform:)`` refused: the reason names the states.
    case migrationRefused(String, String)
    /// No version with this number is registered under the name.
    case unknownVersion(String, Int)
    /// A choosing trigger (``Engine/trigger(_:filter:priority:instanceID:onConflict:onFinished:deliver:choose:)``)
    /// chose no machine definition for the event; the reason says why.
    case noDefinitionChosen(String)

    public var description: String {
        switch self {
        case .unknownDefinition(let n): "no machine definition registered as '\(n)'"
        case .duplicateRegistration(let n): "'\(n)' is already registered"
        case .instanceExists(let id): "an instance with id '\(id)' is running"
        case .instanceFinished(let id):
            "the instance with id '\(id)' has finished and its id may not be reused"
        case .busy: "the mailbox is full"
        case .invalidExpression(let m): "invalid expression: \(m)"
        case .invalidTopic(let t): "invalid topic pattern '\(t)'"
        case .shutDown: "the engine was shut down"
        case .notManualClock: "the engine does not run on a ManualClock"
        case .noSuchInstance(let id): "no instance '\(id)'"
        case .notRunning(let id): "instance '\(id)' has finished or was stopped"
        case .notRecovered: "the engine has a store: call recover() before starting or sending"
        case .storeUnavailable(let m): "the store failed: \(m)"
        case .migrationRefused(let id, let why): "migration of instance '\(id)' refused: \(why)"
        case .unknownVersion(let name, let v): "no version \(v) of '\(name)' is registered"
        case .noDefinitionChosen(let reason): "no machine definition chosen: \(reason)"
        }
    }
}

/// A consistent view of one instance, taken between two events.
public struct InstanceSnapshot: Sendable {
    public var id: String
    /// The registered definition name.
    public var definition: String
    /// The definition version the instance runs (1 for the first registered under the name).
    public var version: Int
    public var status: InstanceStatus
    /// Active states in document order.
    public var configuration: [String]
    /// Data model variables (system variables excluded).
    public var data: [NamedValue]
    /// Pending timers, earliest first.
    public var pendingTimers: [PendingTimer]
    /// Names of the most recent events processed, oldest first (see
    /// ``EngineOptions/historyLength``).
    public var recentEvents: [String]
    /// Invoke ids of running activities.
    public var activities: [String]
    /// Compensations recorded and not yet run, in the order they were recorded.
    public var compensations: [String]
    /// For an instance started by `<invoke type="scxml">`: the invoking (parent) instance.
    public var parent: String?
    /// Running invoked child instances by invoke id (child id `<this id>.<invoke id>`).
    public var children: [String: String]

    /// Whether the state with this id is active.
    public func isActive(_ stateID: String) -> Bool { configuration.contains(stateID) }

    /// The value of a data model variable.
    public func value(of name: String) -> Value? { data.first { $0.name == name }?.value }
}

/// Why an event was parked in the dead-letter list.
public enum DeadLetterReason: Sendable, Hashable, CustomStringConvertible {
    /// No handler, trigger or correlated instance accepted the published event.
    case noRoute
    /// The event was addressed to an instance id that does not exist.
    case noSuchInstance(String)
    /// The addressed instance has finished or was stopped.
    case instanceFinished(String)
    /// A handler's filter threw; the handler did not see the event.
    case filterError(handler: HandlerID, message: String)
    /// A trigger could not compute the instance id or start the instance.
    case triggerFailed(handler: HandlerID, message: String)
    /// A `<send>` target the engine cannot reach (`#_parent` from an instance nobody invoked,
    /// `#_<invokeid>` naming no invoked child, an unknown URI).
    case unsupportedTarget(String)
    /// The engine was shut down before the event was processed.
    case shutDown
    /// The store failed while the event waited (see ``EngineError/storeUnavailable(_:)``).
    case storeFailed(String)

    public var description: String {
        switch self {
        case .noRoute: "no route"
        case .noSuchInstance(let id): "no instance '\(id)'"
        case .instanceFinished(let id): "instance '\(id)' has finished"
        case .filterError(let h, let m): "filter of handler \(h.rawValue) failed: \(m)"
        case .triggerFailed(let h, let m): "trigger \(h.rawValue) failed: \(m)"
        case .unsupportedTarget(let t): "unsupported target '\(t)'"
        case .shutDown: "engine shut down"
        case .storeFailed(let m): "store failed: \(m)"
        }
    }
}

/// An event nobody accepted, kept until it is replayed or cleared.
public struct DeadLetter: Sendable {
    /// Sequence number (unique per engine).
    public var id: UInt64
    public var event: Event
    /// The instance it was addressed to, if any (nil for published events).
    public var instanceID: String?
    public var reason: DeadLetterReason
    /// When it was parked, in the engine clock's nanoseconds.
    public var atNanoseconds: Int64
}

/// Identifies a registered router handler.
public struct HandlerID: Sendable, Hashable {
    public var rawValue: UInt64
}

/// What a router handler tells the router after seeing an event.
public enum HandlerResult: Sendable, Hashable {
    /// Offer the event to the next handler.
    case `continue`
    /// Handlers with lower priority do not see the event.
    case stop
}

/// What happened to a published event.
public struct PublishOutcome: Sendable, Hashable {
    /// Handlers (closures and triggers) that saw the event, in the order they ran.
    public var handlers: [HandlerID]
    /// Instances the event was delivered to by correlation.
    public var correlatedInstances: [String]
    /// Instances started by triggers.
    public var startedInstances: [String]
    /// Set when the event was parked in the dead-letter list.
    public var deadLetter: DeadLetterReason?
}

/// Engine settings.
public struct EngineOptions: Sendable {
    /// Number of serial executors instances are spread over (by a hash of their id). Each is
    /// one task on the cooperative pool. Default: 4 × the processor count.
    public var shards: Int
    /// Most messages a shard's mailbox holds before external senders wait (``Engine/enqueue(_:to:)``)
    /// or are refused (``Engine/tryEnqueue(_:to:)``). Messages the engine sends itself (timers,
    /// activity results, `<send>` between instances) are never refused.
    public var mailboxCapacity: Int
    /// How many recent event names each instance keeps for ``InstanceSnapshot/recentEvents``.
    public var historyLength: Int
    /// Interpreter limits; `tracing` is turned on when listeners want microsteps.
    public var interpreter: InterpreterOptions
    /// Report microsteps to listeners (turns on interpreter tracing; costs speed).
    public var traceMicrosteps: Bool
    /// With a store: write a snapshot of an instance after this many journal records, so
    /// recovery replays at most this many per instance. Default 100.
    public var snapshotEvery: Int
    /// Most dead letters kept (default 10,000). When the list is full the oldest is dropped:
    /// counted in ``EngineStatistics/deadLettersDropped`` and the metric
    /// `switchyard_dead_letters_dropped`, logged at warning level (the first drop and every
    /// 1,000th after it) and reported to ``EngineListener/deadLetterDropped(_:)``. 0 keeps none
    /// (every dead letter is reported, then dropped).
    public var deadLetterCapacity: Int
    /// When set, each shard forgets finished and stopped instances this long after they ended,
    /// checked after every batch of messages it processes (an idle shard prunes with its next
    /// message). Only the in-memory records go: a durable engine keeps their rows and journals
    /// until ``Engine/pruneFinished(olderThan:)``, and still answers events to them with
    /// `instanceFinished`. Default nil: keep them until ``Engine/pruneFinished(olderThan:)``.
    public var finishedRetention: Duration?
    /// Loads the document of `<invoke type="scxml" src="...">` (relative `src` resolved against
    /// the invoking document's directory), e.g. `SCXMLLoader().documentLoader`. Without one
    /// such an invoke raises `error.execution`; inline `<content>` documents need none.
    public var documentLoader: DocumentLoader?
    /// Parses `<invoke>` content given as markup (`<content expr="...">`), e.g.
    /// `SCXMLLoader().documentParser`.
    public var documentParser: DocumentParser?
    /// The level of the engine's swift-log logger (`switchyard.engine`): `<log>` lines are
    /// `info`, problems `warning` and above. Default `info`.
    public var logLevel: Logger.Level = .info
    /// The W3C Basic HTTP Event I/O Processor (SCXML D.2): gives every instance its
    /// `_ioprocessors.basichttp.location` and POSTs what `<send type="...#BasicHTTPEventProcessor">`
    /// sends. With a store a POST is made once its step is durable and recorded in the outbox
    /// until answered, so a crash repeats it (with the same `Idempotency-Key`) rather than
    /// losing it. A failed POST gives the sending instance `error.communication` (as an
    /// external event: the step that sent it is over). Without one such sends raise
    /// `error.communication`. `switchyard serve` sets it.
    public var basicHTTP: (any BasicHTTPTransport)?

    public init(
        shards: Int? = nil, mailboxCapacity: Int = 65_536, historyLength: Int = 16,
        interpreter: InterpreterOptions = .init(), traceMicrosteps: Bool = false,
        snapshotEvery: Int = 100,
        deadLetterCapacity: Int = 10_000, finishedRetention: Duration? = nil,
        documentLoader: DocumentLoader? = nil, documentParser: DocumentParser? = nil
    ) {
        self.deadLetterCapacity = max(0, deadLetterCapacity)
        self.finishedRetention = finishedRetention
        self.documentLoader = documentLoader
        self.documentParser = documentParser
        self.snapshotEvery = max(1, snapshotEvery)
        self.shards = max(1, shards ?? 4 * processorCount())
        self.mailboxCapacity = max(1, mailboxCapacity)
        self.historyLength = max(0, historyLength)
        self.interpreter = interpreter
        self.traceMicrosteps = traceMicrosteps
    }
}

/// Counters the engine keeps itself (independent of swift-metrics).
public struct EngineStatistics: Sendable, Hashable {
    /// Events handed to an instance's interpreter.
    public var eventsProcessed: Int
    /// Events parked in the dead-letter list (ever).
    public var deadLetters: Int
    /// Dead letters dropped because the list was full (see ``EngineOptions/deadLetterCapacity``).
    public var deadLettersDropped: Int
    /// Finished instance records forgotten by ``EngineOptions/finishedRetention``.
    public var finishedPruned: Int
    /// Instances started.
    public var instancesStarted: Int
    /// Timers that fired and were delivered.
    public var timersFired: Int
    /// Timers that fired more than a second after they were due (a busy engine, or due while
    /// the process was down and fired at recovery).
    public var timersFiredLate: Int = 0
}

/// What ``Engine/deliverAndWait(_:to:eventID:)`` reports once the event is processed (and, with a
/// store, journaled).
public struct DeliveryReceipt: Sendable, Hashable {
    /// True when the instance had already journaled an event with this id: nothing was applied.
    public var duplicate: Bool
    /// The event's journal record number (nil without a store, or for a duplicate).
    public var sequence: Int64?
    /// The instance's configuration after the event (active states in document order).
    public var configuration: [String]
    /// Whether a transition took the event: false when the event was delivered but no
    /// transition of the active configuration matched it (the machine ignored it), nil for a
    /// duplicate (nothing was applied).
    public var handled: Bool?

    public init(duplicate: Bool, sequence: Int64?, configuration: [String], handled: Bool?) {
        self.duplicate = duplicate
        self.sequence = sequence
        self.configuration = configuration
        self.handled = handled
    }
}

/// One instance recovery could not restore; the others still run.
public struct RecoveryFailure: Sendable, Hashable {
    /// The instance (empty for a stored definition that does not compile).
    public var instanceID: String
    /// Why, naming the record or definition version.
    public var message: String
}

/// What ``Engine/recover()`` did.
public struct RecoveryReport: Sendable, Hashable {
    /// Unfinished instances restored.
    public var instances: Int
    /// Journal records replayed (after the snapshots).
    public var replayedRecords: Int
    /// Timers pending after recovery (overdue ones have fired by the time `recover()` returns).
    public var pendingTimers: Int
    /// Instances (or definitions) that could not be restored.
    public var failures: [RecoveryFailure]
}

/// What ``Engine/migrate(_:to:stateMapping:transform:)`` did.
public struct MigrationReport: Sendable, Hashable {
    public var instanceID: String
    public var fromVersion: Int
    public var toVersion: Int
    /// The configuration in the new version.
    public var configuration: [String]
}

/// Rewrites an instance's data model during a migration; throwing refuses the migration.
public typealias MigrationTransform = @Sendable (inout [NamedValue]) throws -> Void

struct MigrationRequest: Sendable {
    var definition: RegisteredDefinition
    var stateMapping: [String: String]
    var transform: MigrationTransform?
}
