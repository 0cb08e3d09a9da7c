import Switchyard
import Testing

@Suite struct InstanceRunnerTests {
    func load(_ xml: String) throws -> MachineDefinition {
        try MachineDefinition.load(bytes: Array(xml.utf8), file: "test.scxml")
    }

    static let timerMachine = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="null">
          <state id="waiting">
            <onentry><send event="tick" delay="50ms" id="t1"/><send event="late" delay="24h"/></onentry>
            <transition event="tick" target="ticked"/>
            <transition event="late" target="late"/>
            <transition event="stop" target="waiting"/>
          </state>
          <state id="ticked"><transition event="late" target="done"/></state>
          <state id="late"/>
          <final id="done"/>
        </scxml>
        """

    /// An `<invoke src>` the runner cannot load (no document loader) raises `error.execution`
    /// naming the document and what is missing, the same message as the engine's.
    @Test func invokeWithoutADocumentLoaderIsAnExecutionError() throws {
        let parent = try load(
            """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">
              <datamodel><data id="out"/></datamodel>
              <state id="s">
                <invoke id="k" src="child.scxml"/>
                <transition event="error.execution" target="failed"><assign location="out" expr="_event.data.message"/></transition>
              </state>
              <final id="failed"/>
            </scxml>
            """)
        let runner = InstanceRunner(definition: parent)
        runner.start()
        #expect(runner.top.finalStateID == "failed")
        #expect(
            runner.top.value(of: "out")
                == .string("cannot load 'child.scxml': the runner has no documentLoader"))
    }

    @Test func manualClockJumpsToNextTimerInDueOrder() throws {
        let clock = ManualClock()
        let driver = InstanceRunner(definition: try load(Self.timerMachine), clock: clock)
        var seen: [String] = []
        driver.onMacrostep = { event, _, m in
            seen.append("\(event?.name ?? "-"):\(m.configurationIDs)")
        }
        driver.start()
        #expect(driver.pendingTimers.map(\.event.name) == ["tick", "late"])
        driver.runToCompletion()
        #expect(driver.isFinished)
        #expect(seen == ["-:[\"waiting\"]", "tick:[\"ticked\"]", "late:[]"])
        #expect(clock.now() == 86_400_000_000_000)
    }

    @Test func exitingAStateDoesNotCancelSendsButCancelDoes() throws {
        let xml = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="null">
              <state id="a">
                <onentry><send event="boom" delay="1s" id="b1"/></onentry>
                <transition event="defuse" target="b"><cancel sendid="b1"/></transition>
              </state>
              <state id="b"><transition event="boom" target="exploded"/></state>
              <state id="exploded"/>
            </scxml>
            """
        let clock = ManualClock()
        let driver = InstanceRunner(definition: try load(xml), clock: clock)
        driver.start()
        driver.enqueue(Event("defuse"))
        driver.runUntilIdle()
        #expect(driver.pendingTimers.isEmpty)
        clock.advance(by: .seconds(2))
        driver.fireDueTimers()
        #expect(driver.top.configurationIDs == ["b"])
    }

    @Test func realClockFiresTimers() throws {
        let driver = InstanceRunner(definition: try load(Self.timerMachine), clock: SystemClock())
        driver.start()
        let start = SystemClock().now()
        driver.runRealTime(timeout: .seconds(5))
        let elapsed = SystemClock().now() - start
        #expect(driver.top.configurationIDs == ["ticked"])
        #expect(elapsed >= 50_000_000)
    }

    @Test func snapshotCarriesPendingTimers() throws {
        let driver = InstanceRunner(definition: try load(Self.timerMachine), clock: ManualClock(start: 1000))
        driver.start()
        let snap = driver.snapshot()
        #expect(snap.pendingTimers.count == 2)
        #expect(snap.pendingTimers.first?.sendID == "t1")
        let due: Int64? = snap.pendingTimers.first?.dueNanoseconds
        #expect(due == Int64(50_001_000))
    }

    @Test func sendToUnknownSessionRaisesErrorCommunication() throws {
        let xml = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="null">
              <state id="a">
                <onentry><send event="x" target="#_scxml_nobody"/><send event="after"/></onentry>
                <transition event="error.communication" target="ok"/>
                <transition event="*" target="bad"/>
              </state>
              <final id="ok"/><final id="bad"/>
            </scxml>
            """
        let driver = InstanceRunner(definition: try load(xml))
        driver.start()
        driver.runToCompletion()
        #expect(driver.top.finalStateID == "ok")
    }
}
