import ArgumentParser
import Switchyard

#if canImport(Glibc)
    import Glibc
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a machine on a list of events, or interactively; durably with --db.",
        discussion: """
            Starts FILE, then feeds it the events given with --events (comma-separated names), \
            processing each to completion, and prints the configuration after each. With --trace \
            json it prints one JSON line after start ("event": null) and one after every external \
            event's macrostep:
              {"event":"submit","configuration":["review","waiting"],"data":{"amount":5}}
            The configuration lists every active state (atomic, compound and parallel) in document \
            order.

            Without --events it reads commands from standard input, one per line:
              NAME [JSON]     send event NAME with optional JSON data
              advance 24h     move the manual clock forward; due timers fire
              quit            stop

            Clocks (--clock):
              manual   (default) time moves only on `advance`; after the last event of --events \
            the clock jumps from timer to timer until the machine finishes or no timer is left.
              wall     delayed events fire in real time, also while waiting for the next input \
            line; after the last event (of --events, or at the end of input) the run goes on \
            until the machine finishes or no timer is pending (Ctrl-C stops it). `advance` is \
            refused.

            Durable runs (--db FILE): the machine runs in a durable engine on the SQLite file \
            FILE (created if missing). Instance ID (--id, default: the machine's name) is started \
            — or, when it is already running in FILE, resumed where the last run left it (timers \
            that fell due meanwhile fire first); --data only applies to a new start. Every event \
            is journaled before its line is printed, and a run that ends leaves the instance \
            running with its timers stored: the next `run --db` (or `send`, `instances`) goes \
            on from there. The manual clock starts at the current wall-clock time, so `advance \
            24h` fires what is due 24 hours from now; at the end of the events the clock does not \
            jump ahead. JSON lines carry the data model after the command.

            Activities (--activities FILE): `<invoke type="activity">` steps and saga \
            compensations get canned outcomes from a JSON object keyed by activity name; each \
            entry is an outcome for every attempt, or {"attempts": [...], "retry": {...}, \
            "timeout": "30s"}; an outcome is {"result": VALUE} or {"error": {"kind", "message", \
            "retryable"}}, with an optional "after": "2s" (on the run's clock). Without the \
            file an activity fails with error.activity (kind unknownActivity).

            Exit status: 0 after the run (a macrostep error is printed on standard error and \
            the run goes on), 1 when FILE cannot be loaded (its diagnostics are printed as \
            path:line:col: error: message) or the database cannot be used, 64 for bad options \
            such as --data that is not a JSON object.

            Examples:
              switchyard run machines/document_approval.scxml \\
                  --events submit,approve --trace json
              echo 'submit {"amount": 12000}' | \\
                  switchyard run machines/document_approval.scxml
              switchyard run machines/document_approval.scxml --clock wall
              switchyard run machines/document_approval.scxml \\
                  --db approvals.sqlite --id doc-1 --events submit
              printf 'advance 24h\\napprove\\n' | switchyard run \\
                  machines/document_approval.scxml --db approvals.sqlite --id doc-1
              switchyard run machines/order_saga.scxml \\
                  --activities machines/order_saga.ship-fails.json
            """
    )

    @Argument(help: "The SCXML file to run.")
    var file: String

    @Option(help: "Comma-separated event names to send in order.")
    var events: String?

    @Option(help: "JSON object whose members initialise data model variables.")
    var data: String?

    @Option(help: "Output format: text or json.")
    var trace: TraceFormat = .text

    @Option(help: "manual (time moves on `advance`) or wall (delays fire in real time).")
    var clock: ClockKind = .manual

    @Option(help: "Run durably in this SQLite database file and resume a running instance.")
    var db: String?

    @Option(help: "With --db: the instance id (default: the machine's name).")
    var id: String?

    @Option(help: ArgumentHelp("Canned activity outcomes (a JSON file).", valueName: "file"))
    var activities: String?

    enum TraceFormat: String, ExpressibleByArgument {
        case text
        case json
    }

    enum ClockKind: String, ExpressibleByArgument {
        case manual
        case wall
    }

    func run() async throws {
        if id != nil, db == nil { throw ValidationError("--id needs --db") }
        let initial = try parseDataOption(data)
        let script = try activities.map { try ActivityScript(path: $0) }
        if let db {
            try await runDurable(db: db, initial: initial, activities: script)
            return
        }
        let definition: MachineDefinition
        do {
            definition = try MachineDefinition.load(path: file)
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
        for w in definition.warnings { printError(w.rendered) }
        let manual = ManualClock()
        let driver = InstanceRunner(
            definition: definition, sessionID: "run", data: initial,
            clock: clock == .manual ? manual : SystemClock(),
            loader: SCXMLLoader().documentLoader, parser: SCXMLLoader().documentParser)
        driver.keepLogs = false
        script?.register(with: driver)
        let format = trace
        driver.onLog = { record in Self.report(log: record, format: format) }
        driver.onMacrostep = { event, result, interpreter in
            Self.report(event: event, result: result, interpreter: interpreter, format: format)
        }
        driver.start()
        // Timers due now (zero delays, instant activities) fire at once on either clock.
        driver.fireDueTimers()
        if let events {
            for name in Self.eventNames(events) {
                driver.enqueue(Event(name))
                driver.runUntilIdle()
                driver.fireDueTimers()
            }
            finish(driver)
            return
        }
        let input = InputLines()
        while !driver.isFinished {
            // With the wall clock, wait for input only until the next timer is due.
            var wait: Int64?
            if clock == .wall, let next = driver.pendingTimers.first {
                wait = max(0, next.dueNanoseconds - SystemClock().now())
            }
            let line: String
            switch input.next(waitingAtMost: wait) {
            case .end:
                if clock == .wall { finish(driver) }
                return
            case .timeout:
                driver.fireDueTimers()
                continue
            case .line(let text): line = text
            }
            if clock == .wall { driver.fireDueTimers() }
            switch Command(line) {
            case .skip: continue
            case .quit: return
            case .invalid(let message): printError(message)
            case .advance(let duration):
                guard clock == .manual else {
                    printError("error: `advance` needs --clock manual (the wall clock moves by itself)")
                    continue
                }
                manual.advance(by: duration)
                driver.fireDueTimers()
            case .event(let event):
                driver.enqueue(event)
                driver.runUntilIdle()
                driver.fireDueTimers()
            }
        }
    }

    /// After the last event (of --events; with the wall clock also at the end of input): the
    /// manual clock jumps from timer to timer; the wall clock waits for them in real time.
    /// Either way until the machine finishes or no timer is left.
    private func finish(_ driver: InstanceRunner) {
        switch clock {
        case .manual: driver.runToCompletion()
        case .wall: driver.runRealTime(timeout: .seconds(3_000_000_000))  // ~95 years: no limit
        }
    }

    static func eventNames(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// One line of standard input.
    enum Command {
        case skip, quit
        case advance(Duration)
        case event(Event)
        case invalid(String)

        init(_ line: String) {
            let text = line.trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") {
                self = .skip
            } else if text == "quit" || text == "exit" {
                self = .quit
            } else if text.hasPrefix("advance ") {
                let spec = String(text.dropFirst(8)).trimmingWhitespace()
                if let d = DelaySpec.parse(spec) {
                    self = .advance(d)
                } else {
                    self = .invalid("error: '\(spec)' is not a duration (e.g. 30s, 5m, 24h)")
                }
            } else {
                let parts = text.split(separator: " ", maxSplits: 1)
                var payload: Value = .undefined
                if parts.count == 2 {
                    do {
                        payload = try Value.parseJSON(String(parts[1]))
                    } catch {
                        self = .invalid("error: event data is not valid JSON: \(error)")
                        return
                    }
                }
                self = .event(Event(String(parts[0]), data: payload))
            }
        }
    }

    /// A `<log>` line: `log label: message`, or with `--trace json` a JSON line
    /// `{"log":{"label":...,"message":...}}` among the macrostep lines.
    static func report(log record: LogRecord, format: TraceFormat) {
        switch format {
        case .text:
            print("log \(record.label.map { "\($0): " } ?? "")\(record.message)")
        case .json:
            var o = JSObject()
            o["label"] = record.label.map { .string($0) } ?? .null
            o["message"] = .string(record.message)
            print(Value.object(JSObject([("log", .object(o))])).jsonString() ?? "{}")
        }
    }

    static func report(event: Event?, result: MacrostepResult, interpreter: Interpreter, format: TraceFormat)
    {
        if let error = result.error { printError("error: \(error)") }
        switch format {
        case .json:
            print(interpreter.traceLine(after: event))
        case .text:
            let name = event?.name ?? "(start)"
            let state =
                interpreter.isFinished
                ? "finished in \(interpreter.finalStateID ?? "?")"
                : interpreter.configurationIDs.joined(separator: ", ")
            print("\(name) -> \(state)")
        }
    }
}

/// Lines of standard input, read with `read(2)` so that waiting for the next line can be
/// bounded (`poll(2)`): the wall-clock run fires timers while nobody types.
final class InputLines {
    enum Next {
        case line(String)
        case timeout
        case end
    }

    private var buffer: [UInt8] = []
    private var atEnd = false

    /// The next line (without its newline); `.timeout` when `waitingAtMost` nanoseconds passed
    /// first (nil: wait as long as it takes); `.end` at the end of input.
    func next(waitingAtMost wait: Int64?) -> Next {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            if atEnd {
                guard !buffer.isEmpty else { return .end }
                defer { buffer.removeAll() }
                return .line(String(decoding: buffer, as: UTF8.self))
            }
            // Whoever reads the output through a pipe sees each line before we wait.
            fflush(nil)
            if let wait {
                var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(clamping: (wait + 999_999) / 1_000_000)
                let ready = poll(&descriptor, 1, milliseconds)
                if ready == 0 { return .timeout }
                if ready < 0, errno == EINTR { continue }
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(0, &chunk, chunk.count)
            if n > 0 {
                buffer += chunk[..<n]
            } else if n < 0, errno == EINTR {
                continue
            } else {
                atEnd = true
            }
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        let bytes = Array(string.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
