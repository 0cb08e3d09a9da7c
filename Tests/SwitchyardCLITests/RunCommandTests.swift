import Foundation
import Testing

@Suite struct RunCommandTests {
    let machine = CLI.repositoryRoot.appendingPathComponent("Benchmarks/machines/approval7.scxml").path

    @Test func jsonTraceAfterStartAndEachEvent() throws {
        let r = try CLI.run(["run", machine, "--events", "submit,approve,archive", "--trace", "json"])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(
            r.stdout == """
                {"event":null,"configuration":["draft"],"data":{"amount":5000,"entries":1,"exits":0,"reviews":0}}
                {"event":"submit","configuration":["review"],"data":{"amount":5000,"entries":1,"exits":1,"reviews":1}}
                {"event":"approve","configuration":["approved"],"data":{"amount":5000,"entries":2,"exits":2,"reviews":1}}
                {"event":"archive","configuration":["archived"],"data":{"amount":5000,"entries":3,"exits":3,"reviews":1}}

                """)
    }

    /// `<log>` lines are part of the JSON trace, after the line of the macrostep that logged.
    @Test func jsonTraceKeepsLogLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-log-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("logs.scxml").path
        try """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="a">
          <state id="a">
            <transition event="go" target="b"><log label="moving" expr="'to ' + 'b'"/><log expr="1 + 1"/></transition>
          </state>
          <state id="b"/>
        </scxml>
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", file, "--events", "go", "--trace", "json"])
        #expect(r.status == 0)
        #expect(
            r.stdout == """
                {"event":null,"configuration":["a"],"data":{}}
                {"event":"go","configuration":["b"],"data":{}}
                {"log":{"label":"moving","message":"to b"}}
                {"log":{"label":null,"message":"2"}}

                """)
    }

    @Test func initialDataOverridesDeclarations() throws {
        let r = try CLI.run([
            "run", machine, "--events", "submit,approve", "--data", #"{"amount": 20000}"#, "--trace", "json",
        ])
        #expect(r.status == 0)
        let last = r.stdout.split(separator: "\n").last.map(String.init)
        #expect(
            last
                == #"{"event":"approve","configuration":["secondReview"],"data":{"amount":20000,"entries":1,"exits":2,"reviews":2}}"#
        )
    }

    @Test func textTraceAndStdinCommands() throws {
        let r = try CLI.run(["run", machine], stdin: "submit\nreject\nbogus\nquit\n")
        #expect(r.status == 0)
        #expect(r.stdout == "(start) -> draft\nsubmit -> review\nreject -> rejected\nbogus -> rejected\n")
    }

    @Test func invalidDocumentExitsOneWithDiagnostics() throws {
        let r = try CLI.run(["run", "/nonexistent/machine.scxml", "--events", "a"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("/nonexistent/machine.scxml:1:1: error: cannot read the document"))
    }

    @Test func badDataIsAUsageError() throws {
        let r = try CLI.run(["run", machine, "--data", "[1,"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--data is not valid JSON"))
    }
}
