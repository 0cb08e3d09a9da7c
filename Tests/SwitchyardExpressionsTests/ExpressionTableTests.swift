import SwitchyardExpressions
import Testing

/// Every case of `ExpressionTable` (expectations computed by node) must evaluate identically.
@Suite struct ExpressionTableTests {
    @Test(arguments: ExpressionTable.cases)
    func matchesNode(_ c: NodeCase) {
        let got = Fixture.run(kind: c.kind, source: c.source, result: c.result)
        #expect(got == c.expected, "\(c.kind): \(c.source) \(c.result)")
    }
}
