import Switchyard
import Testing

/// The Swift DSL: it builds the model the loader builds, validates it the same way, and runs
/// Swift guards and actions inside the interpreter.
@Suite struct MachineDSLTests {
    static func logs(_ result: MacrostepResult) -> [String] {
        result.effects.compactMap {
            if case .log(let label, let message) = $0 { return (label.map { "\($0): " } ?? "") + message }
            return nil
        }
    }

    /// The same machine written in XML and in Swift gives the same states, transitions and
    /// microstep traces.
    @Test func dslAndXMLBuildTheSameMachine() throws {
        let xml = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="idle">
              <datamodel><data id="n" expr="0"/></datamodel>
              <state id="idle">
                <onentry><assign location="n" expr="n + 1"/></onentry>
                <transition event="go" cond="n &lt; 3" target="work"/>
              </state>
              <state id="work" initial="a">
                <history id="h" type="deep"><transition target="a"/></history>
                <state id="a"><transition event="next" target="p"/></state>
                <parallel id="p">
                  <state id="x"><state id="x1"><transition event="x" target="x2"/></state><final id="x2"/></state>
                  <state id="y"><state id="y1"/></state>
                </parallel>
                <transition event="pause" target="idle"/>
              </state>
              <state id="resume"><transition target="h"/></state>
              <final id="done"/>
            </scxml>
            """
        let fromXML = try MachineDefinition.load(bytes: Array(xml.utf8))
        let fromSwift = try Machine(initial: "idle") {
            Variable("n", expr: "0")
            State("idle") {
                OnEntry { Assign("n", "n + 1") }
                On("go", to: "work", guard: "n < 3")
            }
            State("work", initial: "a") {
                History("h", .deep, default: "a")
                State("a") { On("next", to: "p") }
                Parallel("p") {
                    State("x") {
                        State("x1") { On("x", to: "x2") }
                        Final("x2")
                    }
                    State("y") { State("y1") }
                }
                On("pause", to: "idle")
            }
            State("resume") { Always(to: "h") }
            Final("done")
        }.compile()
        #expect(fromSwift.stateIDs == fromXML.stateIDs)
        #expect(fromSwift.transitionCount == fromXML.transitionCount)
        let events = ["go", "next", "x", "pause", "go", "next", "pause", "go"]
        #expect(try trace(fromSwift, events) == trace(fromXML, events))
        var run = Interpreter(definition: fromSwift, sessionID: "s")
        _ = run.start()
        for e in ["go", "next", "x", "pause"] { _ = run.handle(Event(e)) }
        #expect(run.configurationIDs == ["idle"])
        #expect(run.value(of: "n") == .number(2))
    }

    func trace(_ definition: MachineDefinition, _ events: [String]) throws -> [MicrostepTrace] {
        var run = Interpreter(
            definition: definition, sessionID: "t", options: InterpreterOptions(tracing: true))
        var all = run.start().trace
        for e in events { all += run.handle(Event(e)).trace }
        return all
    }

    @Test func duplicateIDIsATypedErrorAtTheSwiftLine() throws {
        let line = #line + 3
        let machine = Machine {
            State("a")
            State("a")
        }
        #expect {
            _ = try machine.compile()
        } throws: { error in
            guard let list = error as? DiagnosticList, let first = list.errors.first else { return false }
            return list.errors.count == 1
                && first.message == "duplicate state id 'a' (first defined at line \(line - 1), column 18)"
                && first.location
                    == SourceLocation(file: "SwitchyardTests/MachineDSLTests.swift", line: line, column: 18)
        }
    }

    @Test func unknownTargetNamesTheTarget() throws {
        let machine = Machine {
            State("a") { On("go", to: "ghost") }
        }
        do {
            _ = try machine.compile()
            Issue.record("compiled a machine with an unknown target")
        } catch {
            #expect(error.errors.map(\.message) == ["transition target 'ghost' does not exist"])
        }
    }

    @Test func invalidDelayIsAnError() throws {
        let machine = Machine {
            State("a") { OnEntry { Send("tick", delay: "soon") } }
        }
        do {
            _ = try machine.compile()
            Issue.record("compiled a send with an invalid delay")
        } catch {
            #expect(
                error.errors.map(\.message) == [
                    "invalid delay 'soon': expected a number with a unit (ms, s, m, h, d), e.g. '500ms' or '2s'"
                ])
        }
    }

    @Test func sendWithDelayRunsOnTheDriverClock() throws {
        let definition = try Machine(initial: "waiting") {
            State("waiting") {
                OnEntry { Send("timeout", delay: "24h", id: "t1") }
                On("timeout", to: "expired")
            }
            Final("expired")
        }.compile()
        let clock = ManualClock()
        let driver = InstanceRunner(definition: definition, sessionID: "d", clock: clock)
        driver.start()
        #expect(driver.top.configurationIDs == ["waiting"])
        clock.advance(by: .seconds(24 * 3600))
        driver.fireDueTimers()
        #expect(driver.isFinished)
    }

    @Test func contentAtTheTopLevelIsAnError() throws {
        let machine = Machine {
            State("a")
            On("go", to: "a")
        }
        do {
            _ = try machine.compile()
            Issue.record("compiled a machine with a top-level transition")
        } catch {
            #expect(
                error.errors.map(\.message) == [
                    "a transition must be inside a state, not at the top level of a machine"
                ])
        }
    }

    @Test func swiftGuardSeesEventAndVariables() throws {
        let definition = try Machine(initial: "idle") {
            Variable("limit", .number(100))
            State("idle") {
                On("order", to: "big").when { $0.eventData.jsNumber > $0["limit"].jsNumber }
                On("order", to: "small").when { $0.eventName == "order" }
            }
            State("big") { On("reset", to: "idle") }
            State("small") { On("reset", to: "idle") }
        }.compile()
        var run = Interpreter(definition: definition, sessionID: "g")
        _ = run.start()
        _ = run.handle(Event("order", data: .number(150)))
        #expect(run.configurationIDs == ["big"])
        _ = run.handle(Event("reset"))
        _ = run.handle(Event("order", data: .number(50)))
        #expect(run.configurationIDs == ["small"])
    }

    @Test func expressionAndSwiftGuardMustBothHold() throws {
        let definition = try Machine(initial: "idle") {
            Variable("open", .bool(false))
            State("idle") {
                On("go", to: "done", guard: "open").when { _ in true }
                On("open") { Assign("open", "true") }
            }
            Final("done")
        }.compile()
        var run = Interpreter(definition: definition, sessionID: "g")
        _ = run.start()
        _ = run.handle(Event("go"))
        #expect(run.configurationIDs == ["idle"])
        _ = run.handle(Event("open"))
        _ = run.handle(Event("go"))
        #expect(run.isFinished)
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused" }
    }

    @Test func throwingGuardRaisesErrorExecution() throws {
        let definition = try Machine(initial: "idle") {
            State("idle") {
                On("go", to: "wrong").when { _ in throw Refused() }
                On("go", to: "fallback")
            }
            State("fallback") {
                On("error.execution", to: "failed") { Log("_event.data.message") }
            }
            State("wrong")
            State("failed")
        }.compile()
        var run = Interpreter(definition: definition, sessionID: "g")
        _ = run.start()
        let step = run.handle(Event("go"))
        #expect(run.configurationIDs == ["failed"])
        #expect(Self.logs(step) == ["type error: _dsl_guard_1 failed: refused"])
    }

    @Test func swiftActionsReadAndWriteTheDataModel() throws {
        let definition = try Machine(initial: "draft") {
            Variable("reviewer", expr: "null")
            State("draft") { On("submit", to: "review") }
            State("review") {
                OnEntry {
                    Execute("assign_reviewer") { action, context in
                        let who = context.event?.data.jsString ?? "?"
                        try context.setValue(.string("reviewer for \(who)"), for: "reviewer")
                    }
                    Log("reviewer")
                }
                OnExit {
                    Execute { _, _ in throw Refused() }
                    Log("'not reached'")
                }
                On("done", to: "closed")
            }
            State("closed") { OnEntry { Log("'closed'") } }
        }.compile()
        var run = Interpreter(definition: definition, sessionID: "a")
        _ = run.start()
        let submit = run.handle(Event("submit", data: .string("doc-7")))
        #expect(run.value(of: "reviewer") == .string("reviewer for doc-7"))
        #expect(Self.logs(submit) == ["reviewer for doc-7"])
        let done = run.handle(Event("done"))
        #expect(Self.logs(done) == ["closed"])
        #expect(run.configurationIDs == ["closed"])
    }

    @Test func throwingActionRaisesErrorExecution() throws {
        let definition = try Machine(initial: "a") {
            State("a") {
                OnEntry { Execute { _, _ in throw Refused() } }
                On("error.execution", to: "b") { Log("_event.data.message") }
            }
            State("b")
        }.compile()
        var run = Interpreter(definition: definition, sessionID: "a")
        let start = run.start()
        #expect(run.configurationIDs == ["b"])
        #expect(Self.logs(start) == ["action '_dsl_action_1' failed: refused"])
    }

    @Test func duplicateSwiftActionNamesAreAnError() throws {
        let machine = Machine {
            State("a") {
                OnEntry { Execute("x") { _, _ in } }
                OnExit { Execute("x") { _, _ in } }
            }
        }
        do {
            _ = try machine.compile()
            Issue.record("compiled two actions with one name")
        } catch {
            #expect(error.errors.map(\.message) == ["two Swift actions are named 'x'"])
        }
    }

    /// `Execute(named:)` calls the interpreter's action handler, like `<sy:action>` in XML.
    @Test func namedActionGoesToTheActionHandler() throws {
        struct Handler: CustomActionHandler {
            func perform(_ action: CustomAction, context: inout CustomActionContext) throws {
                try context.setValue(.string(action.name), for: "called")
            }
        }
        let definition = try Machine {
            Variable("called", expr: "''")
            State("a") { OnEntry { Execute(named: "notify") } }
        }.compile()
        var run = Interpreter(definition: definition, sessionID: "h")
        run.actionHandler = Handler()
        _ = run.start()
        #expect(run.value(of: "called") == .string("notify"))
    }

    /// Bindings work for XML documents too: a bound function in a `cond`, a bound action for
    /// `<sy:action>` (tried before the action handler).
    @Test func bindingsServeXMLDocuments() throws {
        let xml = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1"
                   version="1.0" datamodel="ecmascript">
              <datamodel><data id="x" expr="0"/></datamodel>
              <state id="a">
                <onentry><sy:action name="bump"/></onentry>
                <transition event="go" cond="isBig(x * 10)" target="b"/>
              </state>
              <state id="b"/>
            </scxml>
            """
        let bindings = HostBindings(
            functions: ["isBig": { args in .bool((args.first?.jsNumber ?? 0) > 50) }],
            actions: ["bump": { _, context in try context.setValue(.number(7), for: "x") }])
        let definition = try MachineDefinition.load(bytes: Array(xml.utf8), bindings: bindings)
        var run = Interpreter(definition: definition, sessionID: "x")
        _ = run.start()
        #expect(run.value(of: "x") == .number(7))
        _ = run.handle(Event("go"))
        #expect(run.configurationIDs == ["b"])
    }

    /// Swift guards and actions travel with the definition: the engine runs them too, beside
    /// its own registered actions.
    @Test func engineRunsSwiftGuardsAndActions() async throws {
        let definition = try Machine(initial: "idle") {
            Variable("stamp", expr: "''")
            Variable("audit", expr: "''")
            State("idle") {
                On("go", to: "done").when { $0.eventData.jsString == "yes" }
                On("go", to: "refused")
            }
            Final("done") {
                OnEntry {
                    Execute { _, context in try context.setValue(.string("swift"), for: "stamp") }
                    Execute(named: "audit")
                }
            }
            Final("refused")
        }.compile()
        let engine = Engine(clock: ManualClock())
        try engine.register(definition, as: "dsl")
        try engine.registerAction("audit") { _, context in
            try context.setValue(.string("engine"), for: "audit")
        }
        try await engine.start("dsl", id: "a")
        try await engine.start("dsl", id: "b")
        await engine.enqueue(Event("go", data: .string("yes")), to: "a")
        await engine.enqueue(Event("go", data: .string("no")), to: "b")
        await engine.quiesce()
        let a = await engine.snapshot("a")
        #expect(a?.status == .finished(finalState: "done"))
        #expect(a?.data.first { $0.name == "stamp" }?.value == .string("swift"))
        #expect(a?.data.first { $0.name == "audit" }?.value == .string("engine"))
        #expect(await engine.snapshot("b")?.status == .finished(finalState: "refused"))
    }

    @Test func bindingAFunctionNamedInIsAnError() throws {
        let document = SCXMLDocument(states: [StateNode(kind: .state, id: "a")])
        do {
            _ = try MachineDefinition.compile(
                document,
                bindings: HostBindings(functions: ["In": { _ in .bool(true) }, "a b": { _ in .null }]))
            Issue.record("compiled with a function named In")
        } catch {
            #expect(
                error.errors.map(\.message) == [
                    "cannot bind a Swift function named 'In'", "cannot bind a Swift function named 'a b'",
                ])
        }
    }
}
