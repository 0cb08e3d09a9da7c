// The process the crash test kills. It runs a fixed script against a durable engine: start
// N instances, then deliver `inc` events 1...M to each (idempotent ids `<instance>-<n>`),
// printing `ACK <instance> <n>` after each delivery returns — i.e. once the event is journaled
// and applied. Run again after a kill, it repeats the whole script: instances and events it
// already has are recognised and not applied twice. Every 5th event schedules a 30 ms timer.
//
// Usage: CrashWorker DB INSTANCES EVENTS
import Foundation
import Switchyard

let machineXML = """
    <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="open" name="ledger">
      <datamodel>
        <data id="count" expr="0"/><data id="seen" expr="[]"/>
        <data id="ticks" expr="0"/><data id="tickSeen" expr="[]"/><data id="lastTimer"/>
      </datamodel>
      <state id="open">
        <transition event="inc">
          <assign location="count" expr="count + 1"/>
          <assign location="seen" expr="seen.concat([_event.data.n])"/>
          <if cond="_event.data.n % 5 == 0">
            <send event="tick" delay="30ms" idlocation="lastTimer"><param name="n" expr="_event.data.n"/></send>
          </if>
        </transition>
        <transition event="tick">
          <assign location="ticks" expr="ticks + 1"/>
          <assign location="tickSeen" expr="tickSeen.concat([_event.data.n])"/>
        </transition>
      </state>
    </scxml>
    """

/// Writes a line unbuffered, so the test sees every acknowledgement printed before the kill.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
guard arguments.count == 4, let instances = Int(arguments[2]), let events = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: CrashWorker DB INSTANCES EVENTS\n".utf8))
    exit(2)
}
let definition = try MachineDefinition.load(bytes: Array(machineXML.utf8), file: "ledger.scxml")
let store = try SQLiteStore(path: arguments[1])
let engine = Engine(store: store, options: EngineOptions(shards: 4))
try engine.register(definition, as: "ledger")
let report = try await engine.recover()
say("RECOVERED \(report.instances) \(report.replayedRecords)")
for i in 0..<instances {
    try await engine.start("ledger", id: "i\(i)")
}
say("STARTED")
for n in 1...events {
    try await withThrowingTaskGroup(of: String.self) { group in
        for i in 0..<instances {
            group.addTask {
                let data = Value.object(JSObject([("n", .number(Double(n)))]))
                let receipt = try await engine.deliver(
                    Event("inc", data: data), to: "i\(i)", eventID: "i\(i)-\(n)")
                return "ACK i\(i) \(n)\(receipt.duplicate ? " dup" : "")"
            }
        }
        for try await line in group { say(line) }
    }
}
try await Task.sleep(for: .milliseconds(100))
await engine.quiesce()
say("DONE")
await engine.shutdown()
