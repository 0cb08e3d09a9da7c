public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
    /// Everything written to standard output.
    public var stdout: String
    /// Everything written to standard error.
    public var stderr: String
    /// The exit status.
    public var status: Int32
}

/// Runs executables built by this package (the `switchyard` CLI, the examples) as child
/// processes, the way a user does, and captures their output and exit status.
public enum Products {
    /// The directory holding the built products (`.build/debug` during `swift test`).
    public static var directory: URL { Bundle.main.bundleURL }

    /// Runs the product `name` with `arguments`, feeding it `stdin` (then end of input).
    /// `environment` entries are added to (or replace) this process's environment.
    public static func run(
        _ name: String, _ arguments: [String], stdin: String? = nil, cwd: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = directory.appendingPathComponent(name)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Standard error is read on another thread, so a child that fills either pipe cannot
        // block while we wait on the other.
        let errData = ErrorCollector(err.fileHandleForReading)
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = readToEnd(out.fileHandleForReading.fileDescriptor)
        process.waitUntilExit()
        return ProcessResult(
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self),
            status: process.terminationStatus)
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let fd = handle.fileDescriptor
        Thread.detachNewThread { [self] in
            data = readToEnd(fd)
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Reads a descriptor to its end, retrying reads a signal interrupted (a child's SIGCHLD can;
/// `FileHandle.readDataToEndOfFile()` traps on that).
private func readToEnd(_ fd: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            data.append(contentsOf: buffer[0..<n])
        } else if n < 0 && errno == EINTR {
            continue
        } else {
            return data
        }
    }
}
