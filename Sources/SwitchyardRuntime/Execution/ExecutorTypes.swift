import SwitchyardCore
import SwitchyardExpressions

/// A delayed event waiting in an instance.
struct PendingSend: Codable {
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
    var attempt = 0
    var generation = 0
    var inFlight = false
    /// The idempotency key handed to the activity (stable across crashes).
    var key = ""
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

    var state: InterpreterState
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
