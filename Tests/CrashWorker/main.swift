// The process the crash test kills. It runs a fixed script against a durable engine: start
// N instances, then deliver `inc` events 1...M to each (idempotent ids `<instance>-<n>`),
// printing `ACK <instance> <n>` after each delivery returns — i.e. once the event is journaled
// and applied. Run again after a kill, it repeats the whole script: instances and events it
// already has are recognised and not applied twice. Every 5th event schedules a 30 ms timer.
//
// Usage: CrashWorker DB INSTANCES EVENTS MACHINE (MACHINE: `Tests/CrashWorker/ledger.scxml`)
import Foundation
import Switchyard

/// Writes a line unbuffered, so the test sees every acknowledgement printed before the kill.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
guard arguments.count == 5, let instances = Int(arguments[2]), let events = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: CrashWorker DB INSTANCES EVENTS MACHINE\n".utf8))
    exit(2)
}
let definition = try MachineDefinition.load(path: arguments[4])
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
                let receipt = try await engine.deliverAndWait(
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
