import Synchronization

/// What a timer does when it fires: one timer of one instance (and so of one shard).
struct TimerPayload: Sendable {
    var instanceID: String
    var key: TimerKey
}

/// The engine's timers: a ``TimerQueue`` behind a lock. Insert and cancel are O(log n) and
/// O(1); firing pops due timers in (due time, scheduling order).
final class TimerService: Sendable {
    private let queue = Mutex(TimerQueue<TimerPayload>())

    func schedule(at due: Int64, _ payload: TimerPayload) -> UInt64 {
        queue.withLock { $0.schedule(at: due, payload) }
    }

    func cancel(_ token: UInt64) {
        queue.withLock { _ = $0.cancel(token) }
    }

    func nextDue() -> Int64? { queue.withLock { $0.nextDue() } }

    var count: Int { queue.withLock { $0.count } }

    /// Removes every timer due at or before `now`, in firing order.
    func popDue(now: Int64, limit: Int = 4096) -> [(token: UInt64, due: Int64, payload: TimerPayload)] {
        queue.withLock { q in
            var out: [(token: UInt64, due: Int64, payload: TimerPayload)] = []
            while out.count < limit, let t = q.popDue(now: now) { out.append(t) }
            return out
        }
    }
}
