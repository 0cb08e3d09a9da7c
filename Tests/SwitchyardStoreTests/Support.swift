import Foundation
import Switchyard
import SwitchyardTestSupport
import Synchronization

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
