import Foundation
import SwitchyardTestSupport
import Testing

/// `switchyard validate`: exact output and exit status. Fixtures are written to a fresh
/// temporary directory and named relatively so the output has no machine paths.
@Suite struct ValidateCommandTests {
    static let valid = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" initial="a">
          <state id="a">
            <transition event="go" target="b"/>
          </state>
          <final id="b"/>
        </scxml>

        """

    static let invalid = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" initial="a">
          <state id="a">
            <transition event="go" target="ghost"/>
            <onentry><send event="e" delay="soon"/></onentry>
          </state>
        </scxml>

        """

    static let warns = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">
          <datamodel><data id="d" src="missing.json"/></datamodel>
          <state id="a"/>
        </scxml>

        """

    static func fixtures() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try valid.write(to: dir.appendingPathComponent("valid.scxml"), atomically: true, encoding: .utf8)
        try invalid.write(to: dir.appendingPathComponent("invalid.scxml"), atomically: true, encoding: .utf8)
        try warns.write(to: dir.appendingPathComponent("warns.scxml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func validFilePrintsOKAndExitsZero() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["validate", "valid.scxml"], cwd: dir)
        #expect(result.stdout == "valid.scxml: OK\n")
        #expect(result.stderr == "")
        #expect(result.status == 0)
    }

    @Test func invalidFilePrintsEveryDiagnosticAndExitsOne() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["validate", "valid.scxml", "invalid.scxml"], cwd: dir)
        #expect(
            result.stdout == """
                valid.scxml: OK
                invalid.scxml:3:36: error: transition target 'ghost' does not exist
                    <transition event="go" target="ghost"/>
                                                   ^
                invalid.scxml:4:37: error: invalid delay 'soon': expected a number with a unit (ms, s, m, h, d), e.g. '500ms' or '2s'
                    <onentry><send event="e" delay="soon"/></onentry>
                                                    ^
                invalid.scxml: FAILED, 2 errors

                """)
        #expect(result.status == 1)
    }

    @Test func warningsAreShownButTheFileIsValid() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["validate", "warns.scxml"], cwd: dir)
        #expect(
            result.stdout == """
                warns.scxml:2:32: warning: cannot read data src 'missing.json': no such file; the data will be undefined and error.execution raised at run time
                  <datamodel><data id="d" src="missing.json"/></datamodel>
                                               ^
                warns.scxml: OK, 1 warning

                """)
        #expect(result.status == 0)
    }

    @Test func quietPrintsOnlyErrors() throws {
        let dir = try Self.fixtures()
        let ok = try CLI.run(["validate", "--quiet", "valid.scxml", "warns.scxml"], cwd: dir)
        #expect(ok.stdout == "")
        #expect(ok.status == 0)
        let bad = try CLI.run(["validate", "-q", "invalid.scxml"], cwd: dir)
        #expect(
            bad.stdout == """
                invalid.scxml:3:36: error: transition target 'ghost' does not exist
                    <transition event="go" target="ghost"/>
                                                   ^
                invalid.scxml:4:37: error: invalid delay 'soon': expected a number with a unit (ms, s, m, h, d), e.g. '500ms' or '2s'
                    <onentry><send event="e" delay="soon"/></onentry>
                                                    ^

                """)
        #expect(bad.status == 1)
    }

    @Test func missingFileIsAnError() throws {
        let dir = try Self.fixtures()
        let result = try CLI.run(["validate", "nope.scxml"], cwd: dir)
        #expect(
            result.stdout == """
                nope.scxml:1:1: error: cannot read the document: no such file
                nope.scxml: FAILED, 1 error

                """)
        #expect(result.status == 1)
    }

    @Test func helpHasAnExample() throws {
        let result = try CLI.run(["validate", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example:"))
        #expect(result.stdout.contains("--quiet"))
        #expect(result.stdout.contains("switchyard validate machines/order.scxml"))
    }
}

@Suite struct ValidateExpressionTests {
    static let document = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
          <state id="a">
            <transition event="go" cond="amount &gt; = 10" target="b"/>
          </state>
          <state id="b"/>
        </scxml>

        """

    /// The document in a folder of this test's own: the tests of this suite run in parallel,
    /// and one rewriting a shared file while another's `validate` reads it loses the source line.
    func write(_ name: String = #function) throws -> String {
        let path = temporaryDirectory(name) + "/expr.scxml"
        try writeText(path, Self.document)
        return path
    }

    @Test func badExpressionIsAPositionedWarning() throws {
        let path = try write()
        let r = try CLI.run(["validate", path])
        #expect(r.status == 0)
        #expect(
            r.stdout == """
                \(path):3:46: warning: syntax error in expression: unexpected '='
                    <transition event="go" cond="amount &gt; = 10" target="b"/>
                                                             ^
                \(path): OK, 1 warning

                """)
    }

    @Test func strictMakesItAnError() throws {
        let path = try write()
        let r = try CLI.run(["validate", "--strict", path])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("\(path):3:46: error: syntax error in expression"))
        #expect(r.stdout.hasSuffix("\(path): FAILED, 1 error\n"))
    }
}

struct CLIFileError: Error {}
