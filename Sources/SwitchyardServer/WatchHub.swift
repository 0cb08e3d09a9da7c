import SwitchyardRuntime
import Synchronization

/// Wakes the requests that wait for an instance to change: long polls, `?wait=` answers and
/// event streams. The engine tells it (as an ``EngineListener``) each time an instance's journal
/// records become durable; a waiter then reads the journal after the sequence it last saw, so a
/// notification is only a hint and a missed one loses nothing.
final class WatchHub: EngineListener, Sendable {
    private struct Waiter {
        let id: UInt64
        let after: Int64
        let continuation: CheckedContinuation<Int64?, Never>
    }

    private struct State {
        var nextID: UInt64 = 0
        /// Newest durable sequence per instance (seen since this process started).
        var latest: [String: Int64] = [:]
        var waiters: [String: [Waiter]] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    // MARK: EngineListener

    func journalCommitted(instanceID: String, sequence: Int64, status: InstanceStatus) {
        let woken: [Waiter] = state.withLock { s in
            // Only running instances are remembered (finished ones are read from the store), so
            // the table does not grow with every instance ever run.
            if status.isRunning {
                s.latest[instanceID] = max(s.latest[instanceID] ?? 0, sequence)
            } else {
                s.latest[instanceID] = nil
            }
            guard let list = s.waiters[instanceID] else { return [] }
            let ready = list.filter { sequence > $0.after }
            if ready.count == list.count {
                s.waiters[instanceID] = nil
            } else {
                s.waiters[instanceID] = list.filter { sequence <= $0.after }
            }
            return ready
        }
        for w in woken { w.continuation.resume(returning: sequence) }
    }

    // MARK: Waiting

    /// Waits until the instance has a durable journal record after `sequence`, at most
    /// `timeout`; returns its newest sequence, or nil on timeout or shutdown.
    func wait(for instanceID: String, after sequence: Int64, timeout: Duration) async -> Int64? {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskGroup(of: Int64?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Int64?, Never>) in
                        let immediate: Int64?? = self.state.withLock { s in
                            if s.closed { return .some(nil) }
                            if let l = s.latest[instanceID], l > sequence { return .some(l) }
                            s.waiters[instanceID, default: []].append(
                                Waiter(id: id, after: sequence, continuation: c))
                            return .none
                        }
                        if let immediate { c.resume(returning: immediate) }
                    }
                } onCancel: {
                    self.cancel(instanceID, id)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func cancel(_ instanceID: String, _ id: UInt64) {
        let removed: Waiter? = state.withLock { s in
            guard var list = s.waiters[instanceID], let i = list.firstIndex(where: { $0.id == id }) else {
                return nil
            }
            let w = list.remove(at: i)
            s.waiters[instanceID] = list.isEmpty ? nil : list
            return w
        }
        removed?.continuation.resume(returning: nil)
    }

    /// Wakes every waiter with nil and makes later waits return at once (graceful shutdown).
    func close() {
        let all: [Waiter] = state.withLock { s in
            s.closed = true
            let all = s.waiters.values.flatMap { $0 }
            s.waiters.removeAll()
            return all
        }
        for w in all { w.continuation.resume(returning: nil) }
    }

    var isClosed: Bool { state.withLock { $0.closed } }
}
