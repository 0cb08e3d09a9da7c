/// One instance as its shard keeps it: the ``InstanceExecutor`` (the instance's state and
/// logic, a value) and the shard's handles for it — timer tokens, activity tasks — which are
/// not part of the instance's state and are never journaled. A class so the shard mutates the
/// executor in place, never copying its interpreter. Touched only by the shard's worker.
final class InstanceSlot {
    var executor: InstanceExecutor
    /// Engine timer tokens of the instance's armed timers.
    var timerTokens: [TimerKey: UInt64] = [:]
    /// The task of each activity attempt in flight, by invoke id.
    var tasks: [String: ActivityTask] = [:]
    /// Records applied since the last snapshot (durable mode).
    var sinceSnapshot = 0
    /// Set at start: the journal record before this instance's `start` (non-zero when the id
    /// was used before); written with the instance's first row, then nil.
    var snapshotBase: Int64?

    init(_ executor: InstanceExecutor) { self.executor = executor }

    var id: String { executor.id }
}

/// The running task of an activity attempt (its timeout timer is in
/// ``InstanceSlot/timerTokens``).
struct ActivityTask {
    var generation: Int
    var task: Task<Void, Never>
}
