/// What a bearer token may do. Scopes are ordered: `admin` includes `write`, which includes
/// `read`.
public enum Scope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Read machines, instances, journals, streams, dead letters, metrics.
    case read
    /// Start and cancel instances, send events, ask rule sets for decisions.
    case write
    /// Deploy machines; replay and discard dead letters.
    case admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (a: Scope, b: Scope) -> Bool { a.rank < b.rank }
}
