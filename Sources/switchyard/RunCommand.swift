import ArgumentParser
import Switchyard

#if canImport(Glibc)
    import Glibc
#endif

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a machine on a list of events, or interactively.",
        discussion: """
            Starts FILE, then feeds it the events given with --events (comma-separated names), \
            processing each to completion. Delayed events fire on a manual clock once the listed \
            events are consumed. With --trace json it prints one JSON line after start ("event": \
            null) and one after every external event's macrostep:
              {"event":"submit","configuration":["review","waiting"],"data":{"amount":5}}
            The configuration lists every active state (atomic, compound and parallel) in document \
            order.

            Without --events it reads commands from standard input, one per line:
              NAME [JSON]     send event NAME with optional JSON data
              advance 24h     move the manual clock forward and fire due timers
              quit            stop

            Exit status: 0 after the run (a macrostep error is printed on standard error and \
            the run goes on), 1 when FILE cannot be loaded (its diagnostics are printed as \
            path:line:col: error: message), 64 for bad options such as --data that is not a JSON \
            object.

            Examples:
              switchyard run machines/document_approval.scxml \\
                  --events submit,approve --trace json
              echo 'submit {"amount": 12000}' | \\
                  switchyard run machines/document_approval.scxml
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

    enum TraceFormat: String, ExpressibleByArgument {
        case text
        case json
    }

    func run() throws {
        let definition: MachineDefinition
        do {
            definition = try MachineDefinition.load(path: file)
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
        for w in definition.warnings { printError(w.rendered) }
        var initial: [NamedValue] = []
        if let data {
            let value: Value
            do {
                value = try Value.parseJSON(data)
            } catch {
                throw ValidationError("--data is not valid JSON: \(error)")
            }
            guard case .object(let object) = value else {
                throw ValidationError("--data must be a JSON object")
            }
            for key in object.propertyNames { initial.append(NamedValue(key, object[key] ?? .undefined)) }
        }
        let clock = ManualClock()
        let driver = SessionDriver(
            definition: definition, sessionID: "run", data: initial, clock: clock,
            loader: SCXMLLoader().documentLoader, parser: SCXMLLoader().documentParser)
        driver.keepLogs = false
        let format = trace
        driver.onLog = { record in
            if format == .text { print("log \(record.label.map { "\($0): " } ?? "")\(record.message)") }
        }
        driver.onTopLevelMacrostep = { event, result, interpreter in
            Self.report(event: event, result: result, interpreter: interpreter, format: format)
        }
        driver.start()
        if let events {
            for name in events.split(separator: ",").map({ String($0).trimmingWhitespace() })
            where !name.isEmpty {
                driver.enqueue(Event(name))
                driver.runUntilIdle()
            }
            driver.runToCompletion()
            return
        }
        while let line = readLine() {
            let text = line.trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            if text == "quit" || text == "exit" { break }
            if text.hasPrefix("advance ") {
                guard let d = DelaySpec.parse(String(text.dropFirst(8))) else {
                    printError("error: '\(text.dropFirst(8))' is not a duration (e.g. 30s, 5m, 24h)")
                    continue
                }
                clock.advance(by: d)
                driver.fireDueTimers()
                continue
            }
            let parts = text.split(separator: " ", maxSplits: 1)
            var payload: Value = .undefined
            if parts.count == 2 {
                do {
                    payload = try Value.parseJSON(String(parts[1]))
                } catch {
                    printError("error: event data is not valid JSON: \(error)")
                    continue
                }
            }
            driver.enqueue(Event(String(parts[0]), data: payload))
            driver.runUntilIdle()
            if driver.isFinished { break }
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
