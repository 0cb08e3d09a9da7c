import SwitchyardCore
import SwitchyardExpressions
import Testing

/// Wrong input reaching the compiler and interpreter directly (documents built in code, saved
/// snapshots): each gives a typed, positioned error and nothing crashes.
@Suite struct InterpreterErrorTests {
    let at = SourceLocation(file: "m.scxml", line: 2, column: 3)

    func compileErrors(_ doc: SCXMLDocument) -> [String] {
        do {
            _ = try MachineDefinition.compile(doc)
            return []
        } catch {
            return error.errors.map(\.headline)
        }
    }

    @Test func duplicateStateIDs() {
        let doc = SCXMLDocument(
            datamodel: "null",
            states: [StateNode(kind: .state, id: "a"), StateNode(kind: .state, id: "a", location: at)])
        #expect(compileErrors(doc) == ["m.scxml:2:3: error: duplicate state id 'a'"])
    }

    @Test func historyWithoutDefaultTransition() {
        let doc = SCXMLDocument(
            datamodel: "null",
            states: [
                StateNode(
                    kind: .state, id: "p",
                    children: [
                        StateNode(kind: .history(.shallow), id: "h", location: at),
                        StateNode(kind: .state, id: "c"),
                    ])
            ])
        #expect(compileErrors(doc) == ["m.scxml:2:3: error: history state 'h' has no default transition"])
    }

    @Test func invalidDelay() {
        let send = Action.send(SendAction(event: "x", delay: "soon", location: at))
        let doc = SCXMLDocument(
            datamodel: "null", states: [StateNode(kind: .state, id: "a", onEntry: [[send]])])
        #expect(compileErrors(doc) == ["m.scxml:2:3: error: delay 'soon' is not a valid duration"])
    }

    @Test func snapshotNamingAnUnknownStateIsRefused() throws {
        let definition = try MachineDefinition.compile(
            SCXMLDocument(datamodel: "null", states: [StateNode(kind: .state, id: "a")]))
        var m = Interpreter(definition: definition, sessionID: "s")
        _ = m.start()
        var snap = m.snapshot()
        snap.configuration = ["gone"]
        #expect(throws: InterpreterError.incompatibleSnapshot("state 'gone' does not exist")) {
            try Interpreter(definition: definition, restoring: snap)
        }
    }

    @Test func internalQueueOverflowStopsTheMacrostep() throws {
        // Every entry of `a` raises two events; `tick` re-enters `a`: the queue doubles.
        let raise2: [Action] = [.raise(RaiseAction(event: "tick")), .raise(RaiseAction(event: "tick"))]
        let doc = SCXMLDocument(
            datamodel: "null",
            states: [
                StateNode(
                    kind: .state, id: "idle", transitions: [Transition(events: ["go"], targets: ["a"])]),
                StateNode(
                    kind: .state, id: "a", transitions: [Transition(events: ["tick"], targets: ["a"])],
                    onEntry: [raise2]),
            ])
        var m = Interpreter(
            definition: try MachineDefinition.compile(doc), sessionID: "s",
            options: InterpreterOptions(maxMicrosteps: 1_000_000, maxInternalQueue: 64))
        _ = m.start()
        let r = m.handle(Event("go"))
        #expect(r.error == .internalQueueOverflow(limit: 64))
        #expect(m.isActive("a"))
        // Usable afterwards: the queue was cleared (an event `a` ignores leaves nothing behind)
        // and the next event is processed (and overflows again).
        let quiet = m.handle(Event("unrelated"))
        #expect(quiet.error == nil)
        #expect(m.configurationIDs == ["a"])
        #expect(m.handle(Event("tick")).error == .internalQueueOverflow(limit: 64))
    }
}
