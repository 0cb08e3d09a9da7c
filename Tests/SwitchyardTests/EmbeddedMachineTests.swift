import Switchyard
import Testing

@testable import EmbeddedMachine

/// `Examples/EmbeddedMachine`: the machine written with the Swift DSL and `embedded.scxml` take
/// identical microsteps (transitions, exits, entries), print the same logs and end with the
/// same data, for the example's events and for other paths through the machine.
@Suite struct EmbeddedMachineTests {
    static let scxmlPath =
        String(#filePath).split(separator: "/").dropLast(3).map(String.init)
        .reduce("") { $0 + "/" + $1 } + "/Examples/EmbeddedMachine/embedded.scxml"

    struct Run: Equatable {
        var microsteps: [MicrostepTrace] = []
        var lines: [String] = []
        var logs: [String] = []
    }

    static func run(_ definition: MachineDefinition, _ events: [Event]) -> Run {
        var instance = Interpreter(
            definition: definition, sessionID: "doc-1", options: InterpreterOptions(tracing: true))
        var run = Run()
        func record(_ step: MacrostepResult, _ event: Event?) {
            #expect(step.error == nil)
            run.microsteps += step.trace
            run.lines.append(instance.traceLine(after: event))
            for case .log(_, let message) in step.effects { run.logs.append(message) }
        }
        record(instance.start(), nil)
        for event in events { record(instance.handle(event), event) }
        return run
    }

    static func both(_ events: [Event]) throws -> (dsl: Run, scxml: Run) {
        let machine = ApprovalMachine.make()
        let dsl = try machine.compile()
        // The SCXML file's <sy:action name="assign_reviewer"> runs the same Swift action.
        let scxml = try MachineDefinition.load(
            path: scxmlPath, bindings: HostBindings(actions: machine.bindings.actions))
        #expect(dsl.stateIDs == scxml.stateIDs)
        #expect(dsl.transitionCount == scxml.transitionCount)
        return (run(dsl, events), run(scxml, events))
    }

    @Test func exampleEventsGiveIdenticalTraces() throws {
        let (dsl, scxml) = try Self.both(ApprovalMachine.events)
        #expect(dsl == scxml)
        #expect(dsl.microsteps.count == 8)
        #expect(
            dsl.microsteps.last
                == MicrostepTrace(
                    event: "done.state.dual", transitions: ["dual -[done.state.dual]-> approved"],
                    exited: [
                        "finance_done", "finance", "legal_done", "legal", "dual", "review",
                    ], entered: ["approved"]))
        #expect(
            dsl.logs == ["review by board", "review closed", "review by board", "review closed", "approved"])
        #expect(
            dsl.lines.last
                == #"{"event":"finance.ok","configuration":[],"data":{"amount":12000,"reviewer":"board"}}"#)
    }

    @Test(arguments: [
        ["submit {\"amount\": 500}", "accept", "withdraw", "resume", "approve"],
        ["submit {\"amount\": 20000}", "accept", "finance.ok", "reject", "approve"],
        ["accept", "submit {\"amount\": 10000}", "withdraw", "resume", "accept", "legal.ok", "finance.ok"],
    ])
    func otherPathsGiveIdenticalTraces(script: [String]) throws {
        let events = try script.map { line -> Event in
            let parts = line.split(separator: " ", maxSplits: 1)
            return Event(
                String(parts[0]), data: parts.count > 1 ? try Value.parseJSON(String(parts[1])) : .undefined)
        }
        let (dsl, scxml) = try Self.both(events)
        #expect(dsl == scxml)
        #expect(dsl.microsteps.count > events.count / 2)
    }
}
