import Foundation
import Switchyard
import Testing

/// Each `Golden/NAME.rules.xml` is loaded and its rendered diagnostics (errors, or the warnings
/// of a valid file) compared with `Golden/NAME.rules.xml.errors`. Set
/// `SWITCHYARD_REGENERATE_GOLDEN=1` to rewrite the expected files, then review the diff.
@Suite struct RuleSetGoldenDiagnosticsTests {
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.golden.path)) ?? []
        return files.filter { $0.hasSuffix(".rules.xml") }.sorted()
    }()

    static func render(_ name: String) throws -> String {
        let bytes = [UInt8](try Data(contentsOf: TestPaths.golden.appendingPathComponent(name)))
        do {
            let set = try RuleSet.load(bytes: bytes, file: name)
            return set.warnings.map(\.rendered).joined(separator: "\n") + "\n"
        } catch {
            return error.description + "\n"
        }
    }

    @Test func goldenFilesExist() { #expect(Self.names.count >= 9) }

    @Test(arguments: names)
    func diagnosticsMatchGolden(_ name: String) throws {
        let actual = try Self.render(name)
        let url = TestPaths.golden.appendingPathComponent(name + ".errors")
        if TestPaths.regenerate { try actual.write(to: url, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name): rendered diagnostics differ from \(name).errors")
    }
}
