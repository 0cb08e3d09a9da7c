import Foundation
import Switchyard

/// A small approval service: `machines/document_approval.scxml` in a durable ``Engine`` on a
/// SQLite file, with the Swift action `assign_reviewer`, fed a scripted day of events for four
/// documents. Half-way it shuts the engine down and opens a new one on the same file 25 hours
/// later: the approvals resume where they were, and the 24-hour escalation of the document whose
/// reviewer never answered fires during `recover()` because it fell due while the service was
/// down. Uses only the public API of `Switchyard`.
///
/// Time comes from a `ManualClock` positioned at a fixed wall-clock instant (Monday 2026-03-02
/// 09:00 UTC), so every run prints the same text and the stored due times are real dates.
@MainActor
final class ApprovalService {
    /// One minute and one hour of the engine clock, in nanoseconds.
    static let minute: Int64 = 60_000_000_000
    static let hour: Int64 = 60 * minute

    /// Monday 2026-03-02 09:00:00 UTC, in nanoseconds since the Unix epoch.
    static let mondayNine: Int64 = 1_772_442_000 * 1_000_000_000

    /// Who `assign_reviewer` picks for each role (amounts of 10,000 or more go to a senior
    /// reviewer). A Swift action runs again when recovery replays the journal, so it must
    /// depend only on its parameters and the data model.
    nonisolated static func person(role: String, amount: Double) -> String? {
        switch role {
        case "reviewer": amount >= 10_000 ? "victor" : "rita"
        case "manager": "mona"
        case "legal": "lee"
        case "finance": "fay"
        default: nil
        }
    }

    /// The Swift action the machine calls on entering `in_review`, `escalated` and the two
    /// regions of `second_review`: it writes `assignees[role]`.
    nonisolated static let assignReviewer: ActionBody = { action, context in
        guard case .string(let role)? = action.param("role"),
            let name = person(role: role, amount: action.param("amount")?.jsNumber ?? 0)
        else {
            throw CustomActionError("no one to assign for role \(action.param("role")?.jsString ?? "?")")
        }
        var assignees = JSObject()
        if case .object(let current)? = context.value(of: "assignees") { assignees = current }
        assignees[role] = .string(name)
        try context.setValue(.object(assignees), for: "assignees")
    }

    /// What was last printed for a document, so each step prints only what changed.
    struct Seen {
        var state = ""
        var audit = 0
        var assignees: [String: String] = [:]
        var timers: [String] = []
    }

    let machine: MachineDefinition
    let database: String
    var engine: Engine
    var clock: ManualClock
    var engineNumber = 1
    var seen: [String: Seen] = [:]
    var documents: [String] = []
    var lines: [String] = []

    init(machine: MachineDefinition, database: String) throws {
        self.machine = machine
        self.database = database
        clock = ManualClock(start: Self.mondayNine)
        engine = try Self.openEngine(database: database, machine: machine, clock: clock)
    }

    /// A durable engine on the database file with the machine and the action registered.
    static func openEngine(database: String, machine: MachineDefinition, clock: ManualClock) throws -> Engine
    {
        let store = try SQLiteStore(path: database)
        let engine = Engine(store: store, clock: clock, options: EngineOptions(shards: 2))
        try engine.register(machine, as: "approval")
        try engine.registerAction("assign_reviewer", assignReviewer)
        return engine
    }

    // MARK: Output

    func say(_ text: String = "") { lines.append(text) }

    /// `Mon 09:05` for an instant of the engine clock.
    static func clockText(_ nanoseconds: Int64) -> String {
        let minutes = nanoseconds / minute
        let days = minutes / (24 * 60)
        let names = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let weekday = names[Int(days % 7)]
        let hh = (minutes / 60) % 24
        let mm = minutes % 60
        return "\(weekday) \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm)"
    }

    /// `2026-03-02` for an instant of the engine clock (proleptic Gregorian, UTC).
    static func dateText(_ nanoseconds: Int64) -> String {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = nanoseconds / (24 * hour) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    var now: String { Self.clockText(clock.now()) }

    /// Prints what changed in each document since it was last printed: its state, new audit
    /// entries, new assignments and its pending timers. `only` limits it to one document.
    func report(_ only: String? = nil) async {
        for id in documents where only == nil || only == id {
            var old = seen[id] ?? Seen()
            guard let snapshot = await engine.snapshot(id) else {
                // A new engine does not load instances that had finished: their journal remains.
                let state = await state(of: id)
                if !state.hasPrefix(old.state) || old.state.isEmpty {
                    say("           \(id)\n             state: \(state)")
                }
                old.state = state
                seen[id] = old
                continue
            }
            var new = Seen()
            new.state = await state(of: id)
            let audit: [Value]
            if case .array(let entries)? = snapshot.value(of: "audit") { audit = entries } else { audit = [] }
            new.audit = audit.count
            if case .object(let o)? = snapshot.value(of: "assignees") {
                for name in o.propertyNames { new.assignees[name] = o[name]?.jsString }
            }
            new.timers = snapshot.pendingTimers.map {
                let name = $0.sendID.hasPrefix("sy.timeout.") ? String($0.sendID.dropFirst(11)) : $0.sendID
                return "\(name) due \(Self.clockText($0.dueNanoseconds))"
            }
            var changes: [String] = []
            if new.state != old.state { changes.append("state: \(new.state)") }
            for entry in audit.dropFirst(old.audit) {
                let f = { (name: String) -> String in
                    guard case .object(let o) = entry, let v = o[name] else { return "?" }
                    return v.jsString
                }
                changes.append("audit \(f("n")): \(f("event")), \(f("from")) -> \(f("to")), by \(f("by"))")
            }
            if case .object(let o)? = snapshot.value(of: "assignees") {
                for role in o.propertyNames where old.assignees[role] != new.assignees[role] {
                    changes.append("assigned: \(role) = \(new.assignees[role] ?? "?")")
                }
            }
            if new.timers != old.timers {
                changes.append(
                    new.timers.isEmpty ? "timers: none" : "timers: " + new.timers.joined(separator: "; "))
            }
            if case .finished = snapshot.status, new.state != old.state {
                let outcome = snapshot.value(of: "outcome")?.jsString ?? "?"
                let reason = snapshot.value(of: "reason").flatMap { $0 == .null ? nil : $0.jsString }
                changes.append("outcome: \(outcome)\(reason.map { " (\($0))" } ?? "")")
            }
            if !changes.isEmpty {
                say("           \(id)")
                for c in changes { say("             \(c)") }
            }
            old = new
            seen[id] = old
        }
    }

    /// The document's configuration, or how it ended. An engine keeps the instances it ran in
    /// memory; one that finished before a restart is known from its journal only.
    func state(of id: String) async -> String {
        if let s = await engine.snapshot(id) {
            switch s.status {
            case .running: return s.configuration.joined(separator: ", ")
            case .finished(let final): return "finished in \(final ?? "?")"
            case .stopped: return "stopped"
            }
        }
        guard let h = try? await engine.history(of: id) else { return "unknown" }
        return h.status == "finished" ? "finished in \(h.finalState ?? "?") (from its journal)" : h.status
    }

    // MARK: Steps

    /// The engine-clock instant of `day` (1 = Monday 2026-03-02) at `hh:mm` UTC.
    static func instant(day: Int64, _ hh: Int64, _ mm: Int64) -> Int64 {
        mondayNine + (day - 1) * 24 * hour + (hh - 9) * hour + mm * minute
    }

    /// Moves the clock to `day` at `hh:mm`. The engine fires each timer that falls due on the
    /// way at its due instant; each is reported at that instant.
    func at(day: Int64, _ hh: Int64, _ mm: Int64) async throws {
        let target = Self.instant(day: day, hh, mm)
        while true {
            var next: Int64?
            for id in documents {
                for t in await engine.snapshot(id)?.pendingTimers ?? [] where t.dueNanoseconds <= target {
                    next = min(next ?? t.dueNanoseconds, t.dueNanoseconds)
                }
            }
            guard let due = next else { break }
            try await engine.advance(by: .nanoseconds(max(0, due - clock.now())))
            say("\(now)  a timer falls due")
            await report()
        }
        if target > clock.now() { try await engine.advance(by: .nanoseconds(target - clock.now())) }
    }

    /// Starts a document in `draft`.
    func start(_ id: String, title: String, amount: Double) async throws {
        documents.append(id)
        say("\(now)  start \(id) \"\(title)\", amount \(Value.number(amount).jsString)")
        try await engine.start(
            "approval", id: id,
            data: [NamedValue("title", .string(title)), NamedValue("amount", .number(amount))],
            onConflict: .fail)
        await report(id)
    }

    /// Delivers one event with idempotency id `eventID` (what a client would send with its
    /// request), waits until it is journaled and processed, and reports the document.
    func send(
        _ id: String, _ name: String, by person: String, _ more: [(String, Value)] = [], eventID: String
    )
        async throws
    {
        let data = Value.object(JSObject([("by", .string(person))] + more))
        let extra = more.map { "\($0.0): \($0.1.jsonString() ?? $0.1.jsString)" }.joined(separator: ", ")
        say("\(now)  \(id) <- \(name) by \(person)\(extra.isEmpty ? "" : " (\(extra))") [\(eventID)]")
        let receipt = try await engine.deliverAndWait(Event(name, data: data), to: id, eventID: eventID)
        await engine.quiesce()
        if receipt.duplicate {
            say(
                "           \(id): duplicate of \(eventID), already applied before the restart; nothing applied"
            )
        }
        await report(id)
    }

    /// Shuts the engine down and opens a new one on the same file, its clock at `day` `hh:mm`.
    func restart(day: Int64, _ hh: Int64, _ mm: Int64) async throws {
        let stopped = clock.now()
        let restarted = Self.instant(day: day, hh, mm)
        let hours = (restarted - stopped) / Self.hour
        await engine.shutdown()
        say()
        say("\(now)  engine \(engineNumber) shut down (\(engine.pendingTimerCount) timers were pending)")
        engineNumber += 1
        clock = ManualClock(start: restarted)
        engine = try Self.openEngine(database: database, machine: machine, clock: clock)
        say()
        say(
            "== Engine \(engineNumber): a new engine on the same database file, \(hours) hours after the shutdown"
        )
        say("\(now)  a new ManualClock at \(Self.dateText(clock.now())) \(now.dropFirst(4)) UTC")
        let recovery = try await engine.recover()
        say(
            "\(now)  recover(): \(recovery.instances) running instances, \(recovery.replayedRecords) journal "
                + "records replayed, \(recovery.pendingTimers) timers pending after overdue ones fired")
        for failure in recovery.failures {
            say("           failure: \(failure.instanceID): \(failure.message)")
        }
        for id in documents {
            let state = await state(of: id)
            let before = seen[id]?.state ?? "?"
            var line = "           \(id): \(state)"
            line += state.hasPrefix(before) ? " (as before the restart)" : " (was: \(before))"
            if let assigned = seen[id]?.assignees, !assigned.isEmpty, state == before {
                line +=
                    "; assigned: "
                    + assigned.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: " ")
            }
            say(line)
        }
        say("           changes made during recover():")
        let count = lines.count
        await report()
        if lines.count == count { say("             none") }
    }

    /// The journal of a document, as `engine.history(of:)` returns it.
    func history(_ id: String) async throws {
        let h = try await engine.history(of: id)
        say("history of \(id) (\(h.definition) v\(h.version.map(String.init) ?? "?"), \(h.status)):")
        for e in h.entries {
            let what = [e.kind, e.event].compactMap { $0 }.joined(separator: " ")
            let idText = e.eventID.map { " [\($0)]" } ?? ""
            say(
                "  \(e.seq)  \(e.timestamp ?? String(e.time))  \(what)\(idText) -> \(e.configuration.last ?? "")"
            )
        }
    }

    /// The scripted day, the restart and the morning after.
    func run() async throws {
        say("== Engine 1: the approval service starts on an empty database")
        say("\(now)  a new ManualClock at \(Self.dateText(clock.now())) \(now.dropFirst(4)) UTC")
        let recovered = try await engine.recover()
        say("\(now)  recover(): \(recovered.instances) instances (a new database)")
        say()

        // Monday.
        try await start("doc-101", title: "Team offsite", amount: 4_800)
        try await start("doc-102", title: "Laptop refresh", amount: 7_200)
        try await start("doc-103", title: "Data centre lease", amount: 48_000)
        try await start("doc-104", title: "Conference booth", amount: 2_500)
        try await at(day: 1, 9, 5)
        try await send("doc-101", "submit", by: "ann", eventID: "ann-1")
        try await at(day: 1, 9, 20)
        try await send("doc-102", "submit", by: "bob", eventID: "bob-1")
        try await at(day: 1, 9, 40)
        try await send("doc-103", "submit", by: "cat", eventID: "cat-1")
        try await at(day: 1, 9, 45)
        try await send("doc-104", "submit", by: "dan", eventID: "dan-1")
        try await at(day: 1, 10, 30)
        try await send("doc-101", "approve", by: "rita", eventID: "rita-1")
        try await at(day: 1, 11, 0)
        try await send(
            "doc-102", "request_changes", by: "rita", [("reason", "split the order by team")],
            eventID: "rita-2")
        try await at(day: 1, 12, 15)
        try await send("doc-103", "approve", by: "victor", eventID: "victor-1")
        try await at(day: 1, 14, 0)
        try await send("doc-102", "resubmit", by: "bob", [("amount", 6_900)], eventID: "bob-2")
        try await at(day: 1, 15, 30)
        try await send("doc-103", "legal.approve", by: "lee", eventID: "lee-1")

        // The service goes down at 17:00 and comes back on Tuesday at 10:00, 25 hours after it
        // first started: the 24-hour timer of doc-104 (due Tuesday 09:45) fell due meanwhile;
        // doc-102's (due Tuesday 14:00, it was resubmitted at 14:00) did not.
        try await at(day: 1, 17, 0)
        try await restart(day: 2, 10, 0)

        // Tuesday.
        say()
        try await at(day: 2, 10, 5)
        try await send("doc-103", "legal.approve", by: "lee", eventID: "lee-1")  // a client retrying
        try await at(day: 2, 10, 15)
        try await send("doc-103", "finance.approve", by: "fay", eventID: "fay-1")
        try await at(day: 2, 11, 0)
        try await send("doc-102", "approve", by: "rita", eventID: "rita-3")

        // Nobody answers doc-104, not even the manager: 72 hours after it entered review
        // (Thursday 09:45) it is rejected automatically.
        say()
        say("\(now)  nobody acts on doc-104; time passes to Thursday 12:00")
        try await at(day: 4, 12, 0)

        say()
        say("== Summary")
        for id in documents {
            var line = "\(id)  \(await state(of: id))"
            if let s = await engine.snapshot(id) {
                let outcome = s.value(of: "outcome")?.jsString ?? "?"
                let revision = s.value(of: "revision")?.jsString ?? "?"
                line += ", outcome \(outcome), revision \(revision), \(seen[id]?.audit ?? 0) audit entries"
            }
            let assignees = seen[id]?.assignees.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            line += ", assigned: " + (assignees ?? []).joined(separator: " ")
            say(line)
        }
        say()
        try await history("doc-104")
        await engine.shutdown()
    }

    // MARK: Command line

    static let usage = """
        USAGE: ApprovalService [DATABASE] [--reset] [--machine FILE]

        Runs machines/document_approval.scxml in a durable engine on the SQLite file DATABASE
        (default: a new temporary file, deleted afterwards), feeds it a scripted day of events for
        four documents, shuts the engine down and opens a new one on the same file the next
        morning (its clock 25 hours after the first one started), and shows the approvals
        resume and the overdue 24-hour escalation fire during recover().
        --reset deletes DATABASE first (the script needs an empty database).

        EXAMPLE: swift run ApprovalService /tmp/approvals.sqlite --reset
        """

    /// The shipped machine, as seen from the repository root, else next to this source file.
    static var defaultMachine: String {
        let relative = "machines/document_approval.scxml"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Deletes a SQLite database and its WAL and shared-memory files.
    static func remove(database: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
    }

    /// Parses the arguments, runs the script, prints; returns the exit status.
    static func main(_ arguments: [String]) async -> Int32 {
        var database: String?
        var machinePath = defaultMachine
        var reset = false
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--help" || a == "-h" {
                print(usage)
                return 0
            } else if a == "--reset" {
                reset = true
            } else if a == "--machine", i + 1 < arguments.count {
                machinePath = arguments[i + 1]
                i += 1
            } else if !a.hasPrefix("-"), database == nil {
                database = a
            } else {
                printError("error: unexpected argument '\(a)'\n\n\(usage)")
                return 64
            }
            i += 1
        }
        let temporary = database == nil
        let path =
            database
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "approval-service-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max)).sqlite"
            ).path
        if reset || temporary { remove(database: path) }
        defer { if temporary { remove(database: path) } }

        let machine: MachineDefinition
        do {
            machine = try MachineDefinition.load(path: machinePath)
        } catch {
            printError("\(error)")
            return 1
        }
        if !temporary && !reset && FileManager.default.fileExists(atPath: path) {
            // The script starts its documents with `onConflict: .fail`: it needs an empty database.
            do {
                if try await !SQLiteStore(path: path).instances().isEmpty {
                    printError("error: \(path) already holds instances; run with --reset to start over")
                    return 1
                }
            } catch {
                printError("error: cannot open \(path): \(error)")
                return 1
            }
        }
        let service: ApprovalService
        do {
            service = try ApprovalService(machine: machine, database: path)
        } catch {
            printError("error: cannot open \(path): \(error)")
            return 1
        }
        print("database: \(temporary ? "a temporary file" : path)")
        do {
            try await service.run()
        } catch {
            for line in service.lines { print(line) }
            printError("error: \(error)")
            return 1
        }
        for line in service.lines { print(line) }
        return 0
    }
}
