import Foundation
import SwitchyardTestSupport
import Testing

/// Runs the built `DocumentRouter` example and checks its exact output.
@Suite struct DocumentRouterTests {
    static var testsDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
    static var repositoryRoot: URL { testsDirectory.deletingLastPathComponent().deletingLastPathComponent() }

    static func run(_ arguments: [String], cwd: URL) throws -> ProcessResult {
        try Products.run("DocumentRouter", arguments, cwd: cwd)
    }

    @Test func routesTheShippedDocuments() throws {
        let r = try Self.run([], cwd: Self.repositoryRoot)
        let expected = try String(
            contentsOf: Self.testsDirectory.appendingPathComponent("expected-output.txt"), encoding: .utf8)
        #expect(r.stdout == expected)
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(
            r.stdout.contains(
                "9 documents routed with rule set 'document_routing'\n  financial_processing: 3\n"))
    }

    @Test func folderArgumentAndUnreadableDocuments() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("router-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"documentType":"legal","keywords":[],"amount":1}"#.write(
            to: dir.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try "{broken".write(to: dir.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
        try "ignored".write(to: dir.appendingPathComponent("c.txt"), atomically: true, encoding: .utf8)
        let r = try Self.run([dir.path], cwd: Self.repositoryRoot)
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "== a.json")
        #expect(lines.dropFirst().first == "decision: matched")
        #expect(lines.contains("== b.json"))
        #expect(lines.contains { $0.hasPrefix("error: cannot read the document: ") })
        #expect(
            lines.suffix(3) == [
                "1 documents routed with rule set 'document_routing', 1 unreadable", "  legal_processing: 1",
                "",
            ])
    }

    @Test func missingFolderIsAnError() throws {
        let r = try Self.run(["/nonexistent/folder"], cwd: Self.repositoryRoot)
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("error: cannot list '/nonexistent/folder'"))
    }
}
