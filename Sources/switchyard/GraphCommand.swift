import ArgumentParser
import Switchyard

/// `switchyard graph FILE [--format dot|mermaid]`: prints the statechart as Graphviz DOT or a
/// Mermaid state diagram. The drawing itself is ``StatechartGraph`` in the library.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a statechart as Graphviz DOT or a Mermaid state diagram.",
        discussion: """
            Loads and validates FILE like `switchyard validate` and prints the drawing on \
            standard output, in document order (the same file always gives the same text). \
            Compound states are clusters; parallel states are dashed clusters labelled \
            "(parallel)"; a small point marks each initial state; final states are double \
            circles; history states are circles labelled H (shallow) or H* (deep). Edges are \
            labelled `event [cond]`; eventless transitions read "(eventless)", internal ones end \
            in "(internal)" and are dashed, targetless ones are dotted self-loops ending in \
            "(targetless)"; a transition with several targets splits at a junction point.

            The tool only writes text: render DOT with Graphviz (Debian package `graphviz`) and \
            Mermaid with any Mermaid viewer. When FILE cannot be read or is not valid, the \
            diagnostics are printed on standard error as path:line:col: error: message with a \
            caret, and the exit status is 1.

            Examples:
              switchyard graph machines/document_approval.scxml | dot -Tsvg -o approval.svg
              switchyard graph machines/document_approval.scxml --format mermaid
            """
    )

    @Argument(help: "The SCXML file to draw.")
    var file: String

    @Option(name: .shortAndLong, help: "Output format: dot (Graphviz, default) or mermaid.")
    var format: Format = .dot

    enum Format: String, ExpressibleByArgument {
        case dot
        case mermaid
    }

    func run() throws {
        let definition: MachineDefinition
        do throws(DiagnosticList) {
            let loaded = try SCXMLLoader().load(path: file)
            do {
                definition = try MachineDefinition.compile(loaded.document, warnings: loaded.warnings)
            } catch {
                throw DiagnosticList(SourceLines.attach(error.diagnostics, file: file))
            }
        } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.rendered) }
            throw ExitCode(1)
        }
        for warning in SourceLines.attach(definition.warnings, file: file) { printError(warning.rendered) }
        print(StatechartGraph(definition).render(format == .dot ? .dot : .mermaid), terminator: "")
    }
}
