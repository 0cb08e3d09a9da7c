import Synchronization

/// A thread-safe list of strings, for asserting what handlers and activities saw.
public final class Recorder: Sendable {
    private let items = Mutex<[String]>([])

    public init() {}

    /// Appends one entry.
    public func add(_ s: String) { items.withLock { $0.append(s) } }

    /// Everything recorded, in order.
    public var all: [String] { items.withLock { $0 } }
}
