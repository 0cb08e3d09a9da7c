import Foundation
import Switchyard
@_spi(StoreImplementation) import SwitchyardRuntime
@_spi(StoreImplementation) import SwitchyardStore
import SwitchyardTestSupport
import Testing

@Suite struct RecoveryTests {
    @Test func instancesResumeFromJournalAfterRestart() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "a")
            try await engine.start("ledger", id: "b", data: [NamedValue("count", .number(10))])
            for n in 1...3 {
                let receipt = try await engine.deliverAndWait(
                    Event("inc", data: .object(JSObject([("n", .number(Double(n)))]))), to: "a")
                #expect(receipt.sequence == Int64(n + 1))
                #expect(!receipt.duplicate)
            }
            try await engine.deliverAndWait(
                Event("inc", data: .object(JSObject([("n", .number(7))]))), to: "b")
            try await engine.deliverAndWait(Event("finish"), to: "b")
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path)
        try engine.register(ledgerMachine(), as: "ledger")
        let report = try await engine.recover()
        #expect(report.instances == 1)  // b finished
        #expect(report.replayedRecords == 4)
        #expect(report.failures.isEmpty)
        let a = try #require(await engine.snapshot("a"))
        #expect(a.configuration == ["open"])
        #expect(a.value(of: "count") == .number(3))
        #expect(a.value(of: "seen") == .array([.number(1), .number(2), .number(3)]))
        // It goes on where it left off; the journal continues its numbering.
        let r = try await engine.deliverAndWait(
            Event("inc", data: .object(JSObject([("n", .number(4))]))), to: "a")
        #expect(r.sequence == 5)
        // The finished instance is not running; its id continues its journal when reused.
        await #expect(throws: EngineError.notRunning("b")) {
            try await engine.deliverAndWait(Event("inc"), to: "b")
        }
        await #expect(throws: EngineError.instanceFinished("b")) {
            try await engine.start("ledger", id: "b", onFinished: .rejectDuplicate)
        }
        try await engine.start("ledger", id: "b")
        let history = try await engine.history(of: "b")
        #expect(history.entries.map(\.seq) == [4])
        #expect(history.entries.first?.kind == "start")
    }

    @Test func snapshotPlusTailReplaysAtMostSnapshotInterval() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path, snapshotEvery: 3)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "s")
            for n in 1...7 {
                try await engine.deliverAndWait(
                    Event("inc", data: .object(JSObject([("n", .number(Double(n)))]))), to: "s")
            }
            await engine.shutdown()
        }
        // 8 records (start + 7); snapshots after records 3 and 6; the tail is 7 and 8.
        let store = try SQLiteStore(path: path)
        let row = try #require(try await store.instance("s"))
        #expect(row.snapshotSeq == 6)
        #expect(row.lastSeq == 8)
        let (engine, _) = try durableEngine(path, snapshotEvery: 3)
        try engine.register(ledgerMachine(), as: "ledger")
        let report = try await engine.recover()
        #expect(report.replayedRecords == 2)
        let s = try #require(await engine.snapshot("s"))
        #expect(s.value(of: "count") == .number(7))
        #expect(s.value(of: "seen") == .array((1...7).map { .number(Double($0)) }))
    }

    @Test func idempotentDeliveryAcrossRestarts() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "i")
            let first = try await engine.deliverAndWait(
                Event("inc", data: .object(JSObject([("n", .number(1))]))), to: "i", eventID: "k1")
            #expect(!first.duplicate)
            let again = try await engine.deliverAndWait(
                Event("inc", data: .object(JSObject([("n", .number(1))]))), to: "i", eventID: "k1")
            #expect(again.duplicate)
            #expect(again.sequence == nil)
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path)
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        let resent = try await engine.deliverAndWait(
            Event("inc", data: .object(JSObject([("n", .number(1))]))), to: "i", eventID: "k1")
        #expect(resent.duplicate)
        try await engine.deliverAndWait(
            Event("inc", data: .object(JSObject([("n", .number(2))]))), to: "i", eventID: "k2")
        #expect(await engine.snapshot("i")?.value(of: "count") == .number(2))
        let history = try await engine.history(of: "i")
        #expect(history.entries.compactMap(\.eventID) == ["k1", "k2"])
    }

    @Test func timersAreRearmedAndOverdueOnesFireOnceAtRecovery() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let t0: Int64 = 1_000 * hour
        do {
            let (engine, _) = try durableEngine(path, at: t0)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "early")
            try await engine.start("ledger", id: "late")
            try await engine.deliverAndWait(Event("remind"), to: "early")
            try await engine.deliverAndWait(Event("remind"), to: "late")
            await engine.shutdown()
        }
        // Restart 30 minutes later: both timers are pending with their original due time.
        do {
            let (engine, clock) = try durableEngine(path, at: t0 + hour / 2)
            try engine.register(ledgerMachine(), as: "ledger")
            let report = try await engine.recover()
            #expect(report.pendingTimers == 2)
            #expect(await engine.snapshot("early")?.pendingTimers.map(\.dueNanoseconds) == [t0 + hour])
            try await engine.advance(by: .seconds(1800))
            #expect(clock.now() == t0 + hour)
            #expect(await engine.snapshot("early")?.value(of: "reminders") == .number(1))
            #expect(await engine.snapshot("late")?.value(of: "reminders") == .number(1))
            try await engine.deliverAndWait(Event("remind"), to: "late")  // due t0 + 2h
            await engine.shutdown()
        }
        // Restart 5 hours later: the overdue timer fires during recovery, exactly once.
        do {
            let (engine, _) = try durableEngine(path, at: t0 + 5 * hour)
            try engine.register(ledgerMachine(), as: "ledger")
            let report = try await engine.recover()
            #expect(report.pendingTimers == 0)
            #expect(await engine.snapshot("late")?.value(of: "reminders") == .number(2))
            #expect(await engine.snapshot("early")?.value(of: "reminders") == .number(1))
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path, at: t0 + 6 * hour)
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        #expect(await engine.snapshot("late")?.value(of: "reminders") == .number(2))
        let kinds = try await engine.history(of: "late").entries.map { "\($0.kind):\($0.event ?? "")" }
        #expect(kinds == ["start:", "event:remind", "timer:reminder", "event:remind", "timer:reminder"])
    }

    @Test func eventsBetweenInstancesAreNotAppliedTwiceWhenAStepIsReplayed() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let sender = try machine(
            """
            <state id="s"><transition event="go"><send event="inc" target="#_instance_receiver">
              <param name="n" expr="1"/></send></transition></state>
            """, initial: "s", name: "sender")
        do {
            let (engine, _) = try durableEngine(path, snapshotEvery: 1000)
            try engine.register(sender, as: "sender")
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "receiver")
            try await engine.start("sender", id: "x")
            try await engine.deliverAndWait(Event("go"), to: "x")
            await engine.quiesce()
            #expect(await engine.snapshot("receiver")?.value(of: "count") == .number(1))
            await engine.shutdown()
        }
        // Recovery replays the sender's step (no snapshot yet), which sends again with the same
        // stable id: the receiver has it journaled and drops it.
        let (engine, _) = try durableEngine(path)
        try engine.register(sender, as: "sender")
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        await engine.quiesce()
        #expect(await engine.snapshot("receiver")?.value(of: "count") == .number(1))
        let ids = try await engine.history(of: "receiver").entries.compactMap(\.eventID)
        #expect(ids == ["x#2.1"])
    }

    @Test func activitiesInFlightRestartWithTheSameIdempotencyKey() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let m = try machine(
            """
            <state id="paying"><invoke type="activity" src="charge" id="pay"/>
              <transition event="done.invoke.pay" target="paid"/></state>
            <final id="paid"/>
            """, initial: "paying", name: "pay")
        let keys = Recorder()
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(m, as: "pay")
            try engine.registerActivity("charge") { input in
                keys.add("\(input.idempotencyKey) attempt \(input.attempt)")
                try await Task.sleep(for: .seconds(3600))  // never answers before the "crash"
                return .null
            }
            try await engine.recover()
            try await engine.start("pay", id: "p")
            await engine.quiesce()
            await engine.shutdown()
        }
        // The start is in the outbox, under its idempotency key and attempt.
        let outbox = try await SQLiteStore(path: path).loadForRecovery().outbox
        #expect(outbox.map { "\($0.id) \($0.target) \($0.event)" } == ["p/pay/1#1 p activity:charge"])
        let (engine, _) = try durableEngine(path)
        try engine.register(m, as: "pay")
        try engine.registerActivity("charge") { input in
            keys.add("\(input.idempotencyKey) attempt \(input.attempt)")
            return .string("ok")
        }
        try await engine.recover()
        await engine.quiesce()
        #expect(keys.all == ["p/pay/1 attempt 1", "p/pay/1 attempt 1"])
        #expect(await engine.snapshot("p")?.status == .finished(finalState: "paid"))
        await engine.shutdown()
        #expect(try await SQLiteStore(path: path).loadForRecovery().outbox.isEmpty)
    }
}

@Suite struct VersioningTests {
    static func v1() throws -> MachineDefinition {
        try machine(
            """
            <state id="draft"><transition event="submit" target="review"/></state>
            <state id="review"><transition event="approve" target="done"/></state>
            <final id="done"/>
            """, initial: "draft", name: "doc")
    }

    static func v2() throws -> MachineDefinition {
        try machine(
            """
            <state id="draft"><transition event="submit" target="triage"/></state>
            <state id="triage"><transition event="approve" target="approved"/></state>
            <final id="approved"/>
            """, initial: "draft", name: "doc")
    }

    @Test func runningInstancesStayOnTheirVersionAcrossUpgradeAndRestart() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(Self.v1(), as: "doc")
            try await engine.recover()
            try await engine.start("doc", id: "old")
            try await engine.deliverAndWait(Event("submit"), to: "old")
            #expect(try engine.upgrade(Self.v2(), as: "doc") == 2)
            try await engine.start("doc", id: "new")
            try await engine.deliverAndWait(Event("submit"), to: "new")
            #expect(await engine.snapshot("old")?.configuration == ["review"])
            #expect(await engine.snapshot("old")?.version == 1)
            #expect(await engine.snapshot("new")?.configuration == ["triage"])
            #expect(await engine.snapshot("new")?.version == 2)
            await engine.shutdown()
        }
        // A new deploy registers only v2; the old instance resumes on the stored v1.
        let (engine, _) = try durableEngine(path)
        try engine.register(Self.v2(), as: "doc")
        let report = try await engine.recover()
        #expect(report.failures.isEmpty)
        #expect(engine.definitionVersions.map { "\($0.name) v\($0.version)" } == ["doc v1", "doc v2"])
        #expect(await engine.snapshot("old")?.version == 1)
        try await engine.deliverAndWait(Event("approve"), to: "old")
        #expect(await engine.snapshot("old")?.status == .finished(finalState: "done"))
        try await engine.deliverAndWait(Event("approve"), to: "new")
        #expect(await engine.snapshot("new")?.status == .finished(finalState: "approved"))
        try await engine.start("doc", id: "newest")
        #expect(await engine.snapshot("newest")?.version == 2)
    }

    @Test func migrationIsRefusedWhenAStateWouldNotExistAndWorksWithAMapping() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(Self.v1(), as: "doc")
            try await engine.recover()
            try await engine.start("doc", id: "m")
            try await engine.deliverAndWait(Event("submit"), to: "m")
            try engine.upgrade(Self.v2(), as: "doc")
            await #expect(
                throws: EngineError.migrationRefused(
                    "m", "state 'review' does not exist in 'doc' version 2; map it with stateMapping")
            ) {
                try await engine.migrate("m")
            }
            #expect(await engine.snapshot("m")?.version == 1)
            await #expect(throws: EngineError.migrationRefused("m", "the data transform failed: nope")) {
                try await engine.migrate("m", stateMapping: ["review": "triage"]) { _ in throw Refusal() }
            }
            let report = try await engine.migrate("m", stateMapping: ["review": "triage"]) { data in
                data.append(NamedValue("migrated", .bool(true)))
            }
            #expect(report.fromVersion == 1 && report.toVersion == 2)
            #expect(report.configuration == ["triage"])
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path)
        try engine.register(Self.v2(), as: "doc")
        try await engine.recover()
        let s = try #require(await engine.snapshot("m"))
        #expect(s.version == 2)
        #expect(s.configuration == ["triage"])
        #expect(s.value(of: "migrated") == .bool(true))
        try await engine.deliverAndWait(Event("approve"), to: "m")
        #expect(await engine.snapshot("m")?.status == .finished(finalState: "approved"))
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String { "nope" }
    }
}

@Suite struct RetentionTests {
    @Test func finishedInstancesArePrunedAfterTheRetentionPeriodAndHistoryIsExported() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let t0: Int64 = 1_000 * hour
        let (engine, clock) = try durableEngine(path, at: t0)
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        try await engine.start("ledger", id: "done1")
        try await engine.deliverAndWait(
            Event("inc", data: .object(JSObject([("n", .number(5))]))), to: "done1", eventID: "e1")
        try await engine.deliverAndWait(Event("finish"), to: "done1")
        try await engine.start("ledger", id: "running")
        clock.advance(by: .seconds(3 * 24 * 3600))
        try await engine.start("ledger", id: "done2")
        try await engine.deliverAndWait(Event("finish"), to: "done2")

        let history = try await engine.history(of: "done1")
        #expect(history.status == "finished")
        #expect(history.finalState == "closed")
        #expect(history.entries.map(\.kind) == ["start", "event", "event"])
        #expect(history.entries.map { $0.event ?? "-" } == ["-", "inc", "finish"])
        #expect(history.entries[1].data == .object(JSObject([("n", .number(5))])))
        #expect(history.entries[2].entered == ["closed"])
        #expect(history.entries[2].exited == ["open"])
        #expect(history.entries[0].time == t0)
        let json = history.jsonString()
        #expect(json.contains(#""eventID" : "e1""#))

        // Keep two days: done1 (finished 3 days ago) goes, done2 and the running one stay.
        #expect(try await engine.pruneFinished(olderThan: .seconds(2 * 24 * 3600)) == 1)
        await #expect(throws: EngineError.noSuchInstance("done1")) { try await engine.history(of: "done1") }
        #expect(try await engine.history(of: "done2").status == "finished")
        let store = try SQLiteStore(path: path)
        #expect(try await store.instances().map(\.id) == ["done2", "running"])
        #expect(try await store.journal(of: "done1") == nil)
    }
}

@Suite struct DamagedDatabaseTests {
    @Test func emptyExistingFileIsRefused() throws {
        let path = temporaryDirectory() + "/empty.sqlite"
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        do {
            _ = try SQLiteStore(path: path)
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.message.contains("exists but is empty"))
            #expect(error.message.contains(path))
        }
    }

    @Test func garbageFileIsRefused() throws {
        let path = temporaryDirectory() + "/garbage.sqlite"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 8192))
        do {
            _ = try SQLiteStore(path: path)
            Issue.record("a garbage file opened as a store")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.message.contains("is not a database"))
        }
    }

    @Test func truncatedDatabaseIsRefusedNotStartedEmpty() async throws {
        let dir = temporaryDirectory()
        let path = dir + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            for i in 0..<300 { try await engine.start("ledger", id: "i\(i)") }
            await engine.shutdown()
        }
        // Checkpoint the WAL into the main file, then cut the file in half.
        do {
            let store = try SQLiteStore(path: path)
            _ = try await store.instances()
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8192)
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            let store = try SQLiteStore(path: path)
            let data = try await store.loadForRecovery()
            Issue.record("a truncated database opened with \(data.instances.count) instances")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.message.contains(path))
        }
    }

    @Test func foreignSQLiteDatabaseIsRefused() async throws {
        let path = temporaryDirectory() + "/other.sqlite"
        // A database some other program wrote.
        try sqlite(path, "CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1);")
        do {
            _ = try SQLiteStore(path: path)
            Issue.record("a foreign database opened as a store")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.message.contains("not a Switchyard store"))
            #expect(error.message.contains("customers"))
        }
    }

    @Test func operationsBeforeRecoverAreRefused() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let (engine, _) = try durableEngine(path)
        try engine.register(ledgerMachine(), as: "ledger")
        await #expect(throws: EngineError.notRecovered) { try await engine.start("ledger", id: "x") }
        await #expect(throws: EngineError.notRecovered) {
            try await engine.deliverAndWait(Event("inc"), to: "x")
        }
    }
}

/// The outbox: an event a step sent is written with the step, so a crash between the commit and
/// the post does not lose it even when a snapshot covers the step (nothing is replayed).
@Suite struct OutboxTests {
    @Test func anEventSentJustBeforeACrashIsDeliveredOnceAfterRecovery() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let sender = try machine(
            """
            <state id="s"><transition event="go"><send event="inc" target="#_instance_receiver">
              <param name="n" expr="1"/></send></transition></state>
            """, initial: "s", name: "sender")
        let store = CrashAfterCommitStore(try SQLiteStore(path: path))
        let first = Engine(
            store: store, clock: ManualClock(start: 1_000_000_000),
            options: EngineOptions(shards: 4, snapshotEvery: 1))
        try first.register(sender, as: "sender")
        try first.register(ledgerMachine(), as: "ledger")
        try await first.recover()
        try await first.start("ledger", id: "receiver")
        try await first.start("sender", id: "x")
        store.armed.store(true, ordering: .releasing)
        Task { try await first.deliverAndWait(Event("go"), to: "x") }  // its shard "crashes" after the commit
        await store.waitForCrash()
        let probe = try SQLiteStore(path: path)
        #expect(try await probe.journal(of: "receiver")?.count == 1)  // only its start
        #expect(try await probe.instance("x")?.snapshotSeq == 2)  // the sending step is in a snapshot

        for restart in 1...2 {
            let (engine, _) = try durableEngine(path, snapshotEvery: 1, shards: 4)
            try engine.register(sender, as: "sender")
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            await engine.quiesce()
            #expect(await engine.snapshot("receiver")?.value(of: "count") == .number(1), "restart \(restart)")
            #expect(try await engine.history(of: "receiver").entries.compactMap(\.eventID) == ["x#2.1"])
            await engine.shutdown()
        }
        #expect(try await probe.loadForRecovery().outbox.isEmpty)
    }
}

/// Bad stored data and bad calls give exact, typed errors.
@Suite struct StoreErrorTests {
    @Test func newerSchemaAndDirectoryAreRefused() throws {
        let dir = temporaryDirectory()
        let path = dir + "/db.sqlite"
        _ = try SQLiteStore(path: path)
        try sqlite(path, "UPDATE switchyard_meta SET value = '99' WHERE key = 'schema_version'")
        #expect(
            throws: StoreError(
                .incompatibleSchema,
                "\(path) has schema version 99; this build reads version 1 — upgrade Switchyard")
        ) { try SQLiteStore(path: path) }
        #expect(throws: StoreError(.io, "\(dir) is a directory, not a database file")) {
            try SQLiteStore(path: dir)
        }
    }

    @Test func aDamagedJournalRecordFailsThatInstanceOnly() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            for id in ["a", "b"] {
                try await engine.start("ledger", id: id)
                try await engine.deliverAndWait(
                    Event("inc", data: .object(JSObject([("n", .number(1))]))), to: id)
            }
            await engine.shutdown()
        }
        try sqlite(path, "UPDATE journal SET payload = '{nope' WHERE instance_id = 'a' AND seq = 2")
        let (engine, _) = try durableEngine(path)
        try engine.register(ledgerMachine(), as: "ledger")
        let report = try await engine.recover()
        #expect(report.instances == 1)
        #expect(report.failures.map(\.instanceID) == ["a"])
        #expect(
            report.failures.first?.message.hasPrefix("journal record 2: journal payload is not JSON: ")
                == true)
        #expect(await engine.snapshot("a") == nil)
        #expect(await engine.snapshot("b")?.value(of: "count") == .number(1))
        await engine.shutdown()

        try sqlite(path, "UPDATE journal SET kind = 'bogus' WHERE instance_id = 'b' AND seq = 2")
        let (again, _) = try durableEngine(path)
        await #expect(throws: EngineError.storeUnavailable("journal record b#2 has unknown kind 'bogus'")) {
            try await again.recover()
        }
    }

    @Test func migratingToAnUnknownVersionIsRefused() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let (engine, _) = try durableEngine(path)
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        try await engine.start("ledger", id: "a")
        await #expect(throws: EngineError.unknownVersion("ledger", 7)) {
            try await engine.migrate("a", to: 7)
        }
        await #expect(throws: EngineError.noSuchInstance("zz")) { try await engine.migrate("zz") }
    }
}
