import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// Durable behaviour that depends on the shard performing the executor's actions once: replays
/// do not repeat router handlers, and what counts as a duplicate does not depend on a restart.
@Suite struct ExecutorDurabilityTests {
    func reporter() throws -> MachineDefinition {
        try machine(
            """
            <state id="open">
              <transition event="go"><send target="#_router" event="report"/></transition>
              <transition event="inc"><assign location="count" expr="count + 1"/></transition>
              <transition event="finish" target="closed"/>
            </state>
            <final id="closed"/>
            """, initial: "open", data: #"<data id="count" expr="0"/>"#)
    }

    /// A `<send target="#_router">` step replayed by recovery does not run the handler again.
    @Test func routerHandlerRunsOnceAcrossARestart() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let before = Recorder()
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(reporter(), as: "m")
            try engine.on("report") { event in
                before.add(event.name)
                return .continue
            }
            try await engine.recover()
            try await engine.start("m", id: "r")
            try await engine.deliverAndWait(Event("go"), to: "r")
            await engine.quiesce()
            await engine.shutdown()
        }
        #expect(before.all == ["report"])
        let after = Recorder()
        let (engine, _) = try durableEngine(path)
        try engine.register(reporter(), as: "m")
        try engine.on("report") { event in
            after.add(event.name)
            return .continue
        }
        let report = try await engine.recover()
        #expect(report.replayedRecords == 2)  // start and go: the step that published
        await engine.quiesce()
        #expect(after.all == [])
        // The instance goes on, and a new publish is routed once.
        try await engine.deliverAndWait(Event("go"), to: "r")
        await engine.quiesce()
        #expect(after.all == ["report"])
        await engine.shutdown()
    }

    /// An event id used by an earlier run of a reused instance id is not a duplicate for the
    /// new run — before a restart (the live engine forgets the ids when a run ends) and after
    /// it (recovery loads only the current run's ids).
    @Test func eventIDsOfAnEarlierRunAreNotDuplicatesAfterARestart() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(reporter(), as: "m")
            try await engine.recover()
            try await engine.start("m", id: "x")
            #expect(try await engine.deliverAndWait(Event("inc"), to: "x", eventID: "k1").duplicate == false)
            try await engine.deliverAndWait(Event("finish"), to: "x")
            try await engine.start("m", id: "x")
            #expect(try await engine.deliverAndWait(Event("inc"), to: "x", eventID: "k2").duplicate == false)
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path)
        try engine.register(reporter(), as: "m")
        try await engine.recover()
        let first = try await engine.deliverAndWait(Event("inc"), to: "x", eventID: "k1")
        #expect(first.duplicate == false)
        #expect(try await engine.deliverAndWait(Event("inc"), to: "x", eventID: "k1").duplicate == true)
        // The current run's own ids still count.
        #expect(try await engine.deliverAndWait(Event("inc"), to: "x", eventID: "k2").duplicate == true)
        #expect(await engine.snapshot("x")?.value(of: "count") == .number(2))
        await engine.shutdown()
    }

    /// A delivery says whether a transition took the event.
    @Test func receiptsSayWhetherTheEventWasHandled() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let (engine, _) = try durableEngine(path)
        try engine.register(reporter(), as: "m")
        try await engine.recover()
        try await engine.start("m", id: "h")
        let taken = try await engine.deliverAndWait(Event("inc"), to: "h", eventID: "e1")
        #expect(taken.handled == true)
        let ignored = try await engine.deliverAndWait(Event("unknown.event"), to: "h")
        #expect(ignored.handled == false)
        #expect(ignored.configuration == ["open"])
        let repeated = try await engine.deliverAndWait(Event("inc"), to: "h", eventID: "e1")
        #expect(repeated.duplicate && repeated.handled == nil)
        await engine.shutdown()
    }
}

/// A timer that fell due while no engine ran fires at recovery; its journal record keeps both
/// instants — when it fired (the record's time) and when it was due — and the history shows
/// both, in the library and in `switchyard instances show`.
@Suite struct OverdueTimerAuditTests {
    @Test func overdueTimerRecordsWhenItFiredAndWhenItWasDue() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let start: Int64 = 1_000_000_000
        do {
            let (engine, _) = try durableEngine(path, at: start)
            try engine.register(ledgerMachine(), as: "ledger")
            try await engine.recover()
            try await engine.start("ledger", id: "t")
            try await engine.deliverAndWait(Event("remind"), to: "t")  // a 1h delayed send
            await engine.shutdown()
        }
        let hour: Int64 = 3_600_000_000_000
        let (engine, _) = try durableEngine(path, at: start + 25 * hour)
        try engine.register(ledgerMachine(), as: "ledger")
        try await engine.recover()
        #expect(await engine.snapshot("t")?.value(of: "reminders") == .number(1))
        let entry = try #require(try await engine.history(of: "t").entries.last)
        #expect(entry.kind == "timer")
        #expect(entry.event == "reminder")
        #expect(entry.time == start + 25 * hour)
        #expect(entry.due == start + hour)
        #expect(entry.lateBy == .nanoseconds(24 * hour))
        // An event's record has no due time.
        #expect(try await engine.history(of: "t").entries.dropLast().allSatisfy { $0.due == nil })
        await engine.shutdown()
    }
}
