import Foundation
import Testing

/// Wrong input to `switchyard run` and `switchyard conformance`: exact messages and exit codes,
/// and the interactive session keeps going after a bad line.
@Suite struct RunCommandInputErrorTests {
    let machine = CLI.repositoryRoot.appendingPathComponent("Benchmarks/machines/approval7.scxml").path

    @Test func dataMustBeAnObject() throws {
        let r = try CLI.run(["run", machine, "--data", "[1]"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("Error: --data must be a JSON object\n"))
    }

    @Test func badLinesAreReportedAndTheSessionContinues() throws {
        let r = try CLI.run(["run", machine], stdin: "submit {bad\nadvance 5x\nsubmit\n")
        #expect(r.status == 0)
        #expect(
            r.stderr == """
                error: event data is not valid JSON: 1:2: syntax error: JSON: expected property name
                error: '5x' is not a duration (e.g. 30s, 5m, 24h)

                """)
        #expect(r.stdout == "(start) -> draft\nsubmit -> review\n")
    }

    @Test func advanceFiresDueTimers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-advance-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("timer.scxml")
        try """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="null">
          <state id="waiting">
            <onentry><send event="escalate" delay="24h"/></onentry>
            <transition event="escalate" target="escalated"/>
          </state>
          <state id="escalated"/>
        </scxml>
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", file.path], stdin: "advance 23h\nadvance 1h\n")
        #expect(r.status == 0)
        #expect(r.stdout == "(start) -> waiting\nescalate -> escalated\n")
    }

    @Test func conformanceNeedsAnExistingDirectory() throws {
        let r = try CLI.run(["conformance", "/nonexistent/tests"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("Error: no such directory: /nonexistent/tests\n"))
    }
}
