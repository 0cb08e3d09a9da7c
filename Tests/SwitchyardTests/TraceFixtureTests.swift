import Switchyard
import SwitchyardTestSupport
import Testing

/// Data-driven trace tests: every `Traces/X.scxml` runs with the events of `X.events` (one
/// `name [json]` per line) on a manual clock, and the `--trace json` lines must equal `X.trace`.
/// Delayed events fire once the listed events are consumed. Set `SWITCHYARD_REGENERATE=1` to
/// rewrite the expected files after an intended change (then review the diff).
@Suite struct TraceFixtureTests {
    static let directory =
        String(#filePath).split(separator: "/").dropLast().map(String.init)
        .reduce("") { $0 + "/" + $1 } + "/Traces"

    static func names() -> [String] {
        ["order", "order_expired"]
    }

    static func trace(machine: String, events: String) throws -> String {
        let definition = try MachineDefinition.load(path: machine)
        let driver = InstanceRunner(definition: definition, sessionID: "trace", clock: ManualClock())
        var lines: [String] = []
        driver.onMacrostep = { event, _, interpreter in
            lines.append(interpreter.traceLine(after: event))
        }
        driver.start()
        for line in events.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let name = parts.first else { continue }
            let data = parts.count > 1 ? try Value.parseJSON(String(parts[1])) : .undefined
            driver.enqueue(Event(String(name), data: data))
            driver.runUntilIdle()
        }
        driver.runToCompletion()
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: names())
    func traceMatches(name: String) throws {
        let base = Self.directory + "/" + name
        let actual = try Self.trace(machine: base + ".scxml", events: try readText(base + ".events"))
        if regenerating() {
            try writeText(base + ".trace", actual)
            return
        }
        let expected = try readText(base + ".trace")
        #expect(actual == expected)
    }
}
