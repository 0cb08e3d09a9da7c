import Switchyard
import SwitchyardTestSupport
import Testing

@Suite struct TimerTests {
    @Test func delayedSendFiresAtItsDueTimeAndCancelStopsIt() async throws {
        let (engine, clock) = manualEngine()
        let m = try machine(
            """
            <state id="s">
              <onentry>
                <send event="late" delay="5s"/>
                <send id="doomed" event="never" delay="3s"/>
                <send event="first" delay="2s"/>
                <send event="second" delay="2s"/>
              </onentry>
              <transition event="first"><cancel sendid="doomed"/></transition>
              <transition event="*"><assign location="log" expr="log.concat([_event.name + '@' + (0 + now)])"/></transition>
            </state>
            """, initial: "s", data: #"<data id="log" expr="[]"/><data id="now" expr="0"/>"#)
        try engine.register(m, as: "m")
        try await engine.start("m", id: "t")
        #expect(await engine.snapshot("t")?.pendingTimers.map(\.sendID).count == 4)
        try await engine.advance(by: .seconds(4))
        #expect(clock.now() == 4_000_000_000)
        var s = try #require(await engine.snapshot("t"))
        #expect(s.recentEvents == ["first", "second"])
        #expect(s.pendingTimers.map(\.dueNanoseconds) == [5_000_000_000])
        try await engine.advance(by: .seconds(1))
        s = try #require(await engine.snapshot("t"))
        #expect(s.recentEvents == ["first", "second", "late"])
        #expect(s.pendingTimers.isEmpty)
        #expect(engine.pendingTimerCount == 0)
        #expect(engine.statistics.timersFired == 3)
    }

    @Test func stateTimeoutFiresOnlyWhileTheStateIsActive() async throws {
        let (engine, _) = manualEngine()
        let m = try machine(
            """
            <state id="review" sy:timeout="24h">
              <transition event="timeout.review" target="escalated"/>
              <transition event="approve" target="approved"/>
            </state>
            <state id="escalated"/>
            <state id="approved"><transition event="reopen" target="review"/></state>
            """, initial: "review")
        #expect(m.timeout(ofState: "review") == .seconds(86_400))
        try engine.register(m, as: "doc")
        try await engine.start("doc", id: "slow")
        try await engine.start("doc", id: "fast")
        #expect(await engine.snapshot("slow")?.pendingTimers.map(\.sendID) == ["sy.timeout.review"])
        try await engine.advance(by: .seconds(3600))
        await engine.enqueue(Event("approve"), to: "fast")
        await engine.quiesce()
        #expect(await engine.snapshot("fast")?.pendingTimers.isEmpty == true)
        try await engine.advance(by: .seconds(23 * 3600 - 1))
        #expect(await engine.isActive("slow", state: "review"))
        try await engine.advance(by: .seconds(1))
        #expect(await engine.isActive("slow", state: "escalated"))
        #expect(await engine.isActive("fast", state: "approved"))
        // Re-entering restarts the timeout from the re-entry.
        await engine.enqueue(Event("reopen"), to: "fast")
        try await engine.advance(by: .seconds(86_399))
        #expect(await engine.isActive("fast", state: "review"))
        try await engine.advance(by: .seconds(1))
        #expect(await engine.isActive("fast", state: "escalated"))
    }

    @Test func invalidTimeoutIsALoadError() {
        #expect(throws: DiagnosticList.self) {
            try machine(#"<state id="a" sy:timeout="soon"/>"#, initial: "a")
        }
    }

    @Test func systemClockFiresTimers() async throws {
        let engine = Engine(options: EngineOptions(shards: 2))
        let m = try machine(
            """
            <state id="a"><onentry><send event="go" delay="400ms"/></onentry><transition event="go" target="b"/></state>
            <state id="b"/>
            """, initial: "a")
        try engine.register(m, as: "m")
        try await engine.start("m", id: "x")
        #expect(await engine.isActive("x", state: "a"))
        var moved = false
        // Under load the check above may come late; the delay leaves it 400 ms of slack.
        for _ in 0..<600 where !moved {
            try await Task.sleep(for: .milliseconds(5))
            moved = await engine.isActive("x", state: "b")
        }
        #expect(moved)
        await engine.shutdown()
    }
}
