import Switchyard
import SwitchyardTestSupport
import Testing

@Suite struct InstanceTests {
    @Test func conflictAndReusePolicies() async throws {
        let (engine, _) = manualEngine()
        try engine.register(counterMachine(), as: "counter")
        #expect(try await engine.start("counter", id: "a") == .started)
        await engine.enqueue(Event("tick"), to: "a")
        #expect(try await engine.start("counter", id: "a") == .existing)
        await #expect(throws: EngineError.instanceExists("a")) {
            try await engine.start("counter", id: "a", onConflict: .fail)
        }
        #expect(await engine.snapshot("a")?.value(of: "n") == .number(1))
        #expect(try await engine.start("counter", id: "a", onConflict: .terminateExisting) == .started)
        #expect(await engine.snapshot("a")?.value(of: "n") == .number(0))

        await engine.enqueue(Event("finish"), to: "a")
        await engine.quiesce()
        #expect(await engine.snapshot("a")?.status == .finished(finalState: "done"))
        await #expect(throws: EngineError.instanceFinished("a")) {
            try await engine.start("counter", id: "a", onFinished: .rejectDuplicate)
        }
        #expect(try await engine.start("counter", id: "a", onFinished: .allowDuplicate) == .started)
        await #expect(throws: EngineError.unknownDefinition("nope")) {
            try await engine.start("nope", id: "x")
        }
        #expect(throws: EngineError.duplicateRegistration("counter")) {
            try engine.register(try counterMachine(), as: "counter")
        }
    }

    @Test func stopAndQueries() async throws {
        let (engine, _) = manualEngine()
        try engine.register(counterMachine(), as: "counter")
        try await engine.start("counter", id: "q", data: [NamedValue("n", .number(10))])
        for _ in 0..<3 { await engine.enqueue(Event("tick"), to: "q") }
        await engine.quiesce()
        let s = try #require(await engine.snapshot("q"))
        #expect(s.configuration == ["counting"])
        #expect(s.value(of: "n") == .number(13))
        #expect(s.recentEvents == ["tick", "tick", "tick"])
        #expect(await engine.isActive("q", state: "counting"))
        #expect(await engine.stop("q"))
        #expect(await engine.stop("q") == false)
        await engine.enqueue(Event("tick"), to: "q")
        await engine.quiesce()
        #expect(engine.deadLetters.map(\.reason) == [.instanceFinished("q")])
        #expect(await engine.snapshot("nobody") == nil)
        #expect(engine.statistics.eventsProcessed == 3)
    }

    @Test func eventsProcessedInArrivalOrderPerInstance() async throws {
        let (engine, _) = manualEngine()
        let m = try machine(
            """
            <state id="s"><transition event="*"><assign location="log" expr="log.concat([_event.name])"/></transition></state>
            """, initial: "s", data: #"<data id="log" expr="[]"/>"#)
        try engine.register(m, as: "m")
        try await engine.start("m", id: "one")
        await engine.enqueue((0..<50).map { (instanceID: "one", event: Event("e\($0)")) })
        await engine.quiesce()
        let log = await engine.snapshot("one")?.value(of: "log")
        #expect(log == .array((0..<50).map { .string("e\($0)") }))
    }

    @Test func sendBetweenInstancesAndThroughTheRouter() async throws {
        let (engine, _) = manualEngine(shards: 3)
        let ping = try machine(
            """
            <state id="idle">
              <transition event="go" target="waiting">
                <send event="ping" target="#_instance_pong"/>
                <send event="audit.ping" target="#_router"/>
              </transition>
            </state>
            <state id="waiting"><transition event="pong" target="got"/></state>
            <final id="got"/>
            """, initial: "idle")
        let pong = try machine(
            """
            <state id="s"><transition event="ping"><send event="pong" targetexpr="'#_scxml_' + 'ping'"/></transition></state>
            """, initial: "s")
        let audit = Recorder()
        try engine.register(ping, as: "ping")
        try engine.register(pong, as: "pong")
        try engine.on("audit.*") { e in
            audit.add(e.name + " from " + (e.origin ?? "?"))
            return .continue
        }
        try await engine.start("ping", id: "ping")
        try await engine.start("pong", id: "pong")
        await engine.enqueue(Event("go"), to: "ping")
        await engine.quiesce()
        #expect(await engine.snapshot("ping")?.status == .finished(finalState: "got"))
        #expect(audit.all == ["audit.ping from #_scxml_ping"])
    }

    @Test func unsupportedTargetRaisesErrorCommunicationAndIsDeadLettered() async throws {
        let (engine, _) = manualEngine()
        let m = try machine(
            """
            <state id="s">
              <onentry><send event="x" target="#_parent"/></onentry>
              <transition event="error.communication" target="failed"/>
            </state>
            <state id="failed"/>
            """, initial: "s")
        try engine.register(m, as: "m")
        try await engine.start("m", id: "m1")
        await engine.quiesce()
        #expect(await engine.isActive("m1", state: "failed"))
        #expect(engine.deadLetters.map(\.reason) == [.unsupportedTarget("#_parent")])
    }

    @Test func customActionsReadAndWriteTheDataModel() async throws {
        let (engine, _) = manualEngine()
        try engine.registerAction("assign_reviewer") { action, context in
            guard case .string(let team)? = action.param("team") else { throw CustomActionError("no team") }
            let doc = context.value(of: "documentId")?.jsString ?? "?"
            try context.setValue(
                .string("\(team)-lead for \(doc) (\(context.event?.name ?? "start"))"), for: "reviewer")
        }
        let m = try machine(
            """
            <state id="draft">
              <transition event="submit" target="review">
                <sy:action name="assign_reviewer"><sy:param name="team" expr="team"/></sy:action>
              </transition>
              <transition event="bad" target="review">
                <sy:action name="assign_reviewer"><sy:param name="team" expr="42"/></sy:action>
              </transition>
              <transition event="unknown" target="review"><sy:action name="nope"/></transition>
            </state>
            <state id="review"><transition event="error.execution" target="failed"/></state>
            <state id="failed"/>
            """, initial: "draft",
            data: #"<data id="team" expr="'legal'"/><data id="documentId" expr="'d1'"/>"#)
        try engine.register(m, as: "m")
        try await engine.start("m", id: "ok")
        await engine.enqueue(Event("submit"), to: "ok")
        try await engine.start("m", id: "bad")
        await engine.enqueue(Event("bad"), to: "bad")
        try await engine.start("m", id: "unknown")
        await engine.enqueue(Event("unknown"), to: "unknown")
        await engine.quiesce()
        #expect(await engine.snapshot("ok")?.value(of: "reviewer") == .string("legal-lead for d1 (submit)"))
        #expect(await engine.isActive("ok", state: "review"))
        #expect(await engine.isActive("bad", state: "failed"))
        #expect(await engine.isActive("unknown", state: "failed"))
    }

    @Test func listenersSeeTheLifeCycle() async throws {
        final class L: EngineListener {
            let log = Recorder()
            func instanceStarted(instanceID: String, definition: String) { log.add("start \(instanceID)") }
            func eventReceived(instanceID: String, event: Event) { log.add("event \(event.name)") }
            func microstep(instanceID: String, trace: MicrostepTrace) { log.add("step \(trace.entered)") }
            func instanceFinished(instanceID: String, status: InstanceStatus) { log.add("end \(status)") }
            func deadLettered(_ letter: DeadLetter) { log.add("dead \(letter.reason)") }
        }
        let l = L()
        let engine = Engine(clock: ManualClock(), options: EngineOptions(shards: 1, traceMicrosteps: true))
        engine.addListener(l)
        try engine.register(counterMachine(), as: "counter")
        try await engine.start("counter", id: "c")
        await engine.enqueue(Event("finish"), to: "c")
        await engine.enqueue(Event("tick"), to: "c")
        await engine.quiesce()
        #expect(
            l.log.all == [
                "start c", "step [\"counting\"]", "event finish", "step [\"done\"]",
                "end finished(finalState: Optional(\"done\"))", "dead instance 'c' has finished",
            ])
    }
}
