import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The time source of a performer (the engine, ``InstanceRunner``). Instants are nanoseconds
/// since the clock's own epoch. Performers never ask which clock they have: they read ``now()``
/// and wait with ``wait(until:)`` or ``sleep(until:)``, and a manual clock answers those by
/// moving (or waiting to be moved) instead of by passing real time.
public protocol EngineClock: Sendable {
    /// The current instant.
    func now() -> Int64
    /// Blocks the calling thread until `instant`. A manual clock jumps there at once.
    func wait(until instant: Int64)
    /// Suspends the task until `instant`, or until the task is cancelled. A manual clock resumes
    /// it when it is advanced to `instant` or past it.
    func sleep(until instant: Int64) async
}

extension EngineClock {
    /// Real time passes: sleeps the thread for the time left.
    public func wait(until instant: Int64) { SystemClock.nap(instant - now()) }

    /// Real time passes: sleeps the task for the time left (returns early when cancelled).
    public func sleep(until instant: Int64) async {
        let wait = instant - now()
        if wait > 0 { try? await Task.sleep(for: .nanoseconds(wait)) }
    }
}

/// Wall-clock time (monotonic), for real deployments.
public struct SystemClock: EngineClock {
    public init() {}

    /// Nanoseconds since an arbitrary fixed point (monotonic).
    public func now() -> Int64 { Self.read(CLOCK_MONOTONIC) }

    static func read(_ id: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func nap(_ nanoseconds: Int64) {
        guard nanoseconds > 0 else { return }
        var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var rest = timespec()
        while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
    }
}

/// Real time as nanoseconds since the Unix epoch (`CLOCK_REALTIME`).
///
/// Use it where instants must keep their meaning across process restarts and reboots: the
/// durable engine stores timer due times, and a monotonic clock's epoch changes at every boot.
public struct WallClock: EngineClock {
    public init() {}

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public func now() -> Int64 { SystemClock.read(CLOCK_REALTIME) }
}

/// A clock that moves only when told to: tests and `--clock manual` see the same trace every
/// run, and delays of hours take no wall time.
public final class ManualClock: EngineClock, Sendable {
    private struct Sleeper {
        var id: UInt64
        var deadline: Int64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    /// The instant, read without a lock (performers read it for every batch of inputs); moved
    /// only under `state`'s lock, so advances and sleepers stay ordered.
    private let current: Atomic<Int64>
    private let state = Mutex(State())

    public init(start: Int64 = 0) { current = Atomic(start) }

    /// The instant the clock was last moved to.
    public func now() -> Int64 { current.load(ordering: .acquiring) }

    /// Moves the clock forward (never backwards).
    public func advance(by duration: Duration) {
        let woken = state.withLock { s in
            current.store(current.load(ordering: .relaxed) &+ duration.nanoseconds, ordering: .releasing)
            return takeDue(&s)
        }
        for c in woken { c.resume() }
    }

    /// Sets the clock to `instant` if that is later than now.
    public func advance(to instant: Int64) {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            if instant > current.load(ordering: .relaxed) { current.store(instant, ordering: .releasing) }
            return takeDue(&s)
        }
        for c in woken { c.resume() }
    }

    /// Jumps to `instant` (time passes at once on a manual clock).
    public func wait(until instant: Int64) { advance(to: instant) }

    public func sleep(until instant: Int64) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if current.load(ordering: .relaxed) >= instant || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: instant, continuation: c))
                    return false
                }
                if ready { c.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            sleeper?.continuation.resume()
        }
    }

    private func takeDue(_ s: inout State) -> [CheckedContinuation<Void, Never>] {
        guard !s.sleepers.isEmpty else { return [] }
        let now = current.load(ordering: .relaxed)
        let due = s.sleepers.filter { $0.deadline <= now }.map(\.continuation)
        if !due.isEmpty { s.sleepers.removeAll { $0.deadline <= now } }
        return due
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns &+ atto / 1_000_000_000
    }
}
