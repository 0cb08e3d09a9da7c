import ArgumentParser
import Switchyard

/// `switchyard graph FILE [--format dot|mermaid|svg]`: prints the statechart as Graphviz DOT, a
/// Mermaid state diagram or SVG laid out by Graphviz's library. The drawing itself is
/// ``StatechartGraph`` in the library.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a statechart as Graphviz DOT, a Mermaid state diagram or SVG.",
        discussion: """
            Loads and validates FILE like `switchyard validate` and prints the drawing on \
            standard output, in document order (the same file always gives the same text). \
            Compound states are clusters; parallel states are dashed clusters labelled \
            "(parallel)"; a small point marks each initial state; final states are double \
            circles; history states are circles labelled H (shallow) or H* (deep). Edges are \
            labelled `event [cond]`; eventless transitions read "(eventless)", internal ones end \
            in "(internal)" and are dashed, targetless ones are dotted self-loops ending in \
            "(targetless)"; a transition with several targets splits at a junction point.

            `--format svg` lays the DOT drawing out in process with Graphviz's library (libgvc; \
            the `dot` program is not needed) and prints a standalone SVG document in which \
            every state's element carries data-state-id="ID" and a class "state atomic", \
            "compound", "parallel", "final" or "history"; label sizes use Graphviz's built-in \
            font metrics, so the output does not depend on the installed fonts. Render DOT \
            yourself with Graphviz (`dot -Tpng`) and Mermaid with any Mermaid viewer. When FILE \
            cannot be read or is not valid, the diagnostics are printed on standard error as \
            path:line:col: error: message with a caret, and the exit status is 1; so is it when \
            Graphviz cannot produce the SVG (error: Graphviz could not ...).

            Examples:
              switchyard graph machines/document_approval.scxml --format svg > approval.svg
              switchyard graph machines/document_approval.scxml | dot -Tpng -o approval.png
              switchyard graph machines/document_approval.scxml --format mermaid
            """
    )

    @Argument(help: "The SCXML file to draw.")
    var file: String

    @Option(
        name: .shortAndLong,
        help: "Output format: dot (Graphviz, default), mermaid or svg (laid out by Graphviz's library).")
    var format: Format = .dot

    enum Format: String, ExpressibleByArgument {
        case dot
        case mermaid
        case svg
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
        let graph = StatechartGraph(definition)
        switch format {
        case .dot: print(graph.render(.dot), terminator: "")
        case .mermaid: print(graph.render(.mermaid), terminator: "")
        case .svg:
            do {
                print(try graph.renderSVG(), terminator: "")
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
