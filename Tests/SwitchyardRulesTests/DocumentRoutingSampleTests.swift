import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// Routes every document of `Samples/document_routing.samples.json` through
/// `machines/document_routing.rules.xml` and checks the target, rule, parameters and errors (the
/// expectations come from an independent implementation of the same rules), and the
/// explanation text against `Samples/document_routing.samples.explain`.
@Suite struct DocumentRoutingSampleTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var name: String
        var input: Value
        var target: String
        var rule: String?
        var parameters: Value
        var errorRules: [String]
        var testDescription: String { name }
    }

    static let samples: [Sample] = {
        let url = TestPaths.samples.appendingPathComponent("document_routing.samples.json")
        guard let text = try? String(contentsOf: url, encoding: .utf8),
            case .array(let items)? = try? Value.parseJSON(text)
        else { return [] }
        return items.compactMap { item -> Sample? in
            guard case .object(let o) = item, case .string(let name)? = o["name"], let input = o["input"],
                case .string(let target)? = o["target"], let parameters = o["parameters"],
                case .array(let errs)? = o["errorRules"]
            else { return nil }
            var rule: String?
            if case .string(let r)? = o["rule"] { rule = r }
            let errorRules = errs.compactMap { v -> String? in
                if case .string(let s) = v { return s }
                return nil
            }
            return Sample(
                name: name, input: input, target: target, rule: rule, parameters: parameters,
                errorRules: errorRules)
        }
    }()

    /// Loaded under its repository-relative name so the expected texts hold no machine paths.
    static let ruleSet: RuleSet? = {
        let url = TestPaths.repositoryRoot.appendingPathComponent("machines/document_routing.rules.xml")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? RuleSet.load(bytes: [UInt8](data), file: "machines/document_routing.rules.xml")
    }()

    @Test func atLeastThirtySamples() {
        #expect(Self.samples.count >= 30)
        #expect(Self.ruleSet != nil)
    }

    @Test(arguments: samples)
    func routes(_ sample: Sample) throws {
        let set = try #require(Self.ruleSet)
        let decision = set.decide(sample.input)
        #expect(decision.target == sample.target)
        #expect(decision.routes.first?.rule == sample.rule)
        #expect(decision.outcome == (sample.rule == nil ? .defaulted : .matched))
        #expect(decision.routes.first.map { Value.object($0.parameters) } == sample.parameters)
        #expect(decision.errors.compactMap(\.rule) == sample.errorRules)
        // The explained path reaches the same decision.
        #expect(set.explain(sample.input).decision == decision)
    }

    @Test func explanationsMatchGolden() throws {
        let set = try #require(Self.ruleSet)
        var text = ""
        for s in Self.samples {
            text += "## \(s.name)\n" + set.explain(s.input).text + "\n\n"
        }
        let url = TestPaths.samples.appendingPathComponent("document_routing.samples.explain")
        if TestPaths.regenerate { try text.write(to: url, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected)
    }
}
