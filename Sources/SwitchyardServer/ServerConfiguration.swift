public import Logging

/// How `switchyard serve` (or an embedding program) runs the HTTP service.
public struct ServerConfiguration: Sendable {
    /// The interface to listen on; `127.0.0.1` by default. Anything other than a loopback address
    /// requires an explicit tokens file (``tokensFile``).
    public var host: String
    /// The port; `8080` by default, `0` picks a free one
    /// (``SwitchyardServer/run(gracefulShutdownSignals:onListening:)`` reports the URL).
    public var port: Int
    /// The SQLite database of instances and definitions; `./switchyard.sqlite` by default.
    public var databasePath: String
    /// The folder whose `*.scxml` machines and `*.rules.xml` rule sets are deployed at start;
    /// nil deploys nothing (machines already in the database still run).
    public var machinesDirectory: String?
    /// A JSON tokens file (see ``TokenStore``). Nil: the server uses `<database>.tokens.json`,
    /// creating it with one new admin token on the first start.
    public var tokensFile: String?
    /// Origins allowed to call the API from a browser (`Origin` header). Requests carrying any
    /// other origin are refused with 403.
    public var corsOrigins: [String]
    /// The largest request body accepted, in bytes (1 MiB by default); larger bodies get 413.
    public var maxBodyBytes: Int
    /// The longest a long poll (`GET /v1/instances/{id}?afterSeq=`) or `?wait=processed` may
    /// wait, in seconds.
    public var maxWaitSeconds: Double
    /// Engine shards (0: one per core).
    public var shards: Int
    /// Log level of the server and engine.
    public var logLevel: Logger.Level
    /// The URL other systems reach this server at (e.g. `https://flows.example.com`), used for
    /// the Basic HTTP locations of instances (`_ioprocessors.basichttp.location`); default the
    /// URL it listens on.
    public var publicURL: String?
    /// How long a Basic HTTP POST an instance makes may take (connecting included: refused
    /// connections are retried until then) before the instance gets `error.communication`.
    /// Default 10 seconds.
    public var basicHTTPTimeout: Duration = .seconds(10)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "switchyard.sqlite",
        machinesDirectory: String? = "machines", tokensFile: String? = nil, corsOrigins: [String] = [],
        maxBodyBytes: Int = 1 << 20, maxWaitSeconds: Double = 60, shards: Int = 0,
        logLevel: Logger.Level = .info, publicURL: String? = nil
    ) {
        self.publicURL = publicURL
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.machinesDirectory = machinesDirectory
        self.tokensFile = tokensFile
        self.corsOrigins = corsOrigins
        self.maxBodyBytes = maxBodyBytes
        self.maxWaitSeconds = maxWaitSeconds
        self.shards = shards
        self.logLevel = logLevel
    }

    /// Whether ``host`` is a loopback address (only then may the server generate its own token).
    var isLoopback: Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
