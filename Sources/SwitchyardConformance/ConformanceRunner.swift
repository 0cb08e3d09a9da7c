public import Switchyard

#if canImport(Glibc)
    import Glibc
#endif

/// Runs W3C SCXML conformance tests: a test passes when its top-level session stops in the
/// final state `pass` (see `../shared/w3c-scxml/SOURCE.md`). Delayed events run on a
/// `ManualClock`, so tests take no wall time.
public struct ConformanceRunner: Sendable {
    /// The outcome of one test.
    public enum Outcome: Hashable, Sendable {
        case pass
        case fail(String)
        case skip(String)
    }

    /// One test's result.
    public struct Result: Hashable, Sendable {
        /// The test name, e.g. `test144`.
        public var name: String
        /// Pass, fail (with the reason) or skip (with the reason).
        public var outcome: Outcome

        /// `PASS test144`, `FAIL test144 <reason>`, `SKIP test144 <reason>`.
        public var line: String {
            switch outcome {
            case .pass: "PASS \(name)"
            case .fail(let why): "FAIL \(name) \(why)"
            case .skip(let why): "SKIP \(name) \(why)"
            }
        }
    }

    /// Most events one test may process before it counts as hanging.
    public var maxEvents: Int
    /// Tests not run, with the reason (see ``ConformanceExceptions``).
    public var skips: [String: String]
    /// Run each test on a definition compiled again from the first one's canonical document
    /// (`SCXMLDocument.canonicalized()`, what a durable engine names a version by), to check
    /// that canonicalisation keeps a machine's meaning: two documents with the same canonical
    /// form must behave the same.
    public var recompileCanonical: Bool
    /// The Basic HTTP Event I/O Processor's transport (e.g. `SwitchyardServer`'s
    /// `BasicHTTPLoopback`): with one the tests in ``ConformanceExceptions/basicHTTP`` run,
    /// without one they are skipped. The runner blocks while a POST is answered, so the
    /// transport must not need the calling thread.
    public var basicHTTP: (any BasicHTTPTransport)?

    public init(
        maxEvents: Int = 100_000, skips: [String: String] = ConformanceExceptions.skipped,
        recompileCanonical: Bool = false, basicHTTP: (any BasicHTTPTransport)? = nil
    ) {
        self.maxEvents = maxEvents
        self.skips = skips
        self.recompileCanonical = recompileCanonical
        self.basicHTTP = basicHTTP
    }

    /// The test documents of a directory: `testNNN.scxml` (and `testNNNa.scxml` parts), not the
    /// `subN` child documents they invoke, sorted by number.
    public static func testFiles(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("test"), name.hasSuffix(".scxml"), !name.contains("sub") else { continue }
            names.append(name)
        }
        return names.sorted { a, b in
            let na = Int(a.dropFirst(4).prefix { $0.isNumber }) ?? 0
            let nb = Int(b.dropFirst(4).prefix { $0.isNumber }) ?? 0
            return na != nb ? na < nb : a < b
        }.map { directory + "/" + $0 }
    }

    /// Runs one test document.
    public func run(path: String) -> Result {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let name = String(file.dropLast(".scxml".count))
        if let why = skips[name] { return Result(name: name, outcome: .skip(why)) }
        if basicHTTP == nil, ConformanceExceptions.basicHTTP.contains(name) {
            return Result(
                name: name,
                outcome: .skip("needs a Basic HTTP transport (`switchyard conformance` runs one on loopback)")
            )
        }
        let loader = SCXMLLoader()
        var definition: MachineDefinition
        do {
            let loaded = try loader.load(path: path)
            definition = try MachineDefinition.compile(loaded.document, warnings: loaded.warnings)
            if recompileCanonical {
                definition = try MachineDefinition.compile(definition.document.canonicalized())
            }
        } catch {
            // test301 passes only when the document is refused at load time; 313/314 may be.
            if ConformanceExceptions.mustBeRefused.contains(name)
                || ConformanceExceptions.mayBeRefused.contains(name)
            {
                return Result(name: name, outcome: .pass)
            }
            let first = error.errors.first?.headline ?? error.description
            return Result(name: name, outcome: .fail("load: \(first)"))
        }
        if ConformanceExceptions.mustBeRefused.contains(name) {
            return Result(name: name, outcome: .fail("document should have been refused at load time"))
        }
        let driver = InstanceRunner(
            definition: definition, sessionID: "test", clock: ManualClock(), loader: loader.documentLoader,
            parser: loader.documentParser, basicHTTP: basicHTTP)
        driver.keepLogs = false
        driver.start()
        driver.runToCompletion(maxEvents: maxEvents)
        let top = driver.top
        if top.finalStateID == "pass" { return Result(name: name, outcome: .pass) }
        if let final = top.finalStateID {
            return Result(name: name, outcome: .fail("stopped in final state '\(final)'"))
        }
        if let error = driver.errors.first?.error { return Result(name: name, outcome: .fail("\(error)")) }
        return Result(
            name: name,
            outcome: .fail("did not finish; configuration [\(top.configurationIDs.joined(separator: " "))]"))
    }

    /// Runs every test file of every directory, in order.
    public func run(directories: [String], each: (Result) -> Void = { _ in }) -> [Result] {
        var results: [Result] = []
        for dir in directories {
            for path in Self.testFiles(in: dir) {
                let r = run(path: path)
                each(r)
                results.append(r)
            }
        }
        return results
    }

    /// `N passed, N failed, N skipped`.
    public static func summary(_ results: [Result]) -> String {
        var p = 0
        var f = 0
        var s = 0
        for r in results {
            switch r.outcome {
            case .pass: p += 1
            case .fail: f += 1
            case .skip: s += 1
            }
        }
        return "\(p) passed, \(f) failed, \(s) skipped"
    }
}
