import Foundation
import SwitchyardCore
import SwitchyardSCXML
import Testing

/// Every W3C ECMAScript test document loads without an error, except test301, whose
/// `<script src>` cannot be read and which must therefore be refused.
@Suite struct W3CSuiteTests {
    static var ecmaDirectory: URL {
        TestPaths.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/w3c-scxml/ecma")
    }

    static var available: Bool {
        FileManager.default.fileExists(atPath: ecmaDirectory.path)
    }

    @Test(
        .enabled(
            if: available,
            "../shared/w3c-scxml/ecma is not present beside the repository; skipping the W3C suite")
    )
    func everyECMATestLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.ecmaDirectory.path)
            .filter { $0.hasSuffix(".scxml") }.sorted()
        #expect(files.count >= 200)
        let loader = SCXMLLoader()
        var failures: [String] = []
        for file in files {
            let path = Self.ecmaDirectory.appendingPathComponent(file).path
            do {
                let loaded = try loader.load(path: path)
                for w in loaded.warnings where !w.message.hasPrefix("cannot read data src") {
                    failures.append("\(file): unexpected warning \(w.headline)")
                }
                if file == "test301.scxml" { failures.append("test301.scxml loaded but must be refused") }
            } catch {
                if file != "test301.scxml" { failures.append("\(file):\n\(error.description)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test(.enabled(if: available, "../shared/w3c-scxml/ecma is not present; skipping"))
    func test301IsRefusedAtTheScriptSrc() throws {
        let path = Self.ecmaDirectory.appendingPathComponent("test301.scxml").path
        #expect(throws: DiagnosticList.self) { try SCXMLLoader().load(path: path) }
        do {
            _ = try SCXMLLoader().load(path: path)
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.message.hasPrefix("cannot read script src 'D:\\foo'") == true)
            #expect(error.errors.first?.location.line == 5)
            #expect(error.errors.first?.location.column == 16)
        }
    }
}

enum TestPaths {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
    static var goldenDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }
}

/// Swift Testing also has a `SourceLocation`; the tests mean the model's.
typealias SourceLocation = SwitchyardCore.SourceLocation
