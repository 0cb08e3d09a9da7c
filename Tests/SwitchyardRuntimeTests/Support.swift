import Switchyard
import SwitchyardTestSupport

/// A manual-clock engine with a couple of shards.
func manualEngine(shards: Int = 2, capacity: Int = 1024) -> (Engine, ManualClock) {
    let clock = ManualClock()
    return (Engine(clock: clock, options: EngineOptions(shards: shards, mailboxCapacity: capacity)), clock)
}

/// A counter machine: counts `tick` events in `n`, finishes on `finish`.
func counterMachine() throws -> MachineDefinition {
    try machine(
        """
        <state id="counting">
          <transition event="tick"><assign location="n" expr="n + 1"/></transition>
          <transition event="finish" target="done"/>
        </state>
        <final id="done"/>
        """, initial: "counting", data: #"<data id="n" expr="0"/>"#)
}
