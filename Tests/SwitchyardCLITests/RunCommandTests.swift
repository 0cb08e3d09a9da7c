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
