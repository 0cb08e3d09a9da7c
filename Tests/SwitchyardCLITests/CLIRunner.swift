import Foundation

/// Runs the built `switchyard` executable and captures its output and exit status.
struct CLIResult {
    var stdout: String
    var stderr: String
    var status: Int32
}

enum CLI {
    /// The directory holding the built products (`.build/debug` during `swift test`).
    static var productsDirectory: URL {
        Bundle.main.bundleURL
    }

    /// Runs `switchyard` with the given arguments and optional standard input.
    static func run(_ arguments: [String], stdin: String? = nil, cwd: URL? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("switchyard")
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            status: process.terminationStatus
        )
    }

    /// The repository root (for `machines/` and test fixtures).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
