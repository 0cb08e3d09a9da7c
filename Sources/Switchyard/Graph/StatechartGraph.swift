public import SwitchyardCore

/// Draws a statechart as text for a graph tool: Graphviz DOT or a Mermaid state diagram.
///
/// The drawing follows the document: states, clusters, nodes and edges appear in document order,
/// so the same document always gives byte-for-byte the same text (the golden tests rely on it).
///
/// What is drawn:
/// - an atomic `<state>` is a rounded box; a compound `<state>` is a cluster (a Mermaid
///   composite state) holding its children; a `<parallel>` is a **dashed** cluster whose label
///   ends in `(parallel)` (in Mermaid, its regions are separated by `--`);
/// - every initial configuration is a small filled point with an edge to the initial child (or
///   children); the point is also where edges to and from a compound state attach;
/// - a `<final>` is a double circle (Mermaid: a state with an edge to `[*]`);
/// - a `<history>` is a small circle labelled `H` (shallow) or `H*` (deep), with an edge to its
///   default target;
/// - a transition is an edge labelled `event [cond]`; an eventless one is labelled
///   `(eventless)`, an internal one ends in `(internal)` and is dashed, a targetless one is a
///   dotted self-loop ending in `(targetless)`; a transition with several targets goes to a
///   small junction point, which has an edge to every target.
///
/// DOT and Mermaid are text for other tools. SVG is laid out in process by Graphviz's library
/// (``renderSVG()``), with `data-state-id` on every state's element so a page can highlight the
/// active configuration.
///
/// ```swift
/// let machine = try MachineDefinition.load(path: "machines/document_approval.scxml")
/// print(StatechartGraph(machine).render(.dot))
/// let svg = try StatechartGraph(machine).renderSVG()
/// ```
public struct StatechartGraph: Sendable {
    /// The output formats.
    public enum Format: String, CaseIterable, Sendable {
        /// Graphviz DOT (`digraph`), with clusters for compound and parallel states.
        case dot
        /// A Mermaid `stateDiagram-v2`.
        case mermaid
        /// A standalone SVG document: the DOT drawing laid out by Graphviz's `dot` engine in
        /// process (libgvc; the `dot` program is not needed). Every state's `<g>` carries
        /// `data-state-id` and a `state` class; see ``StatechartGraph/renderSVG()``.
        case svg
    }

    /// The document being drawn.
    public let document: SCXMLDocument
    private let root: GraphNode

    /// Draws `document`. States without an `id` get the ids the machine compiler gives them
    /// (`_state1`, `_state2`, ... in document order).
    public init(_ document: SCXMLDocument) {
        self.document = document
        var counter = 0
        var number = 0
        func convert(_ node: StateNode) -> GraphNode {
            let id: String
            if let given = node.id {
                id = given
            } else {
                counter += 1
                id = "_state\(counter)"
            }
            number += 1
            let serial = number
            let children = node.children.map(convert)
            return GraphNode(node: node, id: id, serial: serial, children: children)
        }
        let children = document.states.map(convert)
        root = GraphNode(
            node: StateNode(kind: .state, id: nil, initial: document.initial), id: "", serial: 0,
            children: children)
    }

    /// Draws the document a compiled machine was built from, as written.
    public init(_ definition: MachineDefinition) {
        self.init(definition.document)
    }

    /// The drawing in `format`, ending with a newline.
    ///
    /// `.dot` and `.mermaid` are plain text and cannot fail. `.svg` runs Graphviz; should that
    /// fail (see ``GraphvizError``), the result is a small SVG document that states the error,
    /// so a page showing it never breaks. Call ``renderSVG()`` to get the error thrown instead.
    public func render(_ format: Format) -> String {
        switch format {
        case .dot:
            var writer = DOTWriter(root: root, name: document.name)
            return writer.write()
        case .mermaid:
            var writer = MermaidWriter(root: root)
            return writer.write()
        case .svg:
            do {
                return try renderSVG()
            } catch {
                return Self.failureSVG(error)
            }
        }
    }

    /// The DOT text ``renderSVG()`` lays out: ``render(_:)``'s DOT with an `id` and a `class`
    /// on every state.
    func markedDOT() -> String {
        var writer = DOTWriter(root: root, name: document.name, marksStates: true)
        return writer.write()
    }

    /// Every state with its position in document order (the `N` of its `state_N` DOT id).
    func statesBySerial() -> [Int: String] {
        var ids: [Int: String] = [:]
        func visit(_ n: GraphNode) {
            ids[n.serial] = n.id
            n.children.forEach(visit)
        }
        root.children.forEach(visit)
        return ids
    }
}

/// A state with the id it is drawn under and its children, converted once.
struct GraphNode: Sendable {
    let node: StateNode
    let id: String
    /// Position in document order (1-based; 0 is the root); used for generated names.
    let serial: Int
    let children: [GraphNode]

    var isCompound: Bool {
        switch node.kind {
        case .state: children.contains { !$0.isHistory }
        case .parallel: true
        default: false
        }
    }

    var isParallel: Bool { node.kind == .parallel }

    var isHistory: Bool {
        if case .history = node.kind { return true }
        return false
    }

    /// Whether `id` names this state or one of its descendants.
    func contains(_ id: String) -> Bool {
        self.id == id || children.contains { $0.contains(id) }
    }

    /// The initial targets of a compound state (or the root): the `<initial>` transition, the
    /// `initial` attribute, or the first child state in document order. Empty for a parallel
    /// state (all children are entered).
    var initialTargets: [String] {
        if isParallel { return [] }
        if let t = node.initialTransition { return t.targets }
        if !node.initial.isEmpty { return node.initial }
        return children.first { !$0.isHistory }.map { [$0.id] } ?? []
    }

    /// `event [cond]` with the markers for eventless, internal and targetless transitions.
    static func label(_ t: Transition) -> String {
        var parts: [String] = []
        parts.append(t.events.isEmpty ? "(eventless)" : t.events.joined(separator: " "))
        if let cond = t.cond { parts.append("[\(cond.text)]") }
        if t.type == .internal && !t.targets.isEmpty { parts.append("(internal)") }
        if t.targets.isEmpty { parts.append("(targetless)") }
        return parts.joined(separator: " ")
    }
}

/// Writes DOT. Node names are namespaced (`s:ID` for states, `i:ID` for initial points, `j:N`
/// for junctions) so no state id can collide with a generated node.
private struct DOTWriter {
    let root: GraphNode
    let name: String?
    var out = ""
    var edges: [String] = []
    var index: [String: GraphNode] = [:]
    var junctions = 0

    /// Whether each state also gets an `id` (`state_N`, N its position in document order) and a
    /// `class` (`state atomic|compound|parallel|final|history`), which Graphviz copies onto the
    /// state's SVG `<g>`; ``StatechartGraph/renderSVG()`` finds the states by that id.
    let marksStates: Bool

    init(root: GraphNode, name: String?, marksStates: Bool = false) {
        self.root = root
        self.name = name
        self.marksStates = marksStates
        func register(_ n: GraphNode) {
            if index[n.id] == nil { index[n.id] = n }
            n.children.forEach(register)
        }
        root.children.forEach(register)
    }

    /// A quoted DOT string: backslashes and quotes escaped, line breaks as `\n`. `&` becomes
    /// `&amp;` because Graphviz decodes HTML entities in every label.
    static func quote(_ s: String) -> String {
        var r = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": r += "\\\\"
            case "\"": r += "\\\""
            case "\n": r += "\\n"
            case "\r": break
            case "\t": r += " "
            case "&": r += "&amp;"
            default: r.unicodeScalars.append(c)
            }
        }
        return r + "\""
    }

    /// The node an edge to or from state `id` attaches to.
    func anchor(_ id: String) -> String {
        guard let n = index[id] else { return Self.quote("s:" + id) }
        return n.isCompound ? Self.quote("i:" + id) : Self.quote("s:" + id)
    }

    mutating func write() -> String {
        out = "digraph \(Self.quote(name ?? "scxml")) {\n"
        out += "  compound=true;\n"
        out += "  fontname=\"Helvetica\";\n"
        out += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        let start = Self.quote("i:")
        out += "  \(start) [shape=point, width=0.15, label=\"\"];\n"
        for target in root.initialTargets { edge(from: "", fromAnchor: start, to: target, attributes: []) }
        for child in root.children { writeState(child, depth: 1) }
        for child in root.children { writeTransitions(child) }
        for e in edges { out += "  " + e + "\n" }
        out += "}\n"
        return out
    }

    /// `, id="state_N", class="state KIND"` for a node, when states are marked.
    func marks(_ n: GraphNode, _ kind: String) -> String {
        marksStates ? ", id=\(Self.quote("state_\(n.serial)")), class=\(Self.quote("state " + kind))" : ""
    }

    mutating func writeState(_ n: GraphNode, depth: Int) {
        let pad = String(repeating: "  ", count: depth)
        let q = Self.quote("s:" + n.id)
        switch n.node.kind {
        case .final:
            out += "\(pad)\(q) [shape=doublecircle, label=\(Self.quote(n.id))\(marks(n, "final"))];\n"
        case .history(let type):
            let mark = type == .deep ? "H*" : "H"
            out +=
                "\(pad)\(q) [shape=circle, width=0.3, label=\(Self.quote(mark)), tooltip=\(Self.quote(n.id))"
                + "\(marks(n, "history"))];\n"
        case .state, .parallel:
            if !n.isCompound {
                out += "\(pad)\(q) [label=\(Self.quote(n.id))\(marks(n, "atomic"))];\n"
                return
            }
            let label = n.isParallel ? n.id + " (parallel)" : n.id
            let style = n.isParallel ? "dashed,rounded" : "rounded"
            out += "\(pad)subgraph \(Self.quote("cluster_s:" + n.id)) {\n"
            if marksStates {
                out += "\(pad)  id=\(Self.quote("state_\(n.serial)"));\n"
                out += "\(pad)  class=\(Self.quote(n.isParallel ? "state parallel" : "state compound"));\n"
            }
            out += "\(pad)  label=\(Self.quote(label));\n"
            out += "\(pad)  style=\(Self.quote(style));\n"
            let point = Self.quote("i:" + n.id)
            if n.isParallel {
                out += "\(pad)  \(point) [shape=point, style=invis, width=0.01, label=\"\"];\n"
            } else {
                out += "\(pad)  \(point) [shape=point, width=0.1, label=\"\"];\n"
            }
            for child in n.children { writeState(child, depth: depth + 1) }
            out += "\(pad)}\n"
        }
    }

    mutating func writeTransitions(_ n: GraphNode) {
        if n.isCompound && !n.isParallel {
            for target in n.initialTargets {
                edge(
                    from: n.id, fromAnchor: Self.quote("i:" + n.id), to: target, attributes: [],
                    clipTail: false)
            }
        }
        if case .history = n.node.kind {
            for t in n.node.transitions {
                for target in t.targets {
                    edge(from: n.id, fromAnchor: anchor(n.id), to: target, attributes: [])
                }
            }
        } else {
            for t in n.node.transitions { writeTransition(t, from: n) }
        }
        for child in n.children { writeTransitions(child) }
    }

    mutating func writeTransition(_ t: Transition, from n: GraphNode) {
        var attributes = ["label=\(Self.quote(GraphNode.label(t)))"]
        if t.targets.isEmpty {
            attributes.append("style=dotted")
            edge(from: n.id, fromAnchor: anchor(n.id), to: n.id, attributes: attributes)
            return
        }
        if t.type == .internal { attributes.append("style=dashed") }
        if t.targets.count == 1 {
            edge(from: n.id, fromAnchor: anchor(n.id), to: t.targets[0], attributes: attributes)
            return
        }
        junctions += 1
        let junction = Self.quote("j:\(junctions)")
        out += "  \(junction) [shape=point, width=0.08, label=\"\"];\n"
        var first =
            "\(anchor(n.id)) -> \(junction) [" + (attributes + ["arrowhead=none"]).joined(separator: ", ")
        if n.isCompound { first += ", ltail=\(Self.quote("cluster_s:" + n.id))" }
        edges.append(first + "];")
        let style = t.type == .internal ? ["style=dashed"] : []
        for target in t.targets {
            var line = "\(junction) -> \(anchor(target))"
            var a = style
            if let targetNode = index[target], targetNode.isCompound {
                a.append("lhead=\(Self.quote("cluster_s:" + target))")
            }
            if !a.isEmpty { line += " [" + a.joined(separator: ", ") + "]" }
            edges.append(line + ";")
        }
    }

    /// An edge from `source` (drawn at `fromAnchor`) to state `target`. Edges to or from a
    /// compound state are clipped at its cluster, unless the other end lies inside it (Graphviz
    /// cannot clip an edge at a cluster that holds both ends).
    mutating func edge(
        from source: String, fromAnchor: String, to target: String, attributes: [String],
        clipTail: Bool = true
    ) {
        var a = attributes
        let sourceNode = index[source]
        let targetNode = index[target]
        if clipTail, let s = sourceNode, s.isCompound, !s.contains(target) {
            a.append("ltail=\(Self.quote("cluster_s:" + source))")
        }
        if let t = targetNode, t.isCompound, !t.contains(source) {
            a.append("lhead=\(Self.quote("cluster_s:" + target))")
        }
        var line = "\(fromAnchor) -> \(anchor(target))"
        if !a.isEmpty { line += " [" + a.joined(separator: ", ") + "]" }
        edges.append(line + ";")
    }
}

/// Writes a Mermaid `stateDiagram-v2`. States are named `s1`, `s2`, ... in document order and
/// shown with their SCXML id; transitions are written inside the composite state that holds
/// their source, as Mermaid requires.
private struct MermaidWriter {
    let root: GraphNode
    var names: [String: String] = [:]
    var kinds: [String: GraphNode] = [:]
    var out = ""
    var junctions = 0

    init(root: GraphNode) {
        self.root = root
        func register(_ n: GraphNode) {
            if names[n.id] == nil {
                names[n.id] = "s\(n.serial)"
                kinds[n.id] = n
            }
            n.children.forEach(register)
        }
        root.children.forEach(register)
    }

    /// Text for a Mermaid label: characters Mermaid would read as syntax or markup are written
    /// as its `#code;` entities, line breaks as spaces.
    static func escape(_ s: String) -> String {
        var r = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": r += "#quot;"
            case "<": r += "#lt;"
            case ">": r += "#gt;"
            case "&": r += "#amp;"
            case "#": r += "#35;"
            case ";": r += "#59;"
            case ":": r += "#58;"
            case "\n", "\t": r += " "
            case "\r": break
            default: r.unicodeScalars.append(c)
            }
        }
        return r
    }

    func name(_ id: String) -> String {
        names[id] ?? "unknown_"
            + String(id.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    }

    mutating func write() -> String {
        out = "stateDiagram-v2\n"
        writeBody(root, depth: 1)
        return out
    }

    /// The children of `n`, then its initial edges and the children's transitions. In a
    /// parallel state each child is a region (separated by `--`) and carries its own
    /// transitions, because Mermaid draws everything after a `--` in the next region.
    mutating func writeBody(_ n: GraphNode, depth: Int) {
        let pad = String(repeating: "  ", count: depth)
        if n.isParallel {
            for (i, child) in n.children.enumerated() {
                if i > 0 { out += "\(pad)--\n" }
                writeState(child, depth: depth)
                writeTransitions(of: child, pad: pad)
            }
            return
        }
        for child in n.children { writeState(child, depth: depth) }
        for target in n.initialTargets { out += "\(pad)[*] --> \(name(target))\n" }
        for child in n.children { writeTransitions(of: child, pad: pad) }
    }

    mutating func writeTransitions(of child: GraphNode, pad: String) {
        if child.node.kind == .final { out += "\(pad)\(name(child.id)) --> [*]\n" }
        for t in child.node.transitions { writeTransition(t, from: child, pad: pad) }
    }

    mutating func writeState(_ n: GraphNode, depth: Int) {
        let pad = String(repeating: "  ", count: depth)
        let me = name(n.id)
        switch n.node.kind {
        case .history(let type):
            let mark = type == .deep ? "H*" : "H"
            out += "\(pad)state \"\(Self.escape(mark))\" as \(me)\n"
        case .final, .state, .parallel:
            let label = n.isParallel ? n.id + " (parallel)" : n.id
            out += "\(pad)state \"\(Self.escape(label))\" as \(me)\n"
            if n.isCompound {
                out += "\(pad)state \(me) {\n"
                writeBody(n, depth: depth + 1)
                out += "\(pad)}\n"
            }
        }
    }

    mutating func writeTransition(_ t: Transition, from n: GraphNode, pad: String) {
        if case .history = n.node.kind {
            for target in t.targets { out += "\(pad)\(name(n.id)) --> \(name(target))\n" }
            return
        }
        let label = Self.escape(GraphNode.label(t))
        if t.targets.isEmpty {
            out += "\(pad)\(name(n.id)) --> \(name(n.id)) : \(label)\n"
            return
        }
        if t.targets.count == 1 {
            out += "\(pad)\(name(n.id)) --> \(name(t.targets[0])) : \(label)\n"
            return
        }
        junctions += 1
        let junction = "fork\(junctions)"
        out += "\(pad)state \(junction) <<fork>>\n"
        out += "\(pad)\(name(n.id)) --> \(junction) : \(label)\n"
        for target in t.targets { out += "\(pad)\(junction) --> \(name(target))\n" }
    }
}
