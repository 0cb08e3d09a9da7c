public import Foundation

/// Where the repository and the files beside it are, for tests that read them.
public enum RepositoryPaths {
    /// The repository root (for `machines/`, `Examples/` and fixtures).
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// `../shared/w3c-scxml` beside the repository: the W3C conformance suite (read from there,
    /// never copied in).
    public static var w3cSuite: String { root.deletingLastPathComponent().path + "/shared/w3c-scxml" }

    /// Whether the W3C suite is present; tests that need it are skipped with
    /// ``w3cSkipReason`` through the test framework when it is not.
    public static var w3cAvailable: Bool { FileManager.default.fileExists(atPath: w3cSuite + "/ecma") }

    /// Why W3C tests are skipped when the suite is absent.
    public static let w3cSkipReason =
        "../shared/w3c-scxml is not present beside the repository; W3C tests skipped"
}
