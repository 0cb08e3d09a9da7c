import Foundation
import Testing

/// `switchyard graph`: exact output and exit status. Fixtures are written to a fresh temporary
/// directory and named relatively so the output has no machine paths.
@Suite struct GraphCommandTests {
    static let machine = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" name="door" datamodel="ecmascript">
          <datamodel><data id="locked" expr="false"/></datamodel>
          <state id="closed">
            <transition event="open" cond="!locked &amp;&amp; 1 &lt; 2" target="opened"/>
          </state>
          <state id="opened">
            <transition event="close" target="closed"/>
          </state>
        </scxml>

        """

    static let invalid = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">
          <state id="a">
            <transition event="go" target="ghost"/>
          </state>
        </scxml>

        """

    static func fixtures() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try machine.write(to: dir.appendingPathComponent("door.scxml"), atomically: true, encoding: .utf8)
        try invalid.write(to: dir.appendingPathComponent("invalid.scxml"), atomically: true, encoding: .utf8)
        return dir
    }

    static let dot = """
        digraph "door" {
          compound=true;
          fontname="Helvetica";
          node [shape=box, style=rounded, fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10];
          "i:" [shape=point, width=0.15, label=""];
          "s:closed" [label="closed"];
          "s:opened" [label="opened"];
          "i:" -> "s:closed";
          "s:closed" -> "s:opened" [label="open [!locked &amp;&amp; 1 < 2]"];
          "s:opened" -> "s:closed" [label="close"];
        }

        """

    @Test func dotIsTheDefault() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "door.scxml"], cwd: dir)
        #expect(result.stdout == Self.dot)
        #expect(result.stderr == "")
        #expect(result.status == 0)
        let explicit = try CLI.run(["graph", "door.scxml", "--format", "dot"], cwd: dir)
        #expect(explicit.stdout == Self.dot)
    }

    @Test func mermaid() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "door.scxml", "-f", "mermaid"], cwd: dir)
        #expect(
            result.stdout == """
                stateDiagram-v2
                  state "closed" as s1
                  state "opened" as s2
                  [*] --> s1
                  s1 --> s2 : open [!locked #amp;#amp; 1 #lt; 2]
                  s2 --> s1 : close

                """)
        #expect(result.status == 0)
    }

    @Test func missingFileIsAPositionedError() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "nope.scxml"], cwd: dir)
        #expect(result.stdout == "")
        #expect(result.stderr == "nope.scxml:1:1: error: cannot read the document: no such file\n")
        #expect(result.status == 1)
    }

    @Test func invalidDocumentPrintsTheValidateDiagnostics() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "invalid.scxml"], cwd: dir)
        #expect(result.stdout == "")
        #expect(
            result.stderr == """
                invalid.scxml:3:36: error: transition target 'ghost' does not exist
                    <transition event="go" target="ghost"/>
                                                   ^

                """)
        #expect(result.status == 1)
        let validate = try CLI.run(["validate", "-q", "invalid.scxml"], cwd: dir)
        #expect(validate.stdout == result.stderr)
        #expect(validate.status == result.status)
    }

    @Test func warningsGoToStandardErrorAndTheDrawingIsPrinted() throws {
        let dir = try Self.fixtures()
        let warns = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
              <state id="a"><transition event="go" cond="x &gt; = 1" target="a"/></state>
            </scxml>

            """
        try warns.write(to: dir.appendingPathComponent("warns.scxml"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["graph", "warns.scxml", "--format", "mermaid"], cwd: dir)
        #expect(
            result.stderr
                == "warns.scxml:2:53: warning: syntax error in expression: unexpected '='\n"
                + "  <state id=\"a\"><transition event=\"go\" cond=\"x &gt; = 1\" target=\"a\"/></state>\n"
                + String(repeating: " ", count: 52) + "^\n")
        #expect(
            result.stdout == """
                stateDiagram-v2
                  state "a" as s1
                  [*] --> s1
                  s1 --> s1 : go [x #gt; = 1]

                """)
        #expect(result.status == 0)
    }

    /// `--format svg` lays the drawing out in process: a standalone SVG document with every
    /// state marked, the same bytes on every run.
    @Test func svg() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "door.scxml", "--format", "svg"], cwd: dir)
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(
            result.stdout.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg "))
        #expect(result.stdout.hasSuffix("</svg>\n"))
        #expect(result.stdout.contains("<title>door</title>"))
        #expect(
            result.stdout.contains("<g id=\"state_1\" class=\"node state atomic\" data-state-id=\"closed\">"))
        #expect(
            result.stdout.contains("<g id=\"state_2\" class=\"node state atomic\" data-state-id=\"opened\">"))
        #expect(result.stdout.components(separatedBy: "data-state-id=").count == 3)
        #expect(result.stdout.contains(">open [!locked &amp;&amp; 1 &lt; 2]</text>"))
        let again = try CLI.run(["graph", "door.scxml", "-f", "svg"], cwd: dir)
        #expect(again.stdout == result.stdout)
    }

    @Test func svgOfAnInvalidDocumentPrintsTheDiagnostics() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "invalid.scxml", "--format", "svg"], cwd: dir)
        #expect(result.stdout == "")
        #expect(
            result.stderr.hasPrefix("invalid.scxml:3:36: error: transition target 'ghost' does not exist\n"))
        #expect(result.status == 1)
    }

    /// With no Graphviz plugins to load (`GVBINDIR`, Graphviz's own override of its plugin
    /// directory, names an empty one) the SVG cannot be laid out: a one-line error, exit 1.
    @Test func svgWithoutGraphvizPluginsIsAnError() throws {
        let dir = try Self.fixtures()
        let empty = dir.appendingPathComponent("no-plugins")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try CLI.run(
            ["graph", "door.scxml", "--format", "svg"], cwd: dir, environment: ["GVBINDIR": empty.path])
        #expect(result.stdout == "")
        #expect(
            result.stderr.hasPrefix(
                "error: Graphviz could not lay out the graph: Layout type: \"dot\" not recognized"))
        #expect(result.stderr.hasSuffix("\n"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.status == 1)
    }

    @Test func unknownFormatIsAUsageError() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["graph", "door.scxml", "--format", "png"], cwd: dir)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("Error: The value 'png' is invalid for '--format <format>'"))
        #expect(
            result.stderr.contains(
                "--format <format>  Output format: dot (Graphviz, default), mermaid or svg (laid out by"))
        #expect(result.status == 64)
    }
}
