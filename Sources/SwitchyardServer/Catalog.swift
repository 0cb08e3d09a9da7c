import Foundation
import Switchyard
import Synchronization

/// The machines and rule sets a server has deployed: what `POST /v1/machines` adds to and the
/// graph, decide and list endpoints read. Definitions themselves live in the engine (and its
/// store); the catalog keeps what the engine does not: each version's source text (for graphs)
/// and the rule sets.
final class Catalog: Sendable {
    struct Deployed: Sendable {
        var name: String
        var version: Int
        var hash: String
        /// The document as compiled (its source positions kept), for graphs and searchable fields.
        var document: SCXMLDocument
    }

    private let machines = Mutex<[String: [Int: Deployed]]>([:])
    private let rules = Mutex<[String: RuleSet]>([:])

    var ruleSets: [RuleSet] { rules.withLock { Array($0.values) } }

    func ruleSet(named name: String) -> RuleSet? { rules.withLock { $0[name] } }

    func ruleSetNames() -> [String] { rules.withLock { $0.keys.sorted() } }

    func add(ruleSet: RuleSet) { rules.withLock { $0[ruleSet.name] = ruleSet } }

    func record(_ d: Deployed) { machines.withLock { $0[d.name, default: [:]][d.version] = d } }

    func deployed(_ name: String, version: Int) -> Deployed? { machines.withLock { $0[name]?[version] } }

    /// Every version of `name` this process deployed.
    func deployedVersions(_ name: String) -> [Deployed] {
        machines.withLock { Array(($0[name] ?? [:]).values) }
    }
}

/// A deployment's result.
struct Deployment: Sendable {
    var name: String
    var version: Int
    var hash: String
    /// False when the document was identical to the newest version (nothing new deployed).
    var created: Bool
    var warnings: [Diagnostic]
}

extension Engine {
    /// Registers `definition` under `name`, or makes it the newest version when the name exists
    /// (an identical document deploys nothing new: `created` is false).
    func deploy(_ definition: MachineDefinition, as name: String) throws(EngineError) -> (
        version: Int, hash: String, created: Bool
    ) {
        let before = definitionVersions.filter { $0.name == name }.count
        let version: Int
        if before == 0 {
            try register(definition, as: name)
            version = 1
        } else {
            version = try upgrade(definition, as: name)
        }
        let versions = definitionVersions.filter { $0.name == name }
        let hash = versions.first { $0.version == version }?.hash ?? ""
        return (version, hash, versions.count > before)
    }
}

extension Diagnostic {
    /// `{file, line, column, severity, message}` for problem documents.
    var jsonValue: Value {
        .object(
            JSObject([
                ("file", .string(location.file)), ("line", .number(Double(location.line))),
                ("column", .number(Double(location.column))), ("severity", .string(severity.rawValue)),
                ("message", .string(message)),
            ]))
    }
}
