import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// `history(of:)` of an id that was started again after it finished or was replaced: every
/// run is reachable, each with its own start record, definition version, status and records.
@Suite struct HistoryRunsTests {
    /// The ledger with one more transition: a new version.
    func ledgerV2() throws -> MachineDefinition {
        try machine(
            """
            <state id="open">
              <transition event="inc"><assign location="count" expr="count + 1"/>
                <assign location="seen" expr="seen.concat([_event.data.n])"/></transition>
              <transition event="reset"><assign location="count" expr="0"/></transition>
              <transition event="finish" target="closed"/>
            </state>
            <final id="closed"/>
            """, initial: "open",
            data: #"<data id="count" expr="0"/><data id="seen" expr="[]"/>"#, name: "ledger")
    }

    func inc(_ n: Double) -> Event { Event("inc", data: .object(JSObject([("n", .number(n))]))) }

    @Test func everyRunOfAReusedIDIsReachable() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "b", data: [NamedValue("count", .number(10))])
            try await engine.deliverAndWait(inc(1), to: "b")
            try await engine.deliverAndWait(Event("finish"), to: "b")
            #expect(try engine.upgrade(ledgerV2(), as: "ledger") == 2)
            try await engine.start("ledger", id: "b")
            try await engine.deliverAndWait(inc(2), to: "b")
            try await engine.start("ledger", id: "b", onConflict: .terminateExisting)
            await engine.shutdown()
        }
        // A fresh engine that registers nothing, as `switchyard instances show` opens it.
        let (engine, _) = try durableEngine(path)
        try await engine.recover()
        let history = try await engine.history(of: "b")
        await engine.shutdown()

        #expect(history.instanceID == "b")
        #expect(history.runs.map(\.number) == [1, 2, 3])
        #expect(history.runs.map(\.startSeq) == [1, 4, 7])
        #expect(history.runs.map(\.definition) == ["ledger", "ledger", "ledger"])
        #expect(history.runs.map(\.version) == [1, 2, 2])
        #expect(history.runs.map(\.status) == ["finished", "stopped", "running"])
        #expect(history.runs.map(\.finalState) == ["closed", nil, nil])
        #expect(history.runs.map { $0.entries.map(\.seq) } == [[1, 2, 3], [4, 5, 6], [7]])
        #expect(
            history.runs.map { $0.entries.map(\.kind) } == [
                ["start", "event", "event"], ["start", "event", "stop"], ["start"],
            ])
        #expect(history.runs[0].entries[0].data == .object(JSObject([("count", .number(10))])))
        #expect(history.runs[0].entries[2].entered == ["closed"])
        #expect(history.runs[0].entries[2].exited == ["open"])
        // Each run's first record enters its configuration afresh.
        #expect(history.runs[1].entries[0].entered == ["open"])
        #expect(history.runs[1].definitionHash != history.runs[0].definitionHash)
        #expect(history.runs[2].definitionHash == history.runs[1].definitionHash)
        // The latest run is what the instance is now.
        #expect(history.latestRun == history.runs[2])
        #expect(history.run(1) == history.runs[0])
        #expect(history.run(4) == nil)
        #expect(history.entries.map(\.seq) == [7])
        #expect(history.status == "running")
        #expect(history.version == 2)
        // The export carries every run.
        let exported = try JSONDecoder().decode(InstanceHistory.self, from: Data(history.jsonString().utf8))
        #expect(exported.runs.map(\.status) == ["finished", "stopped", "running"])
        #expect(exported.runs.map { $0.entries.map(\.seq) } == [[1, 2, 3], [4, 5, 6], [7]])
    }
}
