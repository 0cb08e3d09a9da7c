import ArgumentParser
import Switchyard
import SwitchyardConformance
import SwitchyardServer
import Synchronization

#if canImport(Dispatch)
    import Dispatch
#endif

#if canImport(Glibc)
    import Glibc
#endif

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run W3C SCXML conformance tests.",
        discussion: """
            Runs every testNNN.scxml in each directory (default: ../shared/w3c-scxml/ecma and \
            ../shared/w3c-scxml/null). A test passes when the top-level session stops in the final \
            state 'pass'. Delayed events run on a manual clock, so the suite takes no wall time. \
            Prints one line per test (PASS testNNN, FAIL testNNN <reason>, SKIP testNNN <reason>) \
            and a summary; exits 1 when a test fails. The Basic HTTP Event I/O Processor tests \
            (201, 509, 510, 518-522, 531-534, 567, 577) POST real requests to a receiver this \
            command starts on a loopback port; --no-http skips them.

            Example:
              switchyard conformance ../shared/w3c-scxml/ecma
            """
    )

    @Argument(help: "Directories holding testNNN.scxml files.")
    var directories: [String] = []

    @Flag(name: .shortAndLong, help: "Print only failures and the summary.")
    var quiet = false

    @Flag(name: .customLong("no-http"), help: "Skip the Basic HTTP tests (no loopback receiver).")
    var noHTTP = false

    func run() throws {
        let dirs =
            directories.isEmpty ? ["../shared/w3c-scxml/ecma", "../shared/w3c-scxml/null"] : directories
        for dir in dirs where opendir(dir).map({ closedir($0) }) == nil {
            throw ValidationError("no such directory: \(dir)")
        }
        var runner = ConformanceRunner()
        let loopback = noHTTP ? nil : try Self.startLoopback()
        defer { loopback?.stop() }
        runner.basicHTTP = loopback
        let results = runner.run(directories: dirs) { result in
            if !quiet || { if case .fail = result.outcome { return true } else { return false } }() {
                print(result.line)
            }
        }
        print(ConformanceRunner.summary(results))
        if results.contains(where: { if case .fail = $0.outcome { true } else { false } }) {
            throw ExitCode(1)
        }
    }

    /// Starts the Basic HTTP receiver on loopback, waiting on this (non-pool) thread.
    static func startLoopback() throws -> BasicHTTPLoopback {
        let outcome = Mutex<Result<BasicHTTPLoopback, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let loopback = try await BasicHTTPLoopback.start()
                outcome.withLock { $0 = .success(loopback) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .success(let loopback): return loopback
        case .failure(let error): throw ValidationError("cannot start the Basic HTTP receiver: \(error)")
        case nil: throw ValidationError("cannot start the Basic HTTP receiver")
        }
    }
}
