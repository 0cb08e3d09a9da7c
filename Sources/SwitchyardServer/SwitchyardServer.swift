import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
public import Switchyard
import Synchronization
public import UnixSignals

/// The durable engine as an HTTP service: what `switchyard serve` runs, usable from Swift too.
///
/// ```swift
/// let server = try SwitchyardServer(configuration: ServerConfiguration(port: 8080))
/// try await server.run { url in print("listening on \(url)") }   // until SIGTERM/SIGINT
/// ```
///
/// `init` opens the SQLite database, loads (or creates) the tokens file and deploys the
/// machines folder; ``run(gracefulShutdownSignals:onListening:)`` starts listening, recovers
/// the running instances (`/readyz` answers 503 until that is done) and serves until a signal
/// or ``shutdown()``: it then stops accepting connections, lets in-flight requests finish,
/// ends event streams and long polls, and shuts the engine down (every accepted event is
/// journaled before its answer, so nothing acknowledged is lost).
public final class SwitchyardServer: Sendable {
    /// The configuration it runs with.
    public let configuration: ServerConfiguration
    /// The engine behind the API (embedding programs may register actions and activities on it
    /// before ``run(gracefulShutdownSignals:onListening:)``).
    public let engine: Engine
    /// The tokens file in use.
    public let tokensFile: String
    /// The admin token created at this start because no tokens file existed (print it once).
    public let generatedToken: String?
    /// Machines and rule sets deployed from the machines folder at start: `name vN (file)`.
    public let deployedAtStart: [String]

    let store: SQLiteStore
    let catalog = Catalog()
    let hub = WatchHub()
    let metrics = ServerMetrics()
    let state: ServerState
    let logger: Logger
    /// The Basic HTTP Event I/O Processor: instances' locations under `/v1/basichttp`.
    let basicHTTP: BasicHTTPEndpoint
    /// Opens once the HTTP server listens (recovery waits for it: recovered instances need
    /// their Basic HTTP locations, which need the port).
    let listening = Gate()
    private let group = Mutex<ServiceGroup?>(nil)
    private let stopRequested = Atomic<Bool>(false)

    /// Opens the database, loads the tokens and deploys the machines folder.
    /// - Throws: ``ServerError`` naming the file and the problem.
    public init(configuration: ServerConfiguration, logger: Logger? = nil) throws(ServerError) {
        self.configuration = configuration
        var log = logger ?? Logger(label: "switchyard.server")
        log.logLevel = configuration.logLevel
        self.logger = log

        // Tokens first: refusing an unsafe configuration must not touch the database.
        let tokensPath: String
        var generated: String?
        let tokens: TokenStore
        if let given = configuration.tokensFile {
            tokensPath = given
            tokens = try TokenStore.load(path: given)
        } else {
            guard configuration.isLoopback else {
                throw .invalidConfiguration(
                    "listening on \(configuration.host) (not loopback) needs --tokens FILE: refusing to start with a generated token"
                )
            }
            tokensPath = configuration.databasePath + ".tokens.json"
            if FileManager.default.fileExists(atPath: tokensPath) {
                tokens = try TokenStore.load(path: tokensPath)
            } else {
                let secret = TokenStore.generateSecret()
                tokens = TokenStore([TokenStore.Token(name: "admin", scope: .admin, secret: secret)])
                try tokens.write(path: tokensPath)
                generated = secret
            }
        }
        self.tokensFile = tokensPath
        self.generatedToken = generated
        self.state = ServerState(tokens: tokens)

        do {
            store = try SQLiteStore(path: configuration.databasePath)
        } catch {
            throw .store(error.message)
        }
        let loader = SCXMLLoader()
        var options = EngineOptions(
            shards: configuration.shards > 0 ? configuration.shards : nil,
            documentLoader: loader.documentLoader, documentParser: loader.documentParser)
        options.logLevel = configuration.logLevel
        let secret = try BasicHTTPEndpoint.secret(at: configuration.databasePath + ".basichttp.key")
        basicHTTP = BasicHTTPEndpoint(
            base: configuration.publicURL.map { Self.trimmedURL($0) + "/v1/basichttp" }, secret: secret,
            timeout: configuration.basicHTTPTimeout)
        options.basicHTTP = basicHTTP
        engine = Engine(store: store, clock: WallClock(), options: options)
        engine.addListener(hub)
        engine.addListener(metrics)
        if let dir = configuration.machinesDirectory {
            deployedAtStart = try Self.deployFolder(dir, engine: engine, catalog: catalog)
        } else {
            deployedAtStart = []
        }
    }

    /// Deploys every `*.rules.xml` and then every `*.scxml` of `dir` (sorted by name).
    static func trimmedURL(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    static func deployFolder(_ dir: String, engine: Engine, catalog: Catalog) throws(ServerError) -> [String]
    {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .invalidConfiguration("machines folder \(dir) does not exist (give --machines DIR)")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        var deployed: [String] = []
        for file in files where file.hasSuffix(".rules.xml") {
            let path = dir + "/" + file
            do {
                let ruleSet = try RuleSet.load(path: path)
                catalog.add(ruleSet: ruleSet)
                deployed.append("rule set \(ruleSet.name) (\(path))")
            } catch {
                throw .invalidMachine(error.description)
            }
        }
        for file in files where file.hasSuffix(".scxml") {
            let path = dir + "/" + file
            let definition: MachineDefinition
            do {
                definition = try MachineDefinition.load(path: path, ruleSets: catalog.ruleSets)
            } catch {
                throw .invalidMachine(error.description)
            }
            let name = definition.name ?? String(file.dropLast(".scxml".count))
            do {
                let d = try engine.deploy(definition, as: name)
                catalog.record(
                    Catalog.Deployed(
                        name: name, version: d.version, hash: d.hash, document: definition.document))
                deployed.append("machine \(name) (\(path))")
            } catch {
                throw .invalidMachine("\(path): \(error)")
            }
        }
        return deployed
    }

    /// Serves until one of `gracefulShutdownSignals` arrives or ``shutdown()`` is called.
    /// `onListening` receives the base URL (with the real port when ``ServerConfiguration/port``
    /// is 0) once the socket is bound.
    public func run(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) async throws {
        let api = API(
            engine: engine, store: store, catalog: catalog, hub: hub, configuration: configuration,
            metrics: metrics,
            state: state, logger: logger, basicHTTP: basicHTTP)
        let state = self.state
        let configuration = self.configuration
        let basicHTTP = self.basicHTTP
        let listening = self.listening
        let app = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "switchyard"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                let url = "http://\(host):\(port)"
                state.selfOriginsBox.withLock {
                    $0 = [url, "http://localhost:\(port)", "http://127.0.0.1:\(port)"]
                }
                if configuration.publicURL == nil { basicHTTP.setBase(url + "/v1/basichttp") }
                listening.open()
                await onListening(url)
            },
            logger: logger)
        let engineService = EngineService(server: self)
        let streams = StreamCloser(hub: hub)
        // Shutdown runs in reverse order: streams and long polls end, the HTTP server drains,
        // then the engine flushes and stops.
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: engineService, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: app),
                    .init(service: streams, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        group.withLock { $0 = serviceGroup }
        if stopRequested.load(ordering: .acquiring) { await serviceGroup.triggerGracefulShutdown() }
        try await serviceGroup.run()
    }

    /// Starts a graceful shutdown (as SIGTERM does); ``run(gracefulShutdownSignals:onListening:)``
    /// returns when it is complete.
    public func shutdown() async {
        stopRequested.store(true, ordering: .releasing)
        if let g = group.withLock({ $0 }) { await g.triggerGracefulShutdown() }
    }

    /// Recovers the engine, then marks the server ready; on shutdown stops the engine.
    struct EngineService: Service {
        let server: SwitchyardServer

        func run() async throws {
            let report: RecoveryReport
            await server.listening.wait()
            do {
                report = try await server.engine.recover()
            } catch {
                server.logger.critical("recovery failed: \(error)")
                throw error
            }
            for failure in report.failures {
                server.logger.error(
                    "recovery: \(failure.instanceID.isEmpty ? "" : "instance \(failure.instanceID): ")\(failure.message)"
                )
            }
            server.logger.info(
                "recovered \(report.instances) running instances (\(report.replayedRecords) journal records, \(report.pendingTimers) timers)"
            )
            server.state.markReady()
            // Stay up until the group shuts down (after the HTTP server has drained).
            try? await gracefulShutdown()
            await server.engine.shutdown()
            server.logger.info("engine stopped; journal flushed")
        }
    }

    /// Ends event streams and long polls when shutdown begins, so the HTTP server can drain.
    struct StreamCloser: Service {
        let hub: WatchHub

        func run() async throws {
            try? await gracefulShutdown()
            hub.close()
        }
    }
}

/// A one-shot signal: ``wait()`` returns once ``open()`` was called.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if ready { c.resume() }
        }
    }
}
