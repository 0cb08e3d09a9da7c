import Foundation

enum TestPaths {
    static var testsDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
    static var samples: URL { testsDirectory.appendingPathComponent("Samples") }
    static var golden: URL { testsDirectory.appendingPathComponent("Golden") }
    static var repositoryRoot: URL {
        testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    }
    static var regenerate: Bool { ProcessInfo.processInfo.environment["SWITCHYARD_REGENERATE_GOLDEN"] == "1" }
}
