import Foundation
import SwitchyardCore
import SwitchyardSCXML
import Testing

/// Each `Golden/NAME.scxml` is loaded and its rendered diagnostics compared with
/// `Golden/NAME.scxml.errors`. Set `SWITCHYARD_REGENERATE_GOLDEN=1` to rewrite the expected files
/// (then review the diff); without it the test only compares.
@Suite struct GoldenDiagnosticsTests {
    static let names: [String] = {
        let files =
            (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.goldenDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".scxml") }.sorted()
    }()

    /// Loads a golden document under its bare file name so the output has no machine paths.
    static func render(_ name: String) throws -> String {
        let url = TestPaths.goldenDirectory.appendingPathComponent(name)
        let bytes = [UInt8](try Data(contentsOf: url))
        let loader = SCXMLLoader(options: LoaderOptions(baseDirectory: TestPaths.goldenDirectory.path))
        do {
            let loaded = try loader.load(bytes: bytes, file: name)
            return loaded.warnings.map(\.rendered).joined(separator: "\n") + "\n"
        } catch {
            return error.description + "\n"
        }
    }

    @Test func goldenFilesExist() {
        #expect(Self.names.count >= 25)
    }

    @Test(arguments: names)
    func diagnosticsMatchGolden(_ name: String) throws {
        let actual = try Self.render(name)
        let expectedURL = TestPaths.goldenDirectory.appendingPathComponent(name + ".errors")
        if ProcessInfo.processInfo.environment["SWITCHYARD_REGENERATE_GOLDEN"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(name): rendered diagnostics differ from \(name).errors")
    }
}
