import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Kills a worker process (`Tests/CrashWorker`) with SIGKILL at random moments, restarts it, and
/// checks the database after every restart: no acknowledged event lost, none applied twice,
/// every instance's state equal to an in-memory replay of the events it applied, and timers
/// that fell due while it was down fired exactly once.
@Suite(.serialized) struct CrashTests {
    static let instances = 12
    static let events = 400

    static var workerURL: URL { Bundle.main.bundleURL.appendingPathComponent("CrashWorker") }

    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var buffer = Data()
        func append(_ d: Data) {
            lock.lock()
            buffer.append(d)
            lock.unlock()
        }
        var lines: [String] {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Starts the worker; returns the process and its growing output.
    static func launch(_ db: String) throws -> (Process, Output) {
        let process = Process()
        process.executableURL = workerURL
        process.arguments = [db, "\(instances)", "\(events)", machinePath]
        let pipe = Pipe()
        let output = Output()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    @Test func sigkillAtRandomMomentsLosesNothingAndAppliesNothingTwice() async throws {
        guard FileManager.default.fileExists(atPath: Self.workerURL.path) else {
            Issue.record("CrashWorker was not built at \(Self.workerURL.path)")
            return
        }
        let db = temporaryDirectory() + "/crash.sqlite"
        var acknowledged: [String: Set<Int>] = [:]
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var round = 0
        while kills < 20 {
            round += 1
            try #require(round < 60, "the worker kept finishing before it could be killed")
            let (process, output) = try Self.launch(db)
            let wait = Int.random(in: 5...500, using: &generator)
            try await Task.sleep(for: .milliseconds(wait))
            let finished = !process.isRunning
            if !finished {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            try await Task.sleep(for: .milliseconds(20))  // let the pipe handler drain
            for line in output.lines where line.hasPrefix("ACK ") {
                let parts = line.split(separator: " ")
                acknowledged[String(parts[1]), default: []].insert(Int(parts[2]) ?? -1)
            }
            try await Self.check(db, acknowledged: acknowledged, complete: false)
        }
        // A last undisturbed run completes the script; then everything must be there.
        let (process, output) = try Self.launch(db)
        process.waitUntilExit()
        try await Task.sleep(for: .milliseconds(20))
        #expect(process.terminationStatus == 0)
        #expect(output.lines.last == "DONE")
        try await Self.check(db, acknowledged: acknowledged, complete: true)
    }

    /// Opens the database in this process (which fires overdue timers during recovery, as the
    /// worker's next start would) and checks every instance.
    static func check(_ db: String, acknowledged: [String: Set<Int>], complete: Bool) async throws {
        let store = try SQLiteStore(path: db)
        let engine = Engine(store: store, options: EngineOptions(shards: 2))
        try engine.register(
            try MachineDefinition.load(path: machinePath), as: "ledger")
        let report = try await engine.recover()
        #expect(report.failures.isEmpty)
        // Timers are due 30 ms after their event; wait them out so every one is overdue and
        // has fired by the time we look.
        try await Task.sleep(for: .milliseconds(60))
        await engine.quiesce()
        let reference = Engine(clock: ManualClock(), options: EngineOptions(shards: 1))
        try reference.register(
            try MachineDefinition.load(path: machinePath), as: "ledger")
        for i in 0..<instances {
            let id = "i\(i)"
            guard let snapshot = await engine.snapshot(id) else {
                #expect(
                    acknowledged[id, default: []].isEmpty,
                    "instance \(id) lost although events were acknowledged")
                continue
            }
            guard case .array(let seenValues)? = snapshot.value(of: "seen") else {
                Issue.record("instance \(id) has no 'seen' list")
                continue
            }
            let seen = seenValues.compactMap { v -> Int? in if case .number(let n) = v { Int(n) } else { nil }
            }
            // Applied once each, in order: exactly 1...k.
            let inOrder = seen == Array(1..<(seen.count + 1))
            let firstWrong =
                zip(seen, 1...).first { $0.0 != $0.1 }.map { "\($0.0) at position \($0.1)" } ?? "-"
            #expect(
                inOrder,
                "instance \(id) applied \(seen.count) events, not 1...k once each (first wrong: \(firstWrong))"
            )
            // Nothing acknowledged is missing.
            let missing = acknowledged[id, default: []].subtracting(seen)
            #expect(missing.isEmpty, "instance \(id) lost acknowledged events \(missing.sorted())")
            if complete { #expect(seen.count == events) }
            // The same events replayed in memory give the same state.
            try await reference.start("ledger", id: id, onConflict: .terminateExisting)
            for n in seen {
                try await reference.deliverAndWait(
                    Event("inc", data: .object(JSObject([("n", .number(Double(n)))]))), to: id)
            }
            try await reference.advance(by: .milliseconds(100))
            let expected = try #require(await reference.snapshot(id))
            #expect(snapshot.configuration == expected.configuration)
            #expect(snapshot.value(of: "count") == expected.value(of: "count"))
            #expect(snapshot.value(of: "seen") == expected.value(of: "seen"))
            // Every timer due by now fired exactly once.
            #expect(snapshot.value(of: "ticks") == expected.value(of: "ticks"), "instance \(id) timers")
            #expect(snapshot.value(of: "tickSeen") == expected.value(of: "tickSeen"))
            #expect(snapshot.pendingTimers.isEmpty)
        }
        await engine.shutdown()
        await reference.shutdown()
    }

    /// The worker's machine, shared with the worker (it gets the path as an argument).
    static let machinePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CrashWorker/ledger.scxml").path
}
