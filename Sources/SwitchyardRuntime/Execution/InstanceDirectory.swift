public import SwitchyardCore
import Synchronization

/// The set of live instance ids a ``InstanceRunner`` can deliver to, shared with its
/// interpreters so a `<send target="#_scxml_ID">` to a session that does not exist raises
/// `error.communication` in the sending macrostep, before later internal events (SCXML 6.2.4,
/// W3C test 496).
public final class InstanceDirectory: InstanceLookup, Sendable {
    private let ids = Mutex<Set<String>>([])

    public init() {}

    /// Whether a session with this id is live.
    public func contains(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }

    /// Registers a live session.
    public func insert(_ id: String) { _ = ids.withLock { $0.insert(id) } }

    /// Forgets a session that ended.
    public func remove(_ id: String) { _ = ids.withLock { $0.remove(id) } }
}
