import Foundation
import SwitchyardTestSupport

/// What a `switchyard` run printed and how it ended.
typealias CLIResult = ProcessResult

/// Runs the built `switchyard` executable and captures its output and exit status.
enum CLI {
    /// Runs `switchyard` with the given arguments and optional standard input.
    static func run(
        _ arguments: [String], stdin: String? = nil, cwd: URL? = nil, environment: [String: String] = [:]
    ) throws -> CLIResult {
        try Products.run("switchyard", arguments, stdin: stdin, cwd: cwd, environment: environment)
    }

    /// The repository root (for `machines/` and test fixtures).
    static var repositoryRoot: URL { RepositoryPaths.root }
}
