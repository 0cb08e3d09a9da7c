import Foundation
import Switchyard

/// Routes every `*.json` document of a folder through a rule set and renders each decision with
/// its explanation. Uses only the public API of `Switchyard`.
enum DocumentRouter {
    /// What one run produced.
    struct Report {
        /// The text to print.
        var text: String
        /// Documents that could not be read or parsed.
        var failures: Int
    }

    /// Routes the documents in `folder` (sorted by file name) with `rules`.
    static func route(folder: String, rules: RuleSet) throws -> Report {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".json") }.sorted()
        var lines: [String] = []
        var failures = 0
        var counts: [String: Int] = [:]
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let input: Value
            do {
                input = try Value.parseJSON(try String(contentsOfFile: path, encoding: .utf8))
            } catch {
                lines += ["== \(name)", "error: cannot read the document: \(error)", ""]
                failures += 1
                continue
            }
            var title = "== \(name)"
            if case .object(let o) = input, case .string(let id)? = o["documentId"] { title += " (\(id))" }
            let explanation = rules.explain(input)
            lines.append(title)
            lines.append(explanation.text)
            lines.append("")
            counts[explanation.decision.target ?? "(no route)", default: 0] += 1
        }
        lines.append(
            "\(names.count - failures) documents routed with rule set '\(rules.name)'"
                + (failures > 0 ? ", \(failures) unreadable" : ""))
        for (target, n) in counts.sorted(by: { $0.key < $1.key }) { lines.append("  \(target): \(n)") }
        return Report(text: lines.joined(separator: "\n"), failures: failures)
    }

    /// The first of `candidates` that exists (the last one otherwise, for the error message).
    static func existing(_ candidates: [String]) -> String {
        candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[candidates.count - 1]
    }

    /// Defaults: the paths as seen from the repository root, else next to this source file.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static let usage = """
        USAGE: DocumentRouter [FOLDER] [--rules RULES.xml]

        Routes every *.json document in FOLDER (default Examples/DocumentRouter/documents) through
        the rule set (default machines/document_routing.rules.xml) and prints each decision with
        its explanation.

        EXAMPLE: swift run DocumentRouter Examples/DocumentRouter/documents
        """

    /// Parses the arguments, routes, prints; returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        var folder: String?
        var rulesPath: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--help" || a == "-h" {
                print(usage)
                return 0
            } else if a == "--rules", i + 1 < arguments.count {
                rulesPath = arguments[i + 1]
                i += 1
            } else if folder == nil, !a.hasPrefix("-") {
                folder = a
            } else {
                FileHandle.standardError.write(Data("error: unexpected argument '\(a)'\n\n\(usage)\n".utf8))
                return 64
            }
            i += 1
        }
        let root = repositoryRoot
        let folderPath =
            folder
            ?? existing(["Examples/DocumentRouter/documents", root + "/Examples/DocumentRouter/documents"])
        let rulesFile =
            rulesPath
            ?? existing([
                "machines/document_routing.rules.xml", root + "/machines/document_routing.rules.xml",
            ])
        let rules: RuleSet
        do {
            rules = try RuleSet.load(path: rulesFile)
        } catch {
            FileHandle.standardError.write(
                Data((error.diagnostics.map(\.rendered).joined(separator: "\n") + "\n").utf8))
            return 1
        }
        do {
            let report = try route(folder: folderPath, rules: rules)
            print(report.text)
            return report.failures == 0 ? 0 : 1
        } catch {
            FileHandle.standardError.write(
                Data("error: cannot list '\(folderPath)': \(error.localizedDescription)\n".utf8))
            return 1
        }
    }
}
