/// Why a server could not start.
public enum ServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The tokens file could not be read or is malformed (path, reason).
    case invalidTokensFile(String, String)
    /// The options contradict each other or are unsafe (e.g. listening on every interface with
    /// no tokens).
    case invalidConfiguration(String)
    /// The database could not be opened.
    case store(String)
    /// A machine or rule set in the machines folder does not load (its diagnostics).
    case invalidMachine(String)

    public var description: String {
        switch self {
        case .invalidTokensFile(let path, let why): "tokens file \(path) \(why)"
        case .invalidConfiguration(let why): why
        case .store(let why): why
        case .invalidMachine(let why): why
        }
    }
}
