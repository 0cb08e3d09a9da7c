import Foundation
import SwitchyardTestSupport
import Testing

/// Runs the built `ApprovalService` example and checks its exact output: the scripted day, the
/// restart on the same database file, the resumed approvals and the overdue escalation.
@Suite struct ApprovalServiceTests {
    static var testsDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
    static var repositoryRoot: URL { testsDirectory.deletingLastPathComponent().deletingLastPathComponent() }

    static func run(_ arguments: [String], cwd: URL = repositoryRoot) throws -> ProcessResult {
        try Products.run("ApprovalService", arguments, cwd: cwd)
    }

    static func expectedOutput() throws -> String {
        try String(contentsOf: testsDirectory.appendingPathComponent("expected-output.txt"), encoding: .utf8)
    }

    @Test func scriptedDayWithRestartMatchesTheExpectedOutput() throws {
        let r = try Self.run([])
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(r.stdout == (try Self.expectedOutput()))
        // The points the example exists to show, spelled out so a changed fixture cannot lose them.
        #expect(
            r.stdout.contains("doc-104: open, in_review, escalated (was: open, in_review, awaiting_reviewer)")
        )
        #expect(
            r.stdout.contains(
                "             audit 2: timeout.awaiting_reviewer, awaiting_reviewer -> escalated, by system\n"
                    + "             assigned: manager = mona\n"))
        #expect(
            r.stdout.contains(
                "doc-103: open, second_review, legal, legal_approved, finance, finance_pending (as before the restart)"
            ))
        #expect(
            r.stdout.contains(
                "doc-103: duplicate of lee-1, already applied before the restart; nothing applied"))
        #expect(
            r.stdout.contains("  3  2026-03-03T10:00:00.000Z  timer timeout.awaiting_reviewer -> escalated\n")
        )
    }

    /// A named database: `--reset` makes a second run identical; without it the used file is
    /// refused (the script needs an empty database), and the file holds the four documents.
    @Test func namedDatabaseResetAndRefusal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "approvals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("approvals.sqlite").path
        let expected = try Self.expectedOutput().replacingOccurrences(
            of: "database: a temporary file\n", with: "database: \(db)\n")

        var r = try Self.run([db])
        #expect(r.status == 0)
        #expect(r.stdout == expected)
        #expect(FileManager.default.fileExists(atPath: db))

        r = try Self.run([db])
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == "error: \(db) already holds instances; run with --reset to start over\n")

        r = try Self.run([db, "--reset"])
        #expect(r.status == 0)
        #expect(r.stdout == expected)
    }

    @Test func badArgumentsAndMissingMachine() throws {
        var r = try Self.run(["--frobnicate"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("error: unexpected argument '--frobnicate'\n\nUSAGE: ApprovalService"))
        r = try Self.run(["--machine", "/nonexistent/approval.scxml"])
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("/nonexistent/approval.scxml:1:1: error: cannot read the document"))
        r = try Self.run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("USAGE: ApprovalService [DATABASE] [--reset] [--machine FILE]\n"))
    }
}
