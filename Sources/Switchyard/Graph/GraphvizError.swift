/// Why Graphviz could not turn a drawing into SVG.
///
/// ``StatechartGraph/renderSVG()`` throws it. The DOT that ``StatechartGraph`` writes is always
/// well formed, so in practice the causes are an installation problem (the Graphviz plugins
/// that lay out graphs or write SVG are missing) or Graphviz running out of memory. `message`
/// is Graphviz's own last error message when it gave one.
public struct GraphvizError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step that failed, in the order they run.
    public enum Stage: String, Sendable, Equatable {
        /// Creating the Graphviz context.
        case context
        /// Reading the DOT text (`agmemread`).
        case parse
        /// Laying the graph out with the `dot` engine (`gvLayout`).
        case layout
        /// Writing the laid-out graph as SVG (`gvRenderData`).
        case render
    }

    /// The step that failed.
    public let stage: Stage
    /// What went wrong: Graphviz's message, or ours when Graphviz gave none.
    public let message: String

    /// An error at `stage` saying `message`.
    public init(stage: Stage, message: String) {
        self.stage = stage
        self.message = message
    }

    /// `Graphviz could not <step>: <message>`, one line.
    public var description: String {
        let step =
            switch stage {
            case .context: "start"
            case .parse: "read the graph"
            case .layout: "lay out the graph"
            case .render: "write SVG"
            }
        return "Graphviz could not \(step): \(message)"
    }
}
