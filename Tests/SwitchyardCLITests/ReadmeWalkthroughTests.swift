import Foundation
import Testing

/// The README walkthrough's commands print exactly what the README shows.
@Suite struct ReadmeWalkthroughTests {
    var readme: String {
        (try? String(contentsOf: CLI.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8))
            ?? ""
    }

    @Test func approvalTimerStep() throws {
        let r = try CLI.run(
            ["run", "machines/document_approval.scxml"],
            stdin: "submit {\"amount\": 2500, \"by\": \"sam\"}\nadvance 24h\napprove {\"by\": \"maria\"}\n",
            cwd: CLI.repositoryRoot)
        #expect(r.status == 0)
        #expect(
            r.stdout
                == "(start) -> open, draft\nsubmit -> open, in_review, awaiting_reviewer\n"
                + "timeout.awaiting_reviewer -> open, in_review, escalated\napprove -> finished in approved\n"
        )
        #expect(readme.contains("```\n" + r.stdout + "```"), "README shows other output for step 3")
    }

    @Test func routingStep() throws {
        let r = try CLI.run(
            [
                "route", "machines/document_routing.rules.xml", "--explain", "--input",
                #"{"documentType":"invoice","keywords":["invoice"],"amount":1200}"#,
            ], cwd: CLI.repositoryRoot)
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("decision: matched\nroute: financial_processing (rule financial)"))
        #expect(readme.contains("```\n" + r.stdout + "```"), "README shows other output for step 4")
    }

    @Test func persistStep() throws {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-walk-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = dir + "/approvals.sqlite"
        var out = ""
        for args in [
            [
                "start", "--db", db, "--machine", "machines/document_approval.scxml", "--id", "doc-42",
                "--data",
                #"{"amount": 12000}"#,
            ],
            [
                "send", "--db", db, "--id", "doc-42", "submit", "--data", #"{"by":"sam"}"#, "--event-id",
                "req-1",
            ],
            [
                "send", "--db", db, "--id", "doc-42", "submit", "--data", #"{"by":"sam"}"#, "--event-id",
                "req-1",
            ],
        ] {
            let r = try CLI.run(args, cwd: CLI.repositoryRoot)
            #expect(r.status == 0)
            out += r.stdout
        }
        let show = try CLI.run(["instances", "--db", db, "show", "doc-42"], cwd: CLI.repositoryRoot)
        let lines = show.stdout.split(separator: "\n").map(String.init)
        out += lines.prefix(2).joined(separator: "\n") + "\n"
        #expect(readme.contains("```\n" + out + "...\n"), "README shows other output for step 6:\n\(out)")
        #expect(lines.contains { $0.hasPrefix("timer sy.timeout.awaiting_reviewer due ") })
    }
}
