import Switchyard
import Testing

/// The "Embedding in Swift" snippet of the README, kept compiling and true.
@Suite struct ReadmeExampleTests {
    @Test func embeddingSnippet() throws {
        let path =
            String(#filePath).split(separator: "/").dropLast(3).map(String.init)
            .reduce("") { $0 + "/" + $1 } + "/Benchmarks/machines/approval7.scxml"
        let machine = try MachineDefinition.load(path: path)
        var instance = Interpreter(definition: machine, sessionID: "doc-42")
        _ = instance.start()
        let step = instance.handle(Event("submit"))
        #expect(step.error == nil)
        #expect(instance.configurationIDs == ["review"])
        let saved = instance.snapshot()
        let restored = try Interpreter(definition: machine, restoring: saved)
        #expect(restored.configurationIDs == ["review"])
        #expect(restored.value(of: "reviews") == .number(1))
    }
}
