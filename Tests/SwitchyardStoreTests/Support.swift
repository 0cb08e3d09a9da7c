import Foundation
import Switchyard
import Synchronization

/// A fresh temporary directory for one test's database files.
func temporaryDirectory(_ name: String = #function) -> String {
    let base = FileManager.default.temporaryDirectory.path
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let dir = "\(base)/switchyard-store-\(safe)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func machine(_ body: String, initial: String, data: String = "", name: String = "m") throws
    -> MachineDefinition
{
    let xml = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript" initial="\(initial)" name="\(name)">
          <datamodel>\(data)</datamodel>
          \(body)
        </scxml>
        """
    return try MachineDefinition.load(bytes: Array(xml.utf8))
}

/// Counts `inc` events in `count` and records their `n` in `seen`; `reminder` is a delayed
/// send; `finish` ends it.
func ledgerMachine() throws -> MachineDefinition {
    try machine(
        """
        <state id="open">
          <transition event="inc"><assign location="count" expr="count + 1"/>
            <assign location="seen" expr="seen.concat([_event.data.n])"/></transition>
          <transition event="remind"><send event="reminder" delay="1h" id="r"/></transition>
          <transition event="reminder"><assign location="reminders" expr="reminders + 1"/></transition>
          <transition event="cancel"><cancel sendid="r"/></transition>
          <transition event="finish" target="closed"/>
        </state>
        <final id="closed"/>
        """, initial: "open",
        data: #"<data id="count" expr="0"/><data id="seen" expr="[]"/><data id="reminders" expr="0"/>"#,
        name: "ledger")
}

/// A durable engine on the database at `path` with a manual clock at `start`.
func durableEngine(
    _ path: String, at start: Int64 = 1_000_000_000, snapshotEvery: Int = 100, shards: Int = 2
) throws -> (Engine, ManualClock) {
    let clock = ManualClock(start: start)
    let store = try SQLiteStore(path: path)
    let engine = Engine(
        store: store, clock: clock, options: EngineOptions(shards: shards, snapshotEvery: snapshotEvery))
    return (engine, clock)
}

/// A thread-safe list of strings.
final class Recorder: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ s: String) { items.withLock { $0.append(s) } }
    var all: [String] { items.withLock { $0 } }
}

/// Runs SQL on a database file with the `sqlite3` shell (to damage or fake stored data).
func sqlite(_ path: String, _ sql: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sqlite3", path, sql]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw SQLiteShellFailed(sql: sql) }
}

/// `sqlite3` is missing or refused the SQL.
struct SQLiteShellFailed: Error {
    var sql: String
}

let hour: Int64 = 3_600_000_000_000
