import ArgumentParser
import Foundation
import Switchyard

/// `switchyard route RULES.xml --input JSON [--explain]`: routes one document through a rule set
/// and prints the decision (and, with `--explain`, every rule considered).
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Route a document through a rule set and print the decision.",
        discussion: """
            RULES.xml is a rule-set file (root <sy:rules xmlns:sy="urn:switchyard:scxml:1">). \
            The input is a JSON object whose top-level members are the variables of the rules' \
            conditions. The decision prints as `decision: matched|defaulted|noMatch`, then one \
            `route: TARGET (rule NAME) PARAMETERS-AS-JSON` line per route and one `error:` line \
            per rule skipped because of an error. --explain adds every rule in evaluation order \
            with its outcome and, for a rule that did not match, which operands of its condition \
            were false.

            Exit status: 0 when a route was chosen (a rule or the default), 2 when no rule \
            matched and there is no default, 1 when the rule set is invalid (diagnostics on \
            standard error as path:line:col: error: message with a caret), 64 when --input is \
            not JSON or not a JSON object (nothing is routed).

            Example:
              $ switchyard route machines/document_routing.rules.xml \\
                  --input '{"documentType":"invoice","keywords":["invoice"],"amount":1200}' --explain
              decision: matched
              route: financial_processing (rule financial) {"queue":"finance","approval":"clerk"}
              1. legal (priority 10): not matched: `documentType == 'legal'` was false, \
            `keywords.contains('contract')` was false
              2. financial (priority 5): matched -> financial_processing: \
            `documentType == 'invoice'` was true
              3. technical (priority 3): not evaluated (an earlier rule matched)
            """
    )

    @Argument(help: "The rule-set file (*.rules.xml).")
    var rules: String

    @Option(name: .long, help: "The document to route: a JSON object, e.g. '{\"amount\": 1200}'.")
    var input: String

    @Flag(name: .long, help: "Also print every rule considered, with its outcome and the reasons.")
    var explain = false

    func validate() throws {
        _ = try Self.parseInput(input)
    }

    func run() throws {
        let document = try Self.parseInput(input)
        let set: RuleSet
        do {
            set = try RuleSet.load(path: rules)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
        let decision: RoutingDecision
        if explain {
            let e = set.explain(document)
            decision = e.decision
            print(e.text)
        } else {
            decision = set.decide(document)
            print(decision.textLines.joined(separator: "\n"))
        }
        if decision.outcome == .noMatch { throw ExitCode(2) }
    }

    /// The document `--input` names: a JSON object, else a usage error (exit 64) naming what is
    /// wrong. A rule set would route any other value to its default with an `error:` line, which
    /// from the command line is a typo, not a decision.
    static func parseInput(_ text: String) throws -> Value {
        let value: Value
        do {
            value = try Value.parseJSON(text)
        } catch {
            throw ValidationError("--input is not valid JSON: \(error)")
        }
        switch value {
        case .object: return value
        case .array: throw ValidationError("--input must be a JSON object, not an array")
        case .null: throw ValidationError("--input must be a JSON object, not null")
        default: throw ValidationError("--input must be a JSON object, not a \(value.typeName)")
        }
    }
}
