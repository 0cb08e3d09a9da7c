#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The time source of an executor. Instants are nanoseconds since the clock's own epoch.
public protocol SessionClock: Sendable {
    /// The current instant.
    func now() -> Int64
}

/// Wall-clock time (monotonic), for real deployments.
public struct SystemClock: SessionClock {
    public init() {}

    /// Nanoseconds since an arbitrary fixed point (monotonic).
    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// Real time as nanoseconds since the Unix epoch (`CLOCK_REALTIME`).
///
/// Use it where instants must keep their meaning across process restarts and reboots: the
/// durable engine stores timer due times, and a monotonic clock's epoch changes at every boot.
public struct WallClock: SessionClock {
    public init() {}

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// A clock that moves only when told to: tests and `--clock manual` see the same trace every
/// run, and delays of hours take no wall time.
public final class ManualClock: SessionClock, @unchecked Sendable {
    private let lock = Mutex()
    private var current: Int64

    public init(start: Int64 = 0) { current = start }

    /// The instant the clock was last moved to.
    public func now() -> Int64 { lock.withLock { current } }

    /// Moves the clock forward (never backwards).
    public func advance(by duration: Duration) {
        lock.withLock { current += duration.nanoseconds }
    }

    /// Sets the clock to `instant` if that is later than now.
    public func advance(to instant: Int64) {
        lock.withLock { if instant > current { current = instant } }
    }
}

/// A minimal pthread mutex (no Foundation, no Synchronization availability concerns).
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
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
