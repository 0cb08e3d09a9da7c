import Switchyard
import SwitchyardTestSupport
import Testing

/// The README's "Defining a machine in Swift" snippet: it compiles and runs here, and the README
/// shows exactly the lines between the markers below (a second test compares them).
@Suite struct ReadmeDSLSnippetTests {
    @Test func snippetRuns() throws {
        // README-BEGIN
        let approval = try Machine("approval", initial: "draft") {
            Variable("amount", .number(0))
            Variable("reviewer", expr: "null")
            State("draft") {
                On("submit", to: "review") { Assign("amount", "_event.data.amount") }
            }
            State("review", initial: "checking") {
                OnEntry {
                    Execute("assign_reviewer") { _, context in  // a Swift action
                        try context.setValue(.string("alice"), for: "reviewer")
                    }
                }
                History("resume", .deep, default: "checking")
                State("checking") {
                    On("approve", to: "approved").when { $0["amount"].jsNumber < 10_000 }  // Swift guard
                    On("approve", to: "board", guard: "amount >= 10000")  // expression guard
                }
                Parallel("board") {
                    State("legal")
                    State("finance")
                }
                On("withdraw", to: "withdrawn")
            }
            State("withdrawn") { On("resume", to: "resume") }
            Final("approved") { OnEntry { Log("'approved by ' + reviewer") } }
        }.compile()  // throws DiagnosticList, like MachineDefinition.load

        var instance = Interpreter(definition: approval, sessionID: "doc-1")
        _ = instance.start()
        _ = instance.handle(Event("submit", data: ["amount": 20_000]))
        _ = instance.handle(Event("approve"))
        print(instance.configurationIDs)  // ["review", "board", "legal", "finance"]
        // README-END
        #expect(instance.configurationIDs == ["review", "board", "legal", "finance"])
        _ = instance.handle(Event("withdraw"))
        _ = instance.handle(Event("resume"))
        #expect(instance.configurationIDs == ["review", "board", "legal", "finance"])
        #expect(instance.value(of: "reviewer") == .string("alice"))
    }

    @Test func readmeShowsTheSnippet() throws {
        let root = String(#filePath).split(separator: "/").dropLast(3).map(String.init)
            .reduce("") { $0 + "/" + $1 }
        let source = try readText(#filePath).split(separator: "\n", omittingEmptySubsequences: false)
        guard let begin = source.firstIndex(where: { $0.contains("// README-BEGIN") }),
            let end = source.firstIndex(where: { $0.contains("// README-END") && !$0.contains("contains") })
        else {
            Issue.record("markers not found")
            return
        }
        let snippet = source[(begin + 1)..<end].map {
            $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0)
        }
        let expected = "```swift\nimport Switchyard\n\n" + snippet.joined(separator: "\n") + "\n```"
        let readme = try readText(root + "/README.md")
        #expect(readme.contains(expected), "README's DSL snippet differs from the tested one:\n\(expected)")
    }
}
