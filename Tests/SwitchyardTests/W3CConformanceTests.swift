import Switchyard
import SwitchyardConformance
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the W3C SCXML conformance suite from `../shared/w3c-scxml` (each test is reported as
/// skipped, with the reason, when it is absent). Every test must pass except those the
/// checked-in exception manifest lists as skipped or expected to fail — and an expected failure
/// that starts passing fails the suite, so the manifest stays honest.
@Suite struct W3CConformanceTests {
    static let sharedRoot: String? = {
        let repo = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let path = "/" + repo + "/../shared/w3c-scxml"
        return access(path + "/ecma", F_OK) == 0 ? path : nil
    }()

    @Test(
        .enabled(if: sharedRoot != nil, "../shared/w3c-scxml is not present beside the repository; skipping"))
    func conformanceSuite() throws {
        let root = try #require(Self.sharedRoot)
        let results = ConformanceRunner().run(directories: [root + "/ecma", root + "/null"])
        #expect(results.count >= 200, "expected the whole suite, found \(results.count) tests")
        var unexpected: [String] = []
        for r in results {
            let expectedFailure = ConformanceExceptions.expectedFailures[r.name]
            switch r.outcome {
            case .pass:
                if let why = expectedFailure {
                    unexpected.append("\(r.name) now passes; remove it from expectedFailures (\(why))")
                }
            case .fail(let why):
                if expectedFailure == nil { unexpected.append("\(r.name) failed: \(why)") }
            case .skip:
                break
            }
        }
        #expect(unexpected.isEmpty, "\(unexpected.joined(separator: "\n"))")
        print("W3C conformance: \(ConformanceRunner.summary(results))")
    }

    /// The suite again, each test compiled from its definition's canonical document (what a
    /// durable engine stores and recompiles when it recovers): the same tests pass.
    @Test(
        .enabled(if: sharedRoot != nil, "../shared/w3c-scxml is not present beside the repository; skipping"))
    func canonicalDocumentsMeanTheSame() throws {
        let root = try #require(Self.sharedRoot)
        let runner = ConformanceRunner(recompileCanonical: true)
        let results = runner.run(directories: [root + "/ecma", root + "/null"])
        #expect(results.count >= 200, "expected the whole suite, found \(results.count) tests")
        var unexpected: [String] = []
        for r in results {
            switch r.outcome {
            case .pass:
                if ConformanceExceptions.expectedFailures[r.name] != nil {
                    unexpected.append("\(r.name) now passes")
                }
            case .fail(let why):
                if ConformanceExceptions.expectedFailures[r.name] == nil {
                    unexpected.append("\(r.name) failed: \(why)")
                }
            case .skip:
                break
            }
        }
        #expect(unexpected.isEmpty, "\(unexpected.joined(separator: "\n"))")
    }

    @Test(
        .enabled(if: sharedRoot != nil, "../shared/w3c-scxml is not present beside the repository; skipping"))
    func mandatoryTestsAllPass() throws {
        let root = try #require(Self.sharedRoot)
        // manifest.tsv: test, file, datamodel, mandatory, needs, note.
        guard let f = fopen(root + "/manifest.tsv", "r") else {
            Issue.record("cannot read manifest.tsv")
            return
        }
        defer { fclose(f) }
        var mandatory: [String] = []
        var line: UnsafeMutablePointer<CChar>?
        var cap = 0
        while getline(&line, &cap, f) > 0, let l = line {
            let cols = String(cString: l).split(separator: "\t", omittingEmptySubsequences: false)
            if cols.count > 4, cols[3] == "yes", cols[1].hasSuffix(".scxml") {
                mandatory.append(String(cols[1]))
            }
        }
        free(line)
        #expect(mandatory.count >= 150)
        let runner = ConformanceRunner()
        var failures: [String] = []
        for file in mandatory {
            let r = runner.run(path: root + "/" + file)
            switch r.outcome {
            case .fail(let why): failures.append("\(r.name): \(why)")
            case .skip(let why) where !why.hasPrefix("manual"): failures.append("\(r.name) skipped: \(why)")
            default: break
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
