import Testing

@Suite struct HelpTests {
    @Test func topLevelHelpListsSubcommands() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        for command in ["validate", "run", "conformance", "eval", "route", "graph"] {
            #expect(result.stdout.contains("  \(command) "), "missing \(command)")
        }
    }

    /// Every command's `--help` has its options, a discussion and at least one example line
    /// that invokes the command itself.
    @Test(arguments: [
        ("validate", ["<files>", "--quiet", "--strict"]),
        (
            "run",
            [
                "<file>", "--events", "--data", "--trace", "--clock", "--db", "--id", "--activities",
                "advance 24h",
                "--db approvals.sqlite",
            ]
        ),
        ("conformance", ["<directories>", "--quiet"]),
        ("eval", ["<expression>", "--data", "--script", "--result", "--max-steps"]),
        ("route", ["<rules>", "--input", "--explain"]),
        ("graph", ["<file>", "--format"]),
    ])
    func commandHelpIsComplete(command: String, options: [String]) throws {
        let result = try CLI.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let text = result.stdout
        #expect(text.contains("OVERVIEW: "))
        #expect(text.contains("USAGE: switchyard \(command)"))
        #expect(text.contains("Example"), "\(command) --help has no example")
        #expect(text.contains("switchyard \(command) "), "\(command) --help example does not run the command")
        for option in options {
            #expect(text.contains(option), "\(command) --help does not mention \(option)")
        }
        // Every option line has a help text (no bare `--flag` lines).
        let optionLines = text.split(separator: "\n").filter { $0.hasPrefix("  -") }
        for line in optionLines where !line.contains("--help") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(words.count > 2, "option without help: \(line)")
        }
    }
}
