import ArgumentParser
import Switchyard

/// `switchyard validate FILE...`: loads each document with the SCXML loader and reports every
/// diagnostic. Exit status 0 when every file is valid, 1 otherwise.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check SCXML documents and report every problem with its file, line and column.",
        discussion: """
            Each file is parsed (no network access, no entity expansion) and validated: unknown \
            or misplaced elements and attributes, missing or conflicting attributes, duplicate \
            state ids, unknown or illegal transition targets, history and initial rules, delays, \
            and <script src> files that cannot be read. Every expression is compiled too: one that \
            does not compile is a warning (the document still runs and raises error.execution \
            when it is evaluated, as SCXML requires), or an error with --strict.

            Problems are printed as `path:line:col: error: message` followed by the source line \
            and a caret. A valid file prints `path: OK` (with a warning count when it has \
            warnings). The exit status is 0 when every file is valid and 1 otherwise.

            Example:
              $ switchyard validate machines/order.scxml machines/broken.scxml
              machines/order.scxml: OK
              machines/broken.scxml:7:35: error: transition target 'ghost' does not exist
                  <transition event="t" target="ghost"/>
                                                ^
              machines/broken.scxml: FAILED, 1 error
            """
    )

    @Argument(help: "The SCXML files to validate.")
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print only errors: no OK lines, warnings or summaries.")
    var quiet = false

    @Flag(help: "Treat expressions that do not compile as errors.")
    var strict = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one SCXML file.") }
    }

    func run() throws {
        let loader = SCXMLLoader()
        var allValid = true
        for file in files {
            do throws(DiagnosticList) {
                let loaded = try loader.load(path: file)
                let definition: MachineDefinition
                do {
                    definition = try MachineDefinition.compile(
                        loaded.document, options: MachineCompileOptions(strict: strict),
                        warnings: loaded.warnings, routing: RuleSetRouting())
                } catch {
                    throw DiagnosticList(SourceLines.attach(error.diagnostics, file: file))
                }
                if quiet { continue }
                let warnings = SourceLines.attach(definition.warnings, file: file)
                for warning in warnings { print(warning.rendered) }
                let count = warnings.count
                print(count == 0 ? "\(file): OK" : "\(file): OK, \(Self.plural(count, "warning"))")
            } catch {
                allValid = false
                let shown = quiet ? error.errors : error.diagnostics
                for diagnostic in shown { print(diagnostic.rendered) }
                if !quiet {
                    let errors = error.errors.count
                    let warnings = error.diagnostics.count - errors
                    var summary = "\(file): FAILED, \(Self.plural(errors, "error"))"
                    if warnings > 0 { summary += ", \(Self.plural(warnings, "warning"))" }
                    print(summary)
                }
            }
        }
        if !allValid { throw ExitCode(1) }
    }

    static func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }
}
