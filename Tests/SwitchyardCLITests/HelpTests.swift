import Testing

@Suite struct HelpTests {
    @Test func topLevelHelpListsSubcommands() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("validate"))
        #expect(result.stdout.contains("eval"))
    }
}
