import Switchyard
import Synchronization

/// A thread-safe list of strings for asserting traces.
final class Recorder: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ s: String) { items.withLock { $0.append(s) } }
    var all: [String] { items.withLock { $0 } }
}

/// Wraps states in an `<scxml>` root with the Switchyard namespace.
func machine(_ body: String, initial: String, data: String = "") throws -> MachineDefinition {
    let xml = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript" initial="\(initial)">
          <datamodel>\(data)</datamodel>
          \(body)
        </scxml>
        """
    return try MachineDefinition.load(bytes: Array(xml.utf8))
}

func object(_ pairs: [(String, Value)]) -> Value { .object(JSObject(pairs)) }

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
