import Switchyard
import SwitchyardTestSupport
import Testing

/// Golden drawings: every `Graphs/X.scxml` is drawn as DOT and as Mermaid, and the text must
/// equal `X.dot` and `X.mmd` byte for byte. `SWITCHYARD_REGENERATE=1 swift test` rewrites them
/// (review the diff; `dot -Tsvg X.dot` must accept the DOT).
@Suite struct StatechartGraphTests {
    static let directory =
        String(#filePath).split(separator: "/").dropLast().map(String.init)
        .reduce("") { $0 + "/" + $1 } + "/Graphs"

    static let names = ["features", "escaping"]

    @Test(arguments: names, [StatechartGraph.Format.dot, .mermaid])
    func drawingMatchesGoldenFile(name: String, format: StatechartGraph.Format) throws {
        let base = Self.directory + "/" + name
        let definition = try MachineDefinition.load(path: base + ".scxml")
        let actual = StatechartGraph(definition).render(format)
        let expectedPath = base + (format == .dot ? ".dot" : ".mmd")
        if regenerating() {
            try writeText(expectedPath, actual)
            return
        }
        #expect(actual == (try readText(expectedPath)))
    }

    @Test func drawingIsDeterministic() throws {
        let definition = try MachineDefinition.load(path: Self.directory + "/features.scxml")
        let first = StatechartGraph(definition).render(.dot)
        let second = StatechartGraph(try MachineDefinition.load(path: Self.directory + "/features.scxml"))
            .render(.dot)
        #expect(first == second)
    }

    /// A document built in code (no ids, a multi-target transition, a targetless one) draws
    /// with the compiler's generated ids and a junction point.
    @Test func codeBuiltDocumentUsesGeneratedIDs() throws {
        let document = SCXMLDocument(states: [
            StateNode(
                kind: .parallel, id: "p",
                children: [
                    StateNode(kind: .state, id: nil),
                    StateNode(kind: .state, id: "b"),
                ],
                transitions: [
                    Transition(events: ["x"], targets: ["_state1", "b"]), Transition(events: ["y"]),
                ])
        ])
        let text = StatechartGraph(document).render(.dot)
        #expect(
            text == """
                digraph "scxml" {
                  compound=true;
                  fontname="Helvetica";
                  node [shape=box, style=rounded, fontname="Helvetica"];
                  edge [fontname="Helvetica", fontsize=10];
                  "i:" [shape=point, width=0.15, label=""];
                  subgraph "cluster_s:p" {
                    label="p (parallel)";
                    style="dashed,rounded";
                    "i:p" [shape=point, style=invis, width=0.01, label=""];
                    "s:_state1" [label="_state1"];
                    "s:b" [label="b"];
                  }
                  "j:1" [shape=point, width=0.08, label=""];
                  "i:" -> "i:p" [lhead="cluster_s:p"];
                  "i:p" -> "j:1" [label="x", arrowhead=none, ltail="cluster_s:p"];
                  "j:1" -> "s:_state1";
                  "j:1" -> "s:b";
                  "i:p" -> "i:p" [label="y (targetless)", style=dotted];
                }

                """)
    }
}
