import SwitchyardCore
import SwitchyardExpressions
import Testing

/// Algorithm tests on documents built in code (no expressions), checking configurations and
/// exit/entry order against SCXML Appendix D.
@Suite struct InterpreterAlgorithmTests {
    func state(
        _ id: String, _ children: [StateNode] = [], _ transitions: [Transition] = [], initial: [String] = []
    )
        -> StateNode
    {
        StateNode(
            kind: .state, id: id, initial: initial, children: children, transitions: transitions,
            onEntry: [[.log(LogAction(label: "enter", expr: nil))]])
    }

    func go(_ event: String, _ targets: String..., type: TransitionType = .external) -> Transition {
        Transition(events: [event], targets: targets, type: type)
    }

    func machine(_ states: [StateNode], initial: [String] = []) throws -> Interpreter {
        let doc = SCXMLDocument(initial: initial, datamodel: "null", states: states)
        var options = InterpreterOptions()
        options.tracing = true
        return Interpreter(definition: try MachineDefinition.compile(doc), sessionID: "s", options: options)
    }

    @Test func entersFirstChildByDefaultAndFollowsTransitions() throws {
        var m = try machine([
            state("a", [state("a1", [], [go("next", "a2")]), state("a2", [], [go("out", "b")])]),
            state("b"),
        ])
        let start = m.start()
        #expect(m.configurationIDs == ["a", "a1"])
        #expect(start.trace.first?.entered == ["a", "a1"])
        _ = m.handle(Event("next"))
        #expect(m.configurationIDs == ["a", "a2"])
        let r = m.handle(Event("out"))
        #expect(m.configurationIDs == ["b"])
        #expect(r.trace.first?.exited == ["a2", "a"])
        #expect(r.trace.first?.entered == ["b"])
    }

    @Test func eventDescriptorsMatchByTokenPrefix() throws {
        var m = try machine([
            state("s", [], [go("error", "e"), go("foo.*", "f")]), state("e", [], [go("*", "s")]), state("f"),
        ])
        _ = m.start()
        _ = m.handle(Event("errors"))  // not a token prefix
        #expect(m.configurationIDs == ["s"])
        _ = m.handle(Event("error.execution"))
        #expect(m.configurationIDs == ["e"])
        _ = m.handle(Event("anything"))
        #expect(m.configurationIDs == ["s"])
        _ = m.handle(Event("foo.bar.baz"))
        #expect(m.configurationIDs == ["f"])
    }

    @Test func parallelRegionsAndDoneState() throws {
        let p = StateNode(
            kind: .parallel, id: "p",
            children: [
                state("r1", [state("r1a", [], [go("x", "r1done")]), StateNode(kind: .final, id: "r1done")]),
                state("r2", [state("r2a", [], [go("y", "r2done")]), StateNode(kind: .final, id: "r2done")]),
            ], transitions: [go("done.state.p", "end")])
        var m = try machine([p, StateNode(kind: .final, id: "end")])
        _ = m.start()
        #expect(m.configurationIDs == ["p", "r1", "r1a", "r2", "r2a"])
        _ = m.handle(Event("x"))
        #expect(m.configurationIDs == ["p", "r1", "r1done", "r2", "r2a"])
        let r = m.handle(Event("y"))
        #expect(m.isFinished)
        #expect(m.finalStateID == "end")
        #expect(r.effects == [Effect.done(data: Value.undefined)])
    }

    @Test func conflictingTransitionsPreferDescendantSource() throws {
        // Both regions react to `e`; r1's transition leaves the parallel, so it conflicts with
        // r2's. The earlier one in document order (r1a) wins.
        let p = StateNode(
            kind: .parallel, id: "p",
            children: [
                state("r1", [state("r1a", [], [go("e", "out")])]),
                state("r2", [state("r2a", [], [go("e", "r2b")]), state("r2b")]),
            ])
        var m = try machine([p, state("out")])
        _ = m.start()
        _ = m.handle(Event("e"))
        #expect(m.configurationIDs == ["out"])
    }

    @Test func shallowAndDeepHistoryRestore() throws {
        let deep = StateNode(kind: .history(.deep), id: "h", transitions: [Transition(targets: ["a1"])])
        let a = state(
            "a", [deep, state("a1", [state("a1x", [], [go("n", "a1y")]), state("a1y")]), state("a2")],
            [go("leave", "b")])
        var m = try machine([a, state("b", [], [go("back", "h")])])
        _ = m.start()
        #expect(m.configurationIDs == ["a", "a1", "a1x"])
        _ = m.handle(Event("n"))
        _ = m.handle(Event("leave"))
        #expect(m.configurationIDs == ["b"])
        _ = m.handle(Event("back"))
        #expect(m.configurationIDs == ["a", "a1", "a1y"])
    }

    @Test func eventlessLoopIsStoppedAndInstanceStaysUsable() throws {
        let loop = [
            state("a", [], [Transition(targets: ["b"])]),
            state("b", [], [Transition(targets: ["a"])]),
        ]
        let doc = SCXMLDocument(datamodel: "null", states: [state("idle", [], [go("go", "a")])] + loop)
        var m = Interpreter(
            definition: try MachineDefinition.compile(doc), sessionID: "s",
            options: InterpreterOptions(maxMicrosteps: 50))
        _ = m.start()
        let r = m.handle(Event("go"))
        guard case .microstepLimitExceeded(let limit, _, let transitions)? = r.error else {
            Issue.record("expected a microstep limit error, got \(String(describing: r.error))")
            return
        }
        #expect(limit == 50)
        #expect(transitions.contains("a -[]-> b"))
        #expect(transitions.contains("b -[]-> a"))
        // Still usable: the next event starts a fresh macrostep (which loops again, and stops again).
        #expect(m.handle(Event("ignored")).error != nil)
    }

    @Test func snapshotRoundTripsThroughCodable() throws {
        var m = try machine([state("a", [state("a1", [], [go("n", "a2")]), state("a2")]), state("b")])
        _ = m.start()
        _ = m.handle(Event("n"))
        let snap = m.snapshot()
        let restored = try Interpreter(definition: m.definition, restoring: snap)
        #expect(restored.configurationIDs == ["a", "a2"])
        #expect(restored.snapshot() == snap)
    }

    @Test func unknownTargetIsAPositionedError() throws {
        let doc = SCXMLDocument(
            states: [
                StateNode(
                    kind: .state, id: "a",
                    transitions: [
                        Transition(
                            events: ["e"], targets: ["nowhere"],
                            location: SourceLocation(file: "m.scxml", line: 3, column: 5),
                            targetLocation: SourceLocation(file: "m.scxml", line: 3, column: 30))
                    ])
            ])
        #expect(throws: DiagnosticList.self) { try MachineDefinition.compile(doc) }
        do {
            _ = try MachineDefinition.compile(doc)
        } catch {
            #expect(error.description == "m.scxml:3:30: error: transition target 'nowhere' does not exist")
        }
    }
}
