import Foundation
import Testing

/// The machines shipped in `machines/` validate cleanly with the CLI, as the README promises
/// (`switchyard validate machines/*.scxml`).
@Suite struct ShippedMachinesTests {
    static var machineFiles: [String] {
        let dir = CLI.repositoryRoot.appendingPathComponent("machines")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".scxml") }.sorted().map { "machines/" + $0 }
    }

    @Test func everyShippedMachineValidatesWithoutErrors() throws {
        let files = Self.machineFiles
        #expect(files.contains("machines/document_approval.scxml"))
        #expect(files.contains("machines/order_saga.scxml"))
        let result = try CLI.run(["validate"] + files, cwd: CLI.repositoryRoot)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr == "")
        // One `path: OK` line per file (warnings would be listed before it and change the line).
        #expect(result.stdout.split(separator: "\n").filter { $0.hasSuffix(": OK") }.count == files.count)
        #expect(!result.stdout.contains("error:"))
    }

    @Test func approvalMachineRunsFromTheCommandLine() throws {
        // Without a registered `assign_reviewer` the action is a no-op; timers fire after the
        // listed events, so the 24h escalation and the 72h auto-reject both show.
        let result = try CLI.run(
            ["run", "machines/document_approval.scxml", "--events", "submit"], cwd: CLI.repositoryRoot)
        #expect(
            result.stdout == """
                (start) -> open, draft
                submit -> open, in_review, awaiting_reviewer
                timeout.awaiting_reviewer -> open, in_review, escalated
                timeout.in_review -> finished in rejected

                """)
        #expect(result.status == 0)
    }
}
