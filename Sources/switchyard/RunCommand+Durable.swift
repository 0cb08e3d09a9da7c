import ArgumentParser
import Switchyard

#if canImport(Glibc)
    import Glibc
#endif

extension RunCommand {
    /// `run --db FILE`: the machine in a durable engine; instance `id` is started, or resumed
    /// when it is running in FILE. Lines are printed from the instance's journal, so they show
    /// exactly the macrosteps that were recorded — including timers fired during recovery.
    func runDurable(db: String, initial: [NamedValue], activities: ActivityScript?) async throws {
        let loaded = try loadMachine(file)
        let instanceID = id ?? loaded.1
        // What the previous runs recorded: the journal position to resume after.
        var previous: StoredInstance?
        do {
            previous = try await SQLiteStore(path: db).instance(instanceID)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let manual = clock == .manual ? ManualClock(start: WallClock().now()) : nil
        let engine = try await openDurableEngine(
            db: db, machine: loaded, clock: manual ?? WallClock(), activities: activities)
        let session = DurableRun(engine: engine, id: instanceID, format: trace, manual: manual)
        do {
            if let previous, previous.status == "running", await engine.snapshot(instanceID) != nil {
                if !initial.isEmpty {
                    printError("note: \(instanceID) is already running; --data is ignored")
                }
                try await session.resume(after: previous.lastSeq)
            } else {
                try await engine.start(loaded.1, id: instanceID, data: initial, onConflict: .useExisting)
                try await session.printNew()
            }
            if let events {
                for name in Self.eventNames(events) where !(await session.finished) {
                    try await session.send(Event(name))
                }
            } else {
                try await interact(session)
            }
        } catch let error as EngineError {
            printError("error: \(error)")
            await engine.shutdown()
            throw ExitCode(1)
        }
        await engine.shutdown()
    }

    /// The standard-input loop of a durable run.
    private func interact(_ session: DurableRun) async throws {
        let input = InputLines()
        while !(await session.finished) {
            var wait: Int64?
            if clock == .wall, let due = await session.nextDue() {
                wait = max(0, due - WallClock().now())
            }
            let line: String
            switch input.next(waitingAtMost: wait) {
            case .end: return
            case .timeout:
                try await session.timersFired()
                continue
            case .line(let text): line = text
            }
            if clock == .wall { try await session.timersFired() }
            switch Command(line) {
            case .skip: continue
            case .quit: return
            case .invalid(let message): printError(message)
            case .advance(let duration):
                guard clock == .manual else {
                    printError("error: `advance` needs --clock manual (the wall clock moves by itself)")
                    continue
                }
                try await session.advance(by: duration)
            case .event(let event): try await session.send(event)
            }
        }
    }
}

/// One instance of a durable run: sends, moves the manual clock, prints journal records.
final class DurableRun {
    let engine: Engine
    let id: String
    let format: RunCommand.TraceFormat
    let manual: ManualClock?
    /// The last journal record printed.
    private var printed: Int64 = 0

    init(engine: Engine, id: String, format: RunCommand.TraceFormat, manual: ManualClock?) {
        self.engine = engine
        self.id = id
        self.format = format
        self.manual = manual
    }

    var finished: Bool {
        get async { await engine.snapshot(id).map { !$0.status.isRunning } ?? true }
    }

    /// The earliest due time of the instance's pending timers.
    func nextDue() async -> Int64? {
        await engine.snapshot(id)?.pendingTimers.map(\.dueNanoseconds).min()
    }

    /// Prints `(resumed) -> configuration` as of record `seq`, then the records after it
    /// (timers that fell due while nothing ran fired during recovery).
    func resume(after seq: Int64) async throws(EngineError) {
        let history = try await engine.history(of: id)
        let before = history.entries.last { $0.seq <= seq }
        let snapshot = await engine.snapshot(id)
        switch format {
        case .text: print("(resumed) -> \((before?.configuration ?? []).joined(separator: ", "))")
        case .json:
            print(line(event: nil, resumed: true, configuration: before?.configuration ?? [], snapshot))
        }
        printed = seq
        printRecords(history, snapshot)
    }

    /// Prints the journal records after the last one printed.
    func printNew() async throws(EngineError) {
        let history = try await engine.history(of: id)
        printRecords(history, await engine.snapshot(id))
    }

    private func printRecords(_ history: InstanceHistory, _ snapshot: InstanceSnapshot?) {
        let new = history.entries.filter { $0.seq > printed }
        for (n, entry) in new.enumerated() {
            let name = entry.kind == "start" ? nil : (entry.event ?? entry.kind)
            let last = n == new.count - 1
            switch format {
            case .text:
                let state =
                    last && history.status != "running"
                    ? (history.status == "finished"
                        ? "finished in \(history.finalState ?? "?")" : history.status)
                    : entry.configuration.joined(separator: ", ")
                Swift.print("\(name ?? "(start)") -> \(state)")
            case .json:
                Swift.print(line(event: name, resumed: false, configuration: entry.configuration, snapshot))
            }
            printed = entry.seq
        }
    }

    /// A JSON trace line: like the non-durable run's, with the data model after the command.
    private func line(event: String?, resumed: Bool, configuration: [String], _ snapshot: InstanceSnapshot?)
        -> String
    {
        var o = JSObject()
        o["event"] = event.map(Value.string) ?? .null
        if resumed { o["resumed"] = .bool(true) }
        o["configuration"] = .array(configuration.map(Value.string))
        o["data"] = .object(JSObject((snapshot?.data ?? []).map { ($0.name, $0.value) }))
        return Value.object(o).jsonString() ?? "{}"
    }

    /// Delivers an event (journaled before it returns) and prints the records it produced.
    func send(_ event: Event) async throws(EngineError) {
        do {
            try await engine.deliverAndWait(event, to: id)
        } catch .notRunning, .noSuchInstance {
            printError("error: instance '\(id)' has finished or was stopped")
            return
        }
        await engine.quiesce()
        try await printNew()
    }

    /// Moves the manual clock forward, stopping at each of this instance's timers that falls
    /// due on the way so that every record is printed with the data model after it.
    func advance(by duration: Duration) async throws(EngineError) {
        guard let manual else { throw .notManualClock }
        let target = manual.now() &+ duration.nanoseconds
        while let due = await nextDue(), due <= target {
            try await engine.advance(by: .nanoseconds(max(0, due - manual.now())))
            try await printNew()
            // A timer that did not fire (it cannot happen) must not loop forever.
            if await nextDue() == due { break }
        }
        if target > manual.now() { try await engine.advance(by: .nanoseconds(target - manual.now())) }
        try await printNew()
    }

    /// With the wall clock: lets the engine fire what is due (its timer task does) and prints it.
    func timersFired() async throws(EngineError) {
        // The engine's timer task notices a due timer within its resolution (1 ms).
        for _ in 0..<200 {
            guard let due = await nextDue(), due <= WallClock().now() else { break }
            var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&pause, nil)
        }
        await engine.quiesce()
        try await printNew()
    }
}
