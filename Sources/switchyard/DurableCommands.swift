import ArgumentParser
import Foundation
import Switchyard

/// Opens the store and a durable engine on it (wall clock unless given), registers `machine`
/// when given, and recovers.
func openDurableEngine(
    db: String, machine: (MachineDefinition, String)? = nil, clock: any EngineClock = WallClock(),
    activities: ActivityScript? = nil
) async throws -> Engine {
    let store: SQLiteStore
    do {
        store = try SQLiteStore(path: db)
    } catch {
        printError("error: \(error.message)")
        throw ExitCode(1)
    }
    // `<invoke src>` children load relative to the invoking document.
    let loader = SCXMLLoader()
    let engine = Engine(
        store: store, clock: clock,
        options: EngineOptions(
            shards: 2, documentLoader: loader.documentLoader, documentParser: loader.documentParser))
    do {
        // Before recovery: it restarts the attempts that were in flight.
        try activities?.register(with: engine)
        if let (definition, name) = machine {
            if engine.definitionVersions.contains(where: { $0.name == name }) {
                try engine.upgrade(definition, as: name)
            } else {
                try engine.register(definition, as: name)
            }
        }
        let report = try await engine.recover()
        for failure in report.failures {
            printError(
                "warning: \(failure.instanceID.isEmpty ? "" : "instance \(failure.instanceID): ")\(failure.message)"
            )
        }
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
    return engine
}

/// Parses `--data`: a JSON object whose members become named values.
func parseDataOption(_ text: String?) throws -> [NamedValue] {
    guard let text else { return [] }
    let value: Value
    do {
        value = try Value.parseJSON(text)
    } catch {
        throw ValidationError("--data is not valid JSON: \(error)")
    }
    guard case .object(let object) = value else { throw ValidationError("--data must be a JSON object") }
    return object.properties.map { NamedValue($0.key, $0.value) }
}

/// Loads a machine for the durable commands; prints diagnostics and exits 1 on errors.
func loadMachine(_ path: String) throws -> (MachineDefinition, String) {
    do {
        let definition = try MachineDefinition.load(path: path)
        for w in definition.warnings { printError(w.rendered) }
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return (definition, definition.name ?? base)
    } catch {
        print(error.description)
        throw ExitCode(1)
    }
}

func describe(_ s: InstanceSnapshot) -> String {
    switch s.status {
    case .running: s.configuration.joined(separator: ", ")
    case .finished(let f): "finished in \(f ?? "?")"
    case .stopped: "stopped"
    }
}

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a durable instance in a database file.",
        discussion: """
            Registers the machine (a new content becomes a new version of its name; instances \
            already running stay on theirs), recovers the database, starts instance ID and runs \
            its first macrostep. The database is created when it does not exist. Exits 0 once \
            the start is journaled; an ID that is already running is left as it is (exit 0, \
            says so); use --if-exists fail to make that an error.

            Example:
              switchyard start --db approvals.sqlite --machine machines/document_approval.scxml \\
                --id doc-42 --data '{"amount": 12000}'
            """)

    @Option(help: "The database file (SQLite).") var db: String
    @Option(help: "The SCXML machine to start.") var machine: String
    @Option(help: "The instance id.") var id: String
    @Option(help: "JSON object whose members initialise data model variables.") var data: String?
    @Option(help: "What to do when ID is running: use (keep it) or fail.") var ifExists: Existing = .use

    enum Existing: String, ExpressibleByArgument {
        case use, fail
    }

    func run() async throws {
        let initial = try parseDataOption(data)
        let loaded = try loadMachine(machine)
        let engine = try await openDurableEngine(db: db, machine: loaded)
        do {
            let outcome = try await engine.start(
                loaded.1, id: id, data: initial, onConflict: ifExists == .use ? .useExisting : .fail)
            let snapshot = await engine.snapshot(id)
            let version = snapshot.map { " v\($0.version)" } ?? ""
            let state = snapshot.map(describe) ?? ""
            switch outcome {
            case .started: print("started \(id) (\(loaded.1)\(version)): \(state)")
            case .existing: print("\(id) is already running (\(loaded.1)\(version)): \(state)")
            }
        } catch {
            printError("error: \(error)")
            await engine.shutdown()
            throw ExitCode(1)
        }
        await engine.shutdown()
    }
}

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send an event to a durable instance.",
        discussion: """
            Recovers the database (timers that fell due meanwhile fire first), delivers EVENT to \
            instance ID and prints its configuration afterwards. Exits 0 only once the event is \
            durably journaled and its macrostep is done. With --event-id the delivery is \
            idempotent: sending the same id again applies nothing and prints "duplicate" (exit 0), \
            so a client that lost the answer can simply retry. An event that no transition of the \
            active states takes prints "ignored: ..." (exit 0: it was delivered and journaled).

            Example:
              switchyard send --db approvals.sqlite --id doc-42 approve --data '{"by":"ana"}' --event-id req-7
            """)

    @Option(help: "The database file (SQLite).") var db: String
    @Option(help: "The instance id.") var id: String
    @Argument(help: "The event name.") var event: String
    @Option(help: "JSON data of the event.") var data: String?
    @Option(help: "Idempotency id of the event.") var eventID: String?

    func run() async throws {
        var payload: Value = .undefined
        if let data {
            do {
                payload = try Value.parseJSON(data)
            } catch {
                throw ValidationError("--data is not valid JSON: \(error)")
            }
        }
        let engine = try await openDurableEngine(db: db)
        do {
            let receipt = try await engine.deliverAndWait(
                Event(event, data: payload), to: id, eventID: eventID)
            await engine.quiesce()
            let snapshot = await engine.snapshot(id)
            if receipt.duplicate {
                print("duplicate: \(id) has already processed event id '\(eventID ?? "")'; nothing applied")
            } else if receipt.handled == false {
                print(
                    "ignored: no transition of \(id) takes \(event) in \(snapshot.map(describe) ?? receipt.configuration.joined(separator: ", ")); nothing changed"
                )
            } else {
                print(
                    "\(id): \(event) -> \(snapshot.map(describe) ?? receipt.configuration.joined(separator: ", "))"
                )
            }
        } catch {
            printError("error: \(error)")
            await engine.shutdown()
            throw ExitCode(1)
        }
        await engine.shutdown()
    }
}

struct InstancesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instances",
        abstract: "List the instances in a database file, or show one.",
        discussion: """
            Without arguments: one line per instance (id, definition and version, status, journal \
            records). `show ID`: its configuration, data model, pending timers and history. \
            Read-only: timers are shown, not fired.

            An id can be started again after its instance finished or was stopped; each start \
            begins a new run, and the journal numbering continues. `show ID` shows the latest \
            run, and when there are several its first line says which (", run 2 of 2"); \
            --run N shows run N instead (1 = the oldest): its definition version, status, final \
            state and records.

            `show ID --json` prints one JSON object: id, definition, version, status, run, runs \
            (how many), startSeq (the run's start record); configuration, data and \
            pendingTimers (sendID, due) while the latest run runs, finalState once a run has \
            finished; and history, one object per journal record of the run: seq, time (engine \
            clock nanoseconds), timestamp (ISO 8601, or null), kind, event, eventID, data, \
            configuration, entered, exited.

            Examples:
              switchyard instances --db approvals.sqlite
              switchyard instances --db approvals.sqlite show doc-42 --json
              switchyard instances --db approvals.sqlite show doc-42 --run 1
            """)

    @Option(help: "The database file (SQLite).") var db: String
    @Argument(help: "Nothing, or `show ID`.") var action: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Option(
        name: .customLong("run"),
        help: "With `show ID`: the run to show (1 = the oldest; default: the latest).")
    var runNumber: Int?

    func validate() throws {
        guard let runNumber else { return }
        guard action.first == "show" else { throw ValidationError("--run needs `show ID`") }
        guard runNumber >= 1 else { throw ValidationError("--run must be 1 or more, not \(runNumber)") }
    }

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else {
            printError("error: \(db) does not exist")
            throw ExitCode(1)
        }
        switch action.count {
        case 0: try await list()
        case 2 where action[0] == "show": try await show(action[1])
        default: throw ValidationError("expected no arguments or `show ID`")
        }
    }

    private func openStore() throws -> SQLiteStore {
        do {
            return try SQLiteStore(path: db)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }

    private func list() async throws {
        let store = try openStore()
        let rows: [StoredInstance]
        let definitions: [StoredDefinition]
        do {
            rows = try await store.instances()
            definitions = try await store.definitions()
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let versions = Dictionary(definitions.map { ($0.hash, $0.version) }, uniquingKeysWith: { a, _ in a })
        if json {
            var list: [Value] = []
            for r in rows {
                var o = JSObject()
                o["id"] = .string(r.id)
                o["definition"] = .string(r.definitionName)
                o["version"] = versions[r.definitionHash].map { .number(Double($0)) } ?? .null
                o["status"] = .string(r.status)
                o["finalState"] = r.finalState.map(Value.string) ?? .null
                o["records"] = .number(Double(r.lastSeq))
                list.append(.object(o))
            }
            print(Value.array(list).jsonString() ?? "[]")
            return
        }
        if rows.isEmpty { print("no instances") }
        for r in rows {
            let version = versions[r.definitionHash].map { " v\($0)" } ?? ""
            let status = r.status == "finished" ? "finished in \(r.finalState ?? "?")" : r.status
            print("\(r.id)  \(r.definitionName)\(version)  \(status)  \(r.lastSeq) records")
        }
    }

    /// For a timer record: ` (due TIME)`, with how late it fired when it fired a second or more
    /// after its due time (it fell due while no engine was running).
    static func dueText(_ e: InstanceHistory.Entry) -> String {
        guard let due = e.due else { return "" }
        let when = e.dueTimestamp ?? "\(due)"
        let late = max(0, e.time - due)
        guard late >= 1_000_000_000 else { return " (due \(when))" }
        return " (due \(when), fired \(lateText(late)) late)"
    }

    /// `25h 0m 3s`, `4m 10s`, `12s`.
    static func lateText(_ nanoseconds: Int64) -> String {
        let s = nanoseconds / 1_000_000_000
        let h = s / 3600
        let m = (s % 3600) / 60
        if h > 0 { return "\(h)h \(m)m \(s % 60)s" }
        if m > 0 { return "\(m)m \(s % 60)s" }
        return "\(s)s"
    }

    /// One history entry as a JSON object with every key present (null when absent).
    static func json(_ e: InstanceHistory.Entry) -> String {
        var o = JSONObjectText()
        o.add("seq", e.seq)
        o.add("time", e.time)
        o.add("timestamp", e.timestamp)
        o.add("kind", e.kind)
        o.add("event", e.event)
        o.add("eventID", e.eventID)
        o.add("data", e.data ?? .null)
        o.add("configuration", e.configuration)
        o.add("entered", e.entered)
        o.add("exited", e.exited)
        o.add("due", e.due)
        o.add("dueTimestamp", e.dueTimestamp)
        return o.text
    }

    private func show(_ id: String) async throws {
        let store = try openStore()
        guard (try? await store.instance(id)) != nil else {
            printError("error: no instance '\(id)' in \(db)")
            throw ExitCode(1)
        }
        // A clock at 0: recovery re-arms timers without firing any (read-only).
        let engine = Engine(store: store, clock: ManualClock(start: 0), options: EngineOptions(shards: 1))
        do {
            try await engine.recover()
            let history = try await engine.history(of: id)
            let count = history.runs.count
            guard let run = history.run(runNumber ?? count) else {
                await engine.shutdown()
                printError(
                    "error: instance '\(id)' has \(count) run\(count == 1 ? "" : "s"); there is no run \(runNumber ?? 0)"
                )
                throw ExitCode(1)
            }
            // The engine's snapshot is the latest run's; an earlier run has only its records.
            let snapshot = run.number == count ? await engine.snapshot(id) : nil
            await engine.shutdown()
            if json {
                var o = JSONObjectText()
                o.add("id", id)
                o.add("definition", run.definition)
                o.add("version", run.version.map(Int64.init))
                o.add("status", run.status)
                o.add("run", Int64(run.number))
                o.add("runs", Int64(count))
                o.add("startSeq", run.startSeq)
                if let snapshot {
                    o.add("configuration", snapshot.configuration)
                    o.add("data", .object(JSObject(snapshot.data.map { ($0.name, $0.value) })))
                    let timers = snapshot.pendingTimers.map { t in
                        var timer = JSONObjectText()
                        timer.add("sendID", t.sendID)
                        timer.add("due", InstanceHistory.timestampText(t.dueNanoseconds))
                        return timer.text
                    }
                    o.add("pendingTimers", json: "[" + timers.joined(separator: ",") + "]")
                } else if let final = run.finalState {
                    o.add("finalState", final)
                }
                o.add("history", json: "[" + run.entries.map(Self.json).joined(separator: ",") + "]")
                print(o.text)
                return
            }
            let version = run.version.map { " v\($0)" } ?? ""
            let which = count > 1 ? ", run \(run.number) of \(count)" : ""
            print("instance \(id) (\(run.definition)\(version)): \(run.status)\(which)")
            if let snapshot {
                print("configuration: \(snapshot.configuration.joined(separator: ", "))")
                var functions: [String] = []
                for item in snapshot.data {
                    if case .function = item.value {
                        functions.append(item.name)
                        continue
                    }
                    if case .regex(let r) = item.value {
                        print("  \(item.name) = \(r)")  // JSON would print `{}`
                        continue
                    }
                    print("  \(item.name) = \(item.value.jsonString() ?? item.value.jsString)")
                }
                if !functions.isEmpty { print("  (functions: \(functions.joined(separator: ", ")))") }
                for t in snapshot.pendingTimers {
                    print("timer \(t.sendID) due \(InstanceHistory.timestampText(t.dueNanoseconds))")
                }
            } else if let final = run.finalState {
                print("final state: \(final)")
            }
            print("history:")
            for e in run.entries {
                let when = e.timestamp ?? "\(e.time)"
                let what = [e.kind, e.event].compactMap { $0 }.joined(separator: " ")
                let idText = e.eventID.map { " [\($0)]" } ?? ""
                print(
                    "  \(e.seq)  \(when)  \(what)\(idText)\(Self.dueText(e)) -> \(e.configuration.joined(separator: ", "))"
                )
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
