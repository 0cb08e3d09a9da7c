import Switchyard
import SwitchyardTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Transcript fixtures: `Transcripts/<machine>.transcript` lists commands (`> start {json}`,
/// `> EVENT {json}`, `> advance 24h`) for one instance of `machines/<machine>.scxml` in an engine
/// on a manual clock; after each command the file holds what happened, indented: every
/// microstep (`[event] transitions | exit ... | enter ...`), the configuration, the data model
/// variables that changed (arrays that grew show only the appended elements), the pending
/// timers when they changed, and events that were dead-lettered. The test replays the commands and compares the whole file.
/// `SWITCHYARD_REGENERATE=1 swift test` rewrites the expected lines; review the diff.
@Suite struct MachineTranscriptTests {
    static let directory =
        "/" + String(#filePath).split(separator: "/").dropLast().joined(separator: "/") + "/Transcripts"

    @Test(arguments: ["document_approval"])
    func transcriptMatches(machine: String) async throws {
        let path = Self.directory + "/" + machine + ".transcript"
        let expected = try readText(path)
        let actual = try await Self.replay(machine: machine, transcript: expected)
        if getenv("SWITCHYARD_REGENERATE") != nil {
            try writeText(path, actual)
            return
        }
        #expect(actual == expected)
    }

    /// Runs the commands of `transcript` and returns the transcript with fresh results.
    static func replay(machine: String, transcript: String) async throws -> String {
        let clock = ManualClock()
        let engine = Engine(clock: clock, options: EngineOptions(shards: 1, traceMicrosteps: true))
        let log = EngineLog()
        engine.addListener(log)
        try engine.register(loadShippedMachine(machine), as: machine)
        let people = ["reviewer": "rita", "manager": "mona", "legal": "lee", "finance": "fay"]
        try engine.registerAction("assign_reviewer") { action, context in
            guard case .string(let role)? = action.param("role"), let person = people[role] else {
                throw CustomActionError("no one for this role")
            }
            var assignees = JSObject()
            if case .object(let o)? = context.value(of: "assignees") { assignees = o }
            assignees[role] = .string(person)
            try context.setValue(.object(assignees), for: "assignees")
        }
        let id = "doc"
        var out: [String] = []
        var data: [NamedValue] = []
        var timers: [String] = []
        var deadLetters = 0
        for line in transcript.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(">") || line.hasPrefix("#") || line.isEmpty else { continue }
            out.append(String(line))
            guard line.hasPrefix("> ") else { continue }
            let parts = line.dropFirst(2).split(separator: " ", maxSplits: 1).map(String.init)
            let command = parts[0]
            let argument = parts.count > 1 ? parts[1] : ""
            log.clear()
            switch command {
            case "start":
                var initial: [NamedValue] = []
                if case .object(let o) = try Value.parseJSON(argument.isEmpty ? "{}" : argument) {
                    initial = o.properties.map { NamedValue($0.key, $0.value) }
                }
                try await engine.start(machine, id: id, data: initial, onConflict: .fail)
                await engine.quiesce()
            case "advance":
                guard let d = DelaySpec.parse(argument) else {
                    out.append("  error: bad duration '\(argument)'")
                    continue
                }
                try await engine.advance(by: d)
            default:
                let payload = argument.isEmpty ? Value.undefined : try Value.parseJSON(argument)
                await engine.enqueue(Event(command, data: payload), to: id)
                await engine.quiesce()
            }
            for step in log.microsteps(of: id) {
                var text = "  [\(step.event ?? "start")]"
                if !step.transitions.isEmpty { text += " " + step.transitions.joined(separator: ", ") }
                if !step.exited.isEmpty { text += " | exit " + step.exited.joined(separator: " ") }
                if !step.entered.isEmpty { text += " | enter " + step.entered.joined(separator: " ") }
                out.append(text)
            }
            guard let s = await engine.snapshot(id) else {
                out.append("  (no instance)")
                continue
            }
            switch s.status {
            case .running: out.append("  = " + s.configuration.joined(separator: " "))
            case .finished(let final): out.append("  = finished in \(final ?? "?")")
            case .stopped: out.append("  = stopped")
            }
            for item in s.data {
                let old = data.first { $0.name == item.name }?.value
                // Functions declared by the document's <script> are variables too; skip them.
                guard old != item.value, case .some = item.value.jsonString() else { continue }
                if case .array(let before)? = old, case .array(let after) = item.value,
                    after.count > before.count, Array(after.prefix(before.count)) == before
                {
                    for v in after.dropFirst(before.count) { out.append("  \(item.name) += \(json(v))") }
                } else {
                    out.append("  \(item.name) = \(json(item.value))")
                }
            }
            data = s.data
            let now = s.pendingTimers.map { "\($0.sendID)@\(hours($0.dueNanoseconds))" }
            if now != timers {
                out.append("  timers: " + (now.isEmpty ? "none" : now.joined(separator: " ")))
            }
            timers = now
            let letters = engine.deadLetters
            for letter in letters.dropFirst(deadLetters) {
                out.append("  dead letter: \(letter.event.name) (\(letter.reason))")
            }
            deadLetters = letters.count
        }
        await engine.shutdown()
        return out.joined(separator: "\n")
    }

    static func hours(_ ns: Int64) -> String {
        let seconds = ns / 1_000_000_000
        return seconds % 3600 == 0 ? "\(seconds / 3600)h" : "\(seconds)s"
    }
}
