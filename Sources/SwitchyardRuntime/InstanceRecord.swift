import SwitchyardCore
import SwitchyardExpressions

/// A delayed event waiting in an instance.
struct PendingSend: Codable {
    /// The engine timer token (not persisted meaningfully: re-armed timers get new tokens).
    var token: UInt64
    var due: Int64
    /// Per-instance scheduling number: identifies this timer in the journal (a replaced timer
    /// with the same send id has another one).
    var seq: UInt64
    var event: Event
    var target: SendTarget
}

/// A running activity invocation.
struct ActivityRun {
    var request: InvokeRequest
    var registered: RegisteredActivity?
    var attempt = 0
    var generation = 0
    var inFlight = false
    /// The idempotency key handed to the activity (stable across crashes).
    var key = ""
    var task: Task<Void, Never>?
    var timeoutToken: UInt64?
    var retryToken: UInt64?
    /// Due instant of the pending retry, if one is scheduled.
    var retryDue: Int64?
}

/// A recorded saga compensation.
struct CompensationEntry: Sendable, Codable {
    var activity: String
    var params: [NamedValue]
}

/// The parent of an instance started by `<invoke type="scxml">`: where `#_parent` events and
/// `done.invoke.<invokeID>` go.
struct ParentLink: Sendable, Codable, Hashable {
    /// The invoking instance.
    var parent: String
    /// The invoke id under which it started this instance.
    var invokeID: String
    /// The stable id of the parent's start message (durable mode): tells a repeated start
    /// (recovery re-posting it) from a new invocation under the same id.
    var startEventID: String?
}

/// A child instance an instance invoked and has not seen finish.
struct ChildLink: Sendable, Codable, Hashable {
    /// The child's instance id (`<parent id>.<invoke id>`).
    var id: String
    /// See ``ParentLink/startEventID``.
    var startEventID: String?
    /// What recovery needs to start the child again if its start was lost in a crash: the
    /// definition version and the invoke's params.
    var definitionHash: String?
    var data: [NamedValue]?
}

/// One instance as its shard keeps it. Touched only by the shard's worker.
final class InstanceRecord {
    let id: String
    var definition: RegisteredDefinition
    var interpreter: Interpreter
    var status: InstanceStatus = .running
    var timers: [String: PendingSend] = [:]
    var timerSeq: UInt64 = 0
    var activities: [String: ActivityRun] = [:]
    /// Activity starts so far (numbers idempotency keys).
    var activityStarts = 0
    var compensations: [CompensationEntry] = []
    /// Compensations being run right now (newest first), nil when none are.
    var compensating: [CompensationEntry]?
    var recent: [String] = []
    var recentNext = 0
    var correlationKey: String?
    /// Set for an instance started by `<invoke type="scxml">`.
    var parentLink: ParentLink?
    /// Invoked child instances by invoke id (removed on `done.invoke` and on cancellation).
    var children: [String: ChildLink] = [:]
    /// The latest cancelled children (invoke id, cancellation stamp), newest last, at most 32:
    /// their events sent before the stamp are still taken. Not persisted.
    var cancelledChildren: [(String, UInt64)] = []

    // Durability (unused without a store).
    /// The last journal record applied.
    var seq: Int64 = 0
    /// Records applied since the last snapshot.
    var sinceSnapshot = 0
    /// Set at start: the journal record before this instance's `start` (non-zero when the id
    /// was used before); written with the instance's first row, then nil.
    var snapshotBase: Int64?
    /// Idempotency ids of every event this instance journaled.
    var eventIDs: Set<String> = []
    /// Counts effects of the current macrostep, for stable ids of outgoing events.
    var effectCounter = 0
    var startedAt: Int64 = 0
    var finishedAt: Int64?

    init(id: String, definition: RegisteredDefinition, interpreter: Interpreter) {
        self.id = id
        self.definition = definition
        self.interpreter = interpreter
    }

    func remember(_ name: String, limit: Int) {
        guard limit > 0 else { return }
        if recent.count < limit {
            recent.append(name)
        } else {
            recent[recentNext] = name
            recentNext = (recentNext + 1) % limit
        }
    }

    var recentInOrder: [String] { Array(recent[recentNext...] + recent[..<recentNext]) }
}

/// Everything about an instance the engine keeps besides the interpreter's own state: the
/// snapshot a durable engine writes every ``EngineOptions/snapshotEvery`` records.
struct DurableSnapshot: Codable {
    struct Activity: Codable {
        var request: InvokeRequest
        var attempt: Int
        var generation: Int
        var inFlight: Bool
        var key: String
        var retryDue: Int64?
    }

    var state: InstanceState
    var status: String
    var finalState: String?
    var timers: [String: PendingSend]
    var timerSeq: UInt64
    var activities: [String: Activity]
    var activityStarts: Int
    var compensations: [CompensationEntry]
    var compensating: [CompensationEntry]?
    var recent: [String]
    var correlationKey: String?
    /// Absent in snapshots written before invoked children existed.
    var parent: ParentLink?
    var children: [String: ChildLink]?
}
