import ArgumentParser
import Switchyard
import SwitchyardConformance

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
            and a summary; exits 1 when a test fails.

            Example:
              switchyard conformance ../shared/w3c-scxml/ecma
            """
    )

    @Argument(help: "Directories holding testNNN.scxml files.")
    var directories: [String] = []

    @Flag(name: .shortAndLong, help: "Print only failures and the summary.")
    var quiet = false

    func run() throws {
        let dirs =
            directories.isEmpty ? ["../shared/w3c-scxml/ecma", "../shared/w3c-scxml/null"] : directories
        for dir in dirs where opendir(dir).map({ closedir($0) }) == nil {
            throw ValidationError("no such directory: \(dir)")
        }
        let results = ConformanceRunner().run(directories: dirs) { result in
            if !quiet || { if case .fail = result.outcome { return true } else { return false } }() {
                print(result.line)
            }
        }
        print(ConformanceRunner.summary(results))
        if results.contains(where: { if case .fail = $0.outcome { true } else { false } }) {
            throw ExitCode(1)
        }
    }
}
