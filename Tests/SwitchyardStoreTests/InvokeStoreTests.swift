import Foundation
import Switchyard
@_spi(StoreImplementation) import SwitchyardRuntime
@_spi(StoreImplementation) import SwitchyardStore
import SwitchyardTestSupport
import Synchronization
import Testing

/// Durable `<invoke type="scxml">`: parent and child are ordinary stored instances; a restart
/// restores both with their link, and replay neither starts a child twice nor repeats the
/// events they exchanged.
@Suite struct InvokeStoreTests {
    /// The parent invokes `w`; the child greets it on entry and finishes on `go` with donedata.
    func parentMachine() throws -> MachineDefinition {
        try machine(
            """
            <state id="waiting">
              <invoke id="w" type="scxml">
                <param name="base" expr="base"/>
                <content>
                  <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="work">
                    <datamodel><data id="base" expr="0"/><data id="gos" expr="0"/></datamodel>
                    <state id="work">
                      <onentry><send event="hello" target="#_parent"/></onentry>
                      <transition event="go" cond="gos == 0"><assign location="gos" expr="gos + 1"/></transition>
                      <transition event="go" target="done"/>
                    </state>
                    <final id="done"><donedata><param name="total" expr="base + gos"/></donedata></final>
                  </scxml>
                </content>
              </invoke>
              <transition event="hello"><assign location="hellos" expr="hellos + 1"/></transition>
              <transition event="done.invoke.w" target="got"><assign location="total" expr="_event.data.total"/></transition>
              <transition event="leave" target="away"/>
            </state>
            <state id="got"/>
            <state id="away"/>
            """, initial: "waiting",
            data: #"<data id="base" expr="100"/><data id="hellos" expr="0"/><data id="total" expr="0"/>"#,
            name: "parent")
    }

    func kinds(_ engine: Engine, _ id: String) async throws -> [String] {
        try await engine.history(of: id).entries.map { "\($0.kind):\($0.event ?? "")" }
    }

    @Test(arguments: [1, 100])
    func restartRestoresParentAndChild(snapshotEvery: Int) async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path, snapshotEvery: snapshotEvery, shards: 4)
            try engine.register(parentMachine(), as: "parent")
            try await engine.recover()
            try await engine.start("parent", id: "p")
            await engine.quiesce()
            try await engine.deliverAndWait(Event("go"), to: "p.w")
            #expect(await engine.snapshot("p")?.value(of: "hellos") == .number(1))
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path, snapshotEvery: snapshotEvery, shards: 4)
        try engine.register(parentMachine(), as: "parent")
        let report = try await engine.recover()
        #expect(report.instances == 2)
        #expect(report.failures.isEmpty)
        let parent = try #require(await engine.snapshot("p"))
        #expect(parent.children == ["w": "p.w"])
        #expect(parent.value(of: "hellos") == .number(1))
        let child = try #require(await engine.snapshot("p.w"))
        #expect(child.parent == "p")
        #expect(child.value(of: "gos") == .number(1))
        #expect(child.value(of: "base") == .number(100))
        // Replay re-posted the child's start and its hello: both were dropped as repeats.
        #expect(try await kinds(engine, "p.w") == ["start:", "event:go"])
        #expect(try await kinds(engine, "p") == ["start:", "event:hello"])
        // The child definition is stored under the parent's name, not registered as a name.
        #expect(engine.definitionVersions.map(\.name).sorted() == ["parent", "parent#invoke:waiting"])
        #expect(!engine.isRegistered("parent#invoke:waiting"))

        try await engine.deliverAndWait(Event("go"), to: "p.w")
        await engine.quiesce()
        let done = try #require(await engine.snapshot("p"))
        #expect(done.configuration == ["got"])
        #expect(done.value(of: "total") == .number(101))
        #expect(done.children == [:])
        #expect(try await kinds(engine, "p") == ["start:", "event:hello", "event:done.invoke.w"])
        #expect(engine.deadLetters.isEmpty)
    }

    /// A child that finished (and reported) before the restart is not started again by the
    /// replayed parent.
    @Test func finishedChildIsNotRestartedByReplay() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path, shards: 4)
            try engine.register(parentMachine(), as: "parent")
            try await engine.recover()
            try await engine.start("parent", id: "p")
            await engine.quiesce()
            try await engine.deliverAndWait(Event("go"), to: "p.w")
            try await engine.deliverAndWait(Event("go"), to: "p.w")
            await engine.quiesce()
            #expect(await engine.snapshot("p")?.configuration == ["got"])
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path, shards: 4)
        try engine.register(parentMachine(), as: "parent")
        let report = try await engine.recover()
        #expect(report.instances == 1)
        await engine.quiesce()
        #expect(try await kinds(engine, "p.w") == ["start:", "event:go", "event:go"])
        #expect(try await engine.history(of: "p.w").status == "finished")
        let p = try #require(await engine.snapshot("p"))
        #expect(p.configuration == ["got"])
        #expect(p.value(of: "total") == .number(101))
        #expect(await engine.snapshot("p.w") == nil)  // not in memory: finished before the restart
        #expect(engine.deadLetters.isEmpty)
    }

    /// After a restart, leaving the invoking state still stops the child.
    @Test func cancelAfterRestart() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path, shards: 4)
            try engine.register(parentMachine(), as: "parent")
            try await engine.recover()
            try await engine.start("parent", id: "p")
            await engine.quiesce()
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path, shards: 4)
        try engine.register(parentMachine(), as: "parent")
        try await engine.recover()
        try await engine.deliverAndWait(Event("leave"), to: "p")
        await engine.quiesce()
        #expect(await engine.snapshot("p.w")?.status == .stopped)
        #expect(try await kinds(engine, "p.w") == ["start:", "stop:"])
        // A late event from the stopped child is ignored and not journaled.
        let receipt = try await engine.deliverAndWait(
            Event("hello", origin: "#_scxml_p.w", originType: Event.scxmlProcessorType, invokeID: "w"),
            to: "p")
        #expect(!receipt.duplicate && receipt.sequence == nil && receipt.configuration == ["away"])
        #expect(await engine.snapshot("p")?.value(of: "hellos") == .number(1))
        #expect(try await kinds(engine, "p") == ["start:", "event:hello", "event:leave"])
    }

    /// The trigger's event is journaled after the start when delivered.
    @Test func deliveredTriggerEventIsJournaled() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let (engine, _) = try durableEngine(path)
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        try engine.trigger("inc", start: "ledger", instanceID: "_event.data.id", deliver: true)
        await engine.publish(
            Event("inc", data: .object(JSObject([("id", .string("l1")), ("n", .number(5))]))))
        await engine.quiesce()
        #expect(await engine.snapshot("l1")?.value(of: "seen") == .array([.number(5)]))
        #expect(try await engine.history(of: "l1").entries.map(\.kind) == ["start", "event"])
    }

    /// Retention forgets finished records in memory only; the store keeps them.
    @Test func retentionKeepsTheStoreRows() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let clock = ManualClock(start: 1_000_000_000)
        let engine = Engine(
            store: try SQLiteStore(path: path), clock: clock,
            options: EngineOptions(shards: 1, finishedRetention: .seconds(10)))
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        try await engine.start("ledger", id: "a")
        try await engine.start("ledger", id: "b")
        try await engine.deliverAndWait(Event("finish"), to: "a")
        try await engine.advance(by: .seconds(11))
        try await engine.deliverAndWait(Event("inc", data: .object(JSObject([("n", .number(1))]))), to: "b")
        #expect(engine.statistics.finishedPruned == 1)
        #expect(await engine.snapshot("a") == nil)
        await #expect(throws: EngineError.notRunning("a")) {
            try await engine.deliverAndWait(Event("inc"), to: "a")
        }
        #expect(try await engine.history(of: "a").status == "finished")
        // A new instance under the id continues the journal numbering.
        try await engine.start("ledger", id: "a")
        #expect(try await engine.history(of: "a").entries.map(\.seq) == [3])
    }
}

/// A store that, once armed, lets one commit through and then never returns from it: the shard
/// that committed never lets the batch's events out — the process "crashed" right after the
/// commit. A second engine on the same file then plays the restart.
final class CrashAfterCommitStore: InstanceStore {
    let base: SQLiteStore
    let armed = Atomic<Bool>(false)
    let crashed = Atomic<Bool>(false)

    init(_ base: SQLiteStore) { self.base = base }

    func loadForRecovery() async throws(StoreError) -> RecoveryData { try await base.loadForRecovery() }
    func commit(_ batch: StoreBatch) async throws(StoreError) {
        try await base.commit(batch)
        if armed.exchange(false, ordering: .acquiringAndReleasing) {
            crashed.store(true, ordering: .releasing)
            try? await Task.sleep(for: .seconds(3600))
        }
    }
    func journal(of instanceID: String) async throws(StoreError) -> [JournalRecord]? {
        try await base.journal(of: instanceID)
    }
    func instances() async throws(StoreError) -> [StoredInstance] { try await base.instances() }
    func instance(_ id: String) async throws(StoreError) -> StoredInstance? { try await base.instance(id) }
    func definitions() async throws(StoreError) -> [StoredDefinition] { try await base.definitions() }
    func pruneFinished(before instant: Int64) async throws(StoreError) -> Int {
        try await base.pruneFinished(before: instant)
    }

    /// Waits until the armed commit has happened.
    func waitForCrash() async {
        while !crashed.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(1)) }
    }
}

/// Crashes between a commit and the delivery of what the committed steps sent, with snapshots
/// after every record (so replay regenerates nothing): recovery still starts, finishes and
/// cancels invoked children.
@Suite struct InvokeCrashWindowTests {
    let parent = try! InvokeStoreTests().parentMachine()

    /// Runs `setup` on a first engine, arms the crash, runs `crashing` in a task that never
    /// finishes, then returns a recovered second engine.
    func crash(
        _ path: String, setup: (Engine) async throws -> Void,
        crashing: @escaping @Sendable (Engine) async throws -> Void
    ) async throws -> Engine {
        let store = CrashAfterCommitStore(try SQLiteStore(path: path))
        let first = Engine(
            store: store, clock: ManualClock(start: 1_000_000_000),
            options: EngineOptions(shards: 4, snapshotEvery: 1))
        try first.register(parent, as: "parent")
        try await first.recover()
        try await setup(first)
        store.armed.store(true, ordering: .releasing)
        Task { try await crashing(first) }
        await store.waitForCrash()
        let (second, _) = try durableEngine(path, snapshotEvery: 1, shards: 4)
        try second.register(parent, as: "parent")
        let report = try await second.recover()
        #expect(report.failures.isEmpty)
        await second.quiesce()
        return second
    }

    @Test func lostChildStartIsRepeated() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let engine = try await crash(
            path, setup: { _ in }, crashing: { try await $0.start("parent", id: "p") })
        #expect(try await engine.history(of: "p").entries.map(\.kind) == ["start", "event"])  // + hello
        let child = try #require(await engine.snapshot("p.w"))
        #expect(child.parent == "p")
        #expect(child.value(of: "base") == .number(100))
        #expect(try await engine.history(of: "p.w").entries.map(\.kind) == ["start"])
        #expect(await engine.snapshot("p")?.value(of: "hellos") == .number(1))
        try await engine.deliverAndWait(Event("go"), to: "p.w")
        try await engine.deliverAndWait(Event("go"), to: "p.w")
        await engine.quiesce()
        #expect(await engine.snapshot("p")?.value(of: "total") == .number(101))
    }

    @Test func lostDoneInvokeIsReported() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let engine = try await crash(
            path,
            setup: { e in
                try await e.start("parent", id: "p")
                await e.quiesce()
                try await e.deliverAndWait(Event("go"), to: "p.w")
            }, crashing: { try await $0.deliverAndWait(Event("go"), to: "p.w") })
        #expect(try await engine.history(of: "p.w").status == "finished")
        let p = try #require(await engine.snapshot("p"))
        // The child's donedata was not kept: done.invoke arrives without it.
        #expect(p.configuration == ["got"])
        #expect(p.recentEvents.last == "done.invoke.w")
        #expect(p.value(of: "total") == .number(0))  // `_event.data.total` had nothing to read
        #expect(p.children == [:])
    }

    @Test func lostCancellationIsRepeated() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let engine = try await crash(
            path,
            setup: { e in
                try await e.start("parent", id: "p")
                await e.quiesce()
            }, crashing: { try await $0.deliverAndWait(Event("leave"), to: "p") })
        #expect(await engine.snapshot("p")?.configuration == ["away"])
        #expect(await engine.snapshot("p.w")?.status == .stopped)
        #expect(try await engine.history(of: "p.w").entries.map(\.kind) == ["start", "stop"])
    }
}
