import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// The README's "Durable instances" snippet, kept compiling and true (a temporary database and
/// the repository's `machines/` folder in place of the relative paths).
@Suite struct ReadmeStoreSnippetTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func snippetRunsAndSurvivesARestart() async throws {
        let path = temporaryDirectory() + "/approvals.sqlite"
        let machinePath = Self.repository + "/machines/document_approval.scxml"
        do {
            let store = try SQLiteStore(path: path)  // one file, WAL mode
            let engine = Engine(store: store)  // clock: WallClock()
            try engine.register(try MachineDefinition.load(path: machinePath), as: "approval")
            try engine.registerAction("assign_reviewer") { _, context in
                try context.setValue(.string("ana"), for: "reviewer")
            }
            let report = try await engine.recover()  // always, before starting or sending
            #expect(report.instances == 0)

            try await engine.start("approval", id: "doc-42", data: [NamedValue("amount", .number(12_000))])
            let receipt = try await engine.deliverAndWait(Event("submit"), to: "doc-42", eventID: "req-7")
            #expect(!receipt.duplicate)
            #expect(
                try await engine.deliverAndWait(Event("submit"), to: "doc-42", eventID: "req-7").duplicate)
            await engine.shutdown()
        }
        let store = try SQLiteStore(path: path)
        let engine = Engine(store: store)
        try engine.register(try MachineDefinition.load(path: machinePath), as: "approval")
        try engine.registerAction("assign_reviewer") { _, context in
            try context.setValue(.string("ana"), for: "reviewer")
        }
        let report = try await engine.recover()
        #expect(report.instances == 1)
        let s = try #require(await engine.snapshot("doc-42"))
        #expect(s.isActive("in_review"))
        #expect(s.value(of: "reviewer") == .string("ana"))
        #expect(s.pendingTimers.count == 2)  // the 24h and 72h review timeouts
        await engine.shutdown()
    }
}
