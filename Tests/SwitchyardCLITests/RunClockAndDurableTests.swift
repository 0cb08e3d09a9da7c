import Foundation
import SwitchyardTestSupport
import Testing

/// `run --clock wall` (delays in real time, also while waiting for input) and `run --db`
/// (durable runs that resume), by exact output and exit status.
@Suite struct RunClockAndDurableTests {
    /// A ticket waits 24 hours for an answer, then escalates.
    static let ticket = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript" initial="idle" name="ticket">
          <datamodel><data id="opened" expr="0"/></datamodel>
          <state id="idle">
            <transition event="open" target="waiting"><assign location="opened" expr="opened + 1"/></transition>
          </state>
          <state id="waiting" sy:timeout="24h">
            <transition event="timeout.waiting" target="escalated"/>
            <transition event="answer" target="done"/>
          </state>
          <state id="escalated"><transition event="answer" target="done"/></state>
          <final id="done"/>
        </scxml>
        """

    /// `go` schedules `ping` 300 ms later; `ping` ends the machine.
    static let pinger = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="a" name="pinger">
          <state id="a"><transition event="go" target="b"><send event="ping" delay="300ms"/></transition></state>
          <state id="b"><transition event="ping" target="c"/></state>
          <final id="c"/>
        </scxml>
        """

    func workspace() throws -> (dir: String, ticket: String, pinger: String, db: String) {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-run-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.ticket.write(toFile: dir + "/ticket.scxml", atomically: true, encoding: .utf8)
        try Self.pinger.write(toFile: dir + "/pinger.scxml", atomically: true, encoding: .utf8)
        return (dir, dir + "/ticket.scxml", dir + "/pinger.scxml", dir + "/run.sqlite")
    }

    // MARK: --db

    @Test func durableRunResumesAcrossInvocationsAndTheTimerFiresAfterAdvance() throws {
        let w = try workspace()
        var r = try CLI.run(["run", w.ticket, "--db", w.db, "--id", "t-1", "--events", "open"])
        #expect(r.stderr == "")
        #expect(r.status == 0)
        // The manual clock does not jump ahead at the end: the 24h timer stays stored.
        #expect(r.stdout == "(start) -> idle\nopen -> waiting\n")

        r = try CLI.run(["instances", "--db", w.db])
        #expect(r.stdout == "t-1  ticket v1  running  2 records\n")

        // The second invocation resumes t-1; the timer fires once the clock passes 24h.
        r = try CLI.run(
            ["run", w.ticket, "--db", w.db, "--id", "t-1"], stdin: "advance 23h\nadvance 1h\nanswer\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(
            r.stdout == "(resumed) -> waiting\ntimeout.waiting -> escalated\nanswer -> finished in done\n")

        r = try CLI.run(["instances", "--db", w.db])
        #expect(r.stdout == "t-1  ticket v1  finished in done  4 records\n")

        // A finished instance is started afresh; the default id is the machine's name.
        r = try CLI.run(["run", w.ticket, "--db", w.db, "--events", "open", "--trace", "json"])
        #expect(r.status == 0)
        #expect(
            r.stdout == """
                {"event":null,"configuration":["idle"],"data":{"opened":0}}
                {"event":"open","configuration":["waiting"],"data":{"opened":1}}

                """)
        r = try CLI.run(
            ["run", w.ticket, "--db", w.db, "--trace", "json", "--data", #"{"opened": 7}"#],
            stdin: "advance 24h\n")
        #expect(r.status == 0)
        #expect(r.stderr == "note: ticket is already running; --data is ignored\n")
        #expect(
            r.stdout == """
                {"event":null,"resumed":true,"configuration":["waiting"],"data":{"opened":1}}
                {"event":"timeout.waiting","configuration":["escalated"],"data":{"opened":1}}

                """)
        r = try CLI.run(["instances", "--db", w.db])
        #expect(
            r.stdout == "t-1  ticket v1  finished in done  4 records\nticket  ticket v1  running  3 records\n"
        )
    }

    /// The README's durable `run` of the shipped approval machine, verbatim.
    @Test func readmeDurableRunOfTheApprovalMachine() throws {
        let w = try workspace()
        let machine = CLI.repositoryRoot.appendingPathComponent("machines/document_approval.scxml").path
        var r = try CLI.run(["run", machine, "--db", w.db, "--id", "doc-7", "--events", "submit"])
        #expect(r.status == 0)
        #expect(r.stdout == "(start) -> open, draft\nsubmit -> open, in_review, awaiting_reviewer\n")
        r = try CLI.run(["run", machine, "--db", w.db, "--id", "doc-7"], stdin: "advance 24h\napprove\n")
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(
            r.stdout == """
                (resumed) -> open, in_review, awaiting_reviewer
                timeout.awaiting_reviewer -> open, in_review, escalated
                approve -> finished in approved

                """)
        let readme =
            (try? String(contentsOf: CLI.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8))
            ?? ""
        let shown = r.stdout.split(separator: "\n").map { "# \($0)\n" }.joined()
        #expect(readme.contains(shown), "README shows other output for `run --db`")
    }

    @Test func durableRunErrors() throws {
        let w = try workspace()
        var r = try CLI.run(["run", w.ticket, "--id", "x", "--events", "open"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--id needs --db"))

        _ = FileManager.default.createFile(atPath: w.db, contents: Data())
        r = try CLI.run(["run", w.ticket, "--db", w.db, "--events", "open"])
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("error: \(w.db) exists but is empty"))

        r = try CLI.run(["run", w.dir + "/missing.scxml", "--db", w.dir + "/other.sqlite"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("\(w.dir)/missing.scxml:1:1: error: cannot read the document"))

        // Bad lines are reported and the run goes on; the wall clock refuses `advance`.
        r = try CLI.run(
            ["run", w.ticket, "--db", w.dir + "/third.sqlite", "--clock", "wall"],
            stdin: "open {oops\nadvance 1h\nadvance soon\nopen\n")
        #expect(r.status == 0)
        #expect(r.stdout == "(start) -> idle\nopen -> waiting\n")
        #expect(
            r.stderr.split(separator: "\n").map(String.init) == [
                "error: event data is not valid JSON: 1:2: syntax error: JSON: expected property name",
                "error: `advance` needs --clock manual (the wall clock moves by itself)",
                "error: 'soon' is not a duration (e.g. 30s, 5m, 24h)",
            ])
    }

    // MARK: --clock wall

    @Test func wallClockFiresDelaysInRealTimeAfterTheEvents() throws {
        let w = try workspace()
        let began = Date()
        let r = try CLI.run(["run", w.pinger, "--clock", "wall", "--events", "go"])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout == "(start) -> a\ngo -> b\nping -> finished in c\n")
        #expect(Date().timeIntervalSince(began) >= 0.3)
    }

    /// `advance` is refused; at the end of input the run waits for the pending delay.
    @Test func wallClockRefusesAdvanceAndWaitsAtTheEndOfInput() throws {
        let w = try workspace()
        let r = try CLI.run(["run", w.pinger, "--clock", "wall"], stdin: "go\nadvance 24h\n")
        #expect(r.status == 0)
        #expect(r.stdout == "(start) -> a\ngo -> b\nping -> finished in c\n")
        #expect(r.stderr == "error: `advance` needs --clock manual (the wall clock moves by itself)\n")
    }

    /// The timer fires while `run` waits for the next line: standard input stays open until the
    /// `ping` line has been read from the output.
    @Test(arguments: [false, true])
    func wallClockFiresWhileWaitingForInput(durable: Bool) throws {
        let w = try workspace()
        var arguments = ["run", w.pinger, "--clock", "wall"]
        if durable { arguments += ["--db", w.db] }
        let process = Process()
        process.executableURL = Products.directory.appendingPathComponent("switchyard")
        process.arguments = arguments
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("go\n".utf8))
        // A watchdog: if `run` never prints the ping, end it so the test fails instead of hanging.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: watchdog)
        defer { watchdog.cancel() }
        var text = ""
        while !text.contains("ping") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        // Only now is the input closed: the ping above was fired while `run` waited for a line.
        try input.fileHandleForWriting.close()
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text == "(start) -> a\ngo -> b\nping -> finished in c\n")
    }
}
