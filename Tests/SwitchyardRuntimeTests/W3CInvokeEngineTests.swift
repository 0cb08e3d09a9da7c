import Foundation
import Switchyard
import Testing

/// Runs the W3C tests that use `<invoke>` (from `../shared/w3c-scxml/ecma`) through the engine:
/// each test is an engine instance, its invoked sessions are child instances in other shards,
/// and delayed events run on a ``ManualClock``. Reported as skipped, with the reason, when the
/// suite is absent.
@Suite struct W3CInvokeEngineTests {
    static let directory: String? = {
        let repo = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let path = "/" + repo + "/../shared/w3c-scxml/ecma"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// Tests the engine does not run like `SessionDriver`, with the reason.
    static let exceptions: [String: String] = [:]

    /// Runs one test document; returns nil on pass, else why it failed.
    /// With `database`, the engine is durable (a SQLite store at that path).
    static func run(_ path: String, database: String? = nil) async throws -> String? {
        let loader = SCXMLLoader()
        let definition = try MachineDefinition.load(path: path)
        let options = EngineOptions(
            shards: 4, documentLoader: loader.documentLoader, documentParser: loader.documentParser)
        let engine: Engine
        if let database {
            engine = Engine(store: try SQLiteStore(path: database), clock: ManualClock(), options: options)
        } else {
            engine = Engine(clock: ManualClock(), options: options)
        }
        try engine.register(definition, as: "test")
        try await engine.recover()
        try await engine.start("test", id: "test")
        await engine.quiesce()
        // The suite's delays are at most 5 s; advance well past them, one second at a time.
        for _ in 0..<30 {
            if let s = await engine.snapshot("test"), !s.status.isRunning { break }
            try await engine.advance(by: .seconds(1))
        }
        let s = try #require(await engine.snapshot("test"))
        await engine.shutdown()
        switch s.status {
        case .finished(let final) where final == "pass": return nil
        case .finished(let final): return "stopped in final state '\(final ?? "")'"
        default: return "did not finish; configuration [\(s.configuration.joined(separator: " "))]"
        }
    }

    static func invokeTests(in directory: String) -> [String] {
        ConformanceRunner.testFiles(in: directory).filter { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
            return text.contains("<invoke")
        }
    }

    @Test(
        .enabled(
            if: directory != nil, "../shared/w3c-scxml/ecma is not present beside the repository; skipping"),
        arguments: [false, true])
    func invokeTestsPassThroughTheEngine(durable: Bool) async throws {
        let directory = try #require(Self.directory)
        let files = Self.invokeTests(in: directory)
        #expect(files.count >= 30, "expected the invoke tests, found \(files.count)")
        var failures: [String] = []
        var passed = 0
        for path in files {
            let name = String((path.split(separator: "/").last ?? "").dropLast(6))
            if ConformanceRunner().skips[name] != nil || Self.exceptions[name] != nil { continue }
            let dir =
                FileManager.default.temporaryDirectory.path + "/switchyard-w3c-\(name)-\(UUID().uuidString)"
            if durable {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            defer { if durable { try? FileManager.default.removeItem(atPath: dir) } }
            let database = durable ? dir + "/db.sqlite" : nil
            if let why = try await Self.run(path, database: database) {
                failures.append("\(name): \(why)")
            } else {
                passed += 1
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        print(
            "W3C invoke tests through the \(durable ? "durable " : "")engine: \(passed) passed, \(failures.count) failed"
        )
    }
}
