/// Tells an interpreter which session ids exist, so a `<send target="#_scxml_ID">` to a session
/// that does not exist raises `error.communication` in the sending macrostep, before later
/// internal events (SCXML 6.2.4, W3C test 496). Provided by the performer that runs the
/// interpreter; without one, such sends are left to the performer.
public protocol InstanceLookup: AnyObject, Sendable {
    /// Whether a session with this id is live.
    func contains(_ id: String) -> Bool
}
