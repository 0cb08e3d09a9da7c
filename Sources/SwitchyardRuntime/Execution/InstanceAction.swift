import SwitchyardCore
import SwitchyardExpressions

/// Identifies one timer of an instance. A replaced or re-armed timer gets another key, so a
/// timer that fires after it was superseded is recognised as stale by
/// ``InstanceExecutor/accepts(_:)``.
enum TimerKey: Hashable, Sendable {
    /// A delayed `<send>` (or a state timeout): its send id and per-instance scheduling number.
    case send(sendID: String, seq: UInt64)
    /// The per-attempt timeout of an activity attempt.
    case activityTimeout(invokeID: String, generation: Int)
    /// The pending retry of an activity.
    case activityRetry(invokeID: String, generation: Int)

    /// The input the instance applies when this timer, due at `due`, fires.
    func input(due: Int64) -> InstanceInput {
        switch self {
        case .send(let sendID, let seq): .timer(sendID: sendID, seq: seq, due: due)
        case .activityTimeout(let invokeID, let generation):
            .activityTimeout(invokeID: invokeID, generation: generation)
        case .activityRetry(let invokeID, let generation):
            .activityRetry(invokeID: invokeID, generation: generation)
        }
    }
}

/// Something an ``InstanceExecutor`` asks its performer to do. The list is closed: everything an
/// instance can cause outside its own state is one of these, so a performer decides in one place
/// what happens live, what is journaled and what a replay skips.
enum InstanceAction {
    /// Deliver `event` to the instance `to` (possibly this one) through its mailbox or queue.
    /// `eventID` is the stable id of a durable performer (`<sender>#<record>.<n>`).
    case post(event: Event, to: String, eventID: String?)
    /// Deliver `event` (carrying the invoke id) from this invoked instance to its parent.
    case postToParent(event: Event, parent: String, eventID: String?)
    /// Arm a timer at instant `due`.
    case schedule(TimerKey, due: Int64)
    /// Disarm a timer (a no-op when it already fired).
    case cancelTimer(TimerKey)
    /// Start the attempt `generation` of the activity invoked as `invokeID` (its request,
    /// attempt number and idempotency key are in the executor's ``InstanceExecutor/activities``).
    case startActivity(invokeID: String, generation: Int)
    /// The attempt in flight ended (result, timeout or cancellation); `cancel` asks to cancel its
    /// task. `attemptID` is its outbox id.
    case endAttempt(invokeID: String, attemptID: String, cancel: Bool)
    /// Start an invoked child instance.
    case startChild(ChildStart)
    /// The child document of an `<invoke>` could not be loaded or compiled: live, the instance
    /// gets `error.execution` (as an event with `eventID`); a replay only logs it.
    case childFailed(invokeID: String, message: String, eventID: String?)
    /// Stop an invoked child (its invoking state was exited, or this instance ended).
    case cancelChild(childID: String, parent: String, startEventID: String?)
    /// POST `event` to `url` through the Basic HTTP Event I/O Processor (SCXML D.2); `eventID`
    /// is the stable id of a durable performer (sent as the request's idempotency key).
    case basicHTTP(event: Event, url: String, eventID: String?)
    /// Publish `event` through the engine's router (`<send target="#_router">`).
    case route(event: Event, eventID: String?)
    /// A `<log>` line.
    case log(label: String?, message: String)
    /// Park an event that cannot be delivered.
    case deadLetter(event: Event, reason: DeadLetterReason)
    /// Run recorded saga compensations (newest first); `key` prefixes their idempotency keys.
    case runCompensations([CompensationEntry], key: String)
    /// Something observers (listeners, metrics, logs) may want to know.
    case notify(InstanceNotice)
    /// The instance ended with this status.
    case finished(InstanceStatus)
}

/// What ``InstanceAction/notify(_:)`` reports.
enum InstanceNotice {
    /// The instance started (its first macrostep ran).
    case started(definition: String)
    /// An event is about to be processed (only while observed).
    case eventReceived(Event)
    /// The microsteps of a macrostep (only with tracing).
    case microsteps([MicrostepTrace])
    /// An effect of a macrostep was carried out (only while observed).
    case effect(Effect)
    /// A macrostep was stopped by a limit.
    case macrostepError(InterpreterError)
    /// A delayed event due at `due` fired.
    case timerFired(due: Int64)
    /// An activity failed for good (no retry left).
    case activityFailed(name: String, ActivityError)
}
