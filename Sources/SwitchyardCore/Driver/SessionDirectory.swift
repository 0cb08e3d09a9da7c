/// The set of live session ids an executor can deliver to, shared with its interpreters so a
/// `<send target="#_scxml_ID">` to a session that does not exist raises `error.communication`
/// in the sending macrostep, before later internal events (SCXML 6.2.4, W3C test 496).
public final class SessionDirectory: @unchecked Sendable {
    private let lock = Mutex()
    private var ids: Set<String> = []

    public init() {}

    /// Whether a session with this id is live.
    public func contains(_ id: String) -> Bool { lock.withLock { ids.contains(id) } }

    /// Registers a live session.
    public func insert(_ id: String) { _ = lock.withLock { ids.insert(id) } }

    /// Forgets a session that ended.
    public func remove(_ id: String) { _ = lock.withLock { ids.remove(id) } }
}
