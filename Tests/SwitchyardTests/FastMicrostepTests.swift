import Switchyard
import Testing

/// Microsteps of one transition on machines of at most 64 states use precomputed exit and
/// entry masks unless tracing is on; tracing runs the general Appendix D functions. Running
/// the same events both ways must give the same configurations, data and effects.
@Suite struct FastMicrostepTests {
    static let machine = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="idle">
          <datamodel><data id="log" expr="''"/><data id="n" expr="0"/></datamodel>
          <state id="idle">
            <onentry><assign location="log" expr="log + 'i'"/></onentry>
            <onexit><assign location="log" expr="log + '~i'"/></onexit>
            <transition event="go" target="work"/>
            <transition event="deep" target="b2"/>
            <transition event="stay" type="internal"><assign location="n" expr="n + 1"/></transition>
          </state>
          <parallel id="work">
            <onentry><assign location="log" expr="log + 'W'"/></onentry>
            <onexit><assign location="log" expr="log + '~W'"/></onexit>
            <transition event="reset" target="idle"/>
            <state id="a" initial="a1">
              <onentry><assign location="log" expr="log + 'A'"/></onentry>
              <state id="a1">
                <onentry><assign location="log" expr="log + 'a1'"/><send event="tick"/></onentry>
                <transition event="next" target="a2"/>
              </state>
              <final id="a2"><onentry><assign location="log" expr="log + 'a2'"/></onentry></final>
            </state>
            <state id="b">
              <initial><transition target="b1"><assign location="n" expr="n + 10"/></transition></initial>
              <history id="bh" type="shallow"><transition target="b1"/></history>
              <state id="b1"><transition event="next" target="b2"/></state>
              <state id="b2">
                <onentry><assign location="log" expr="log + 'b2'"/></onentry>
                <transition event="back" target="bh"/>
                <transition event="finish" target="b3"/>
              </state>
              <final id="b3"/>
            </state>
            <transition event="done.state.work" cond="In('a2')" target="end"/>
          </parallel>
          <final id="end"><onentry><assign location="log" expr="log + 'E'"/></onentry></final>
        </scxml>
        """

    struct Step: Equatable {
        var configuration: [String]
        var data: [String]
        var effects: Int
    }

    func run(tracing: Bool, _ events: [String]) throws -> [Step] {
        let definition = try MachineDefinition.load(bytes: Array(Self.machine.utf8), file: "fast.scxml")
        var m = Interpreter(
            definition: definition, sessionID: "s", options: InterpreterOptions(tracing: tracing))
        var steps: [Step] = []
        func record(_ r: MacrostepResult) {
            steps.append(
                Step(
                    configuration: m.configurationIDs,
                    data: m.dataModel.map { "\($0.name)=\($0.value.jsString)" }, effects: r.effects.count))
        }
        record(m.start())
        for e in events { record(m.handle(Event(e))) }
        return steps
    }

    @Test func fastAndTracedRunsAgree() throws {
        let events = [
            "stay", "go", "tick", "next", "back", "reset", "deep", "back", "next", "finish", "reset", "go",
            "next", "next", "finish",
        ]
        let fast = try run(tracing: false, events)
        let traced = try run(tracing: true, events)
        #expect(fast == traced)
        #expect(fast.last?.configuration == [])
        #expect(fast.last?.data.first?.hasSuffix("E") == true)
        #expect(fast[1].data.contains("n=1"))
    }
}
