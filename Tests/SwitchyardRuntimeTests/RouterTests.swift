import Switchyard
import SwitchyardTestSupport
import Testing

@Suite struct RouterTests {
    @Test func priorityOrderStopAndWildcards() async throws {
        let (engine, _) = manualEngine()
        let log = Recorder()
        try engine.on("document.submitted", priority: 1) { _ in
            log.add("exact-1")
            return .continue
        }
        try engine.on("*", priority: 10) { e in
            log.add("any-10:\(e.name)")
            return .continue
        }
        try engine.on("document.*", priority: 5) { _ in
            log.add("prefix-5a")
            return .continue
        }
        try engine.on("document.*", priority: 5) { _ in
            log.add("prefix-5b")
            return .continue
        }
        try engine.on("other.*") { _ in
            log.add("other")
            return .continue
        }
        await engine.publish(Event("document.submitted"))
        #expect(log.all == ["any-10:document.submitted", "prefix-5a", "prefix-5b", "exact-1"])

        let stopper = try engine.on("document.submitted", priority: 7) { _ in
            log.add("stop-7")
            return .stop
        }
        await engine.publish(Event("document.submitted"))
        #expect(log.all.suffix(2) == ["any-10:document.submitted", "stop-7"])
        #expect(engine.removeHandler(stopper))
        await engine.publish(Event("document.submitted"))
        #expect(log.all.suffix(4) == ["any-10:document.submitted", "prefix-5a", "prefix-5b", "exact-1"])
        #expect(throws: EngineError.invalidTopic("a*b")) { try engine.on("a*b") { _ in .continue } }
    }

    @Test func filtersSeeTheEventAndFilterErrorsAreDeadLettered() async throws {
        let (engine, _) = manualEngine()
        let log = Recorder()
        try engine.on("order.placed", filter: "_event.data.amount > 100") { _ in
            log.add("big")
            return .continue
        }
        try engine.on("order.placed", filter: "_event.data.amount <= 100") { _ in
            log.add("small")
            return .continue
        }
        let broken = try engine.on("order.placed", filter: "_event.data.missing.deeper == 1") { _ in
            log.add("never")
            return .continue
        }
        let out = await engine.publish(Event("order.placed", data: object([("amount", .number(500))])))
        #expect(log.all == ["big"])
        #expect(out.handlers.count == 1)
        let letters = engine.deadLetters
        #expect(letters.count == 1)
        if case .filterError(let h, _) = letters.first?.reason {
            #expect(h == broken)
        } else {
            Issue.record("expected a filter error, got \(String(describing: letters.first?.reason))")
        }
        #expect(throws: EngineError.self) { try engine.on("x", filter: "1 +") { _ in .continue } }
    }

    @Test func unroutedEventsAreDeadLetteredAndReplayable() async throws {
        let (engine, _) = manualEngine()
        let log = Recorder()
        let out = await engine.publish(Event("nobody.listens"))
        #expect(out.deadLetter == .noRoute)
        await engine.enqueue(Event("tick"), to: "ghost")
        await engine.quiesce()
        let reasons = engine.deadLetters.map(\.reason)
        #expect(reasons == [.noRoute, .noSuchInstance("ghost")])

        try engine.on("nobody.listens") { e in
            log.add(e.name)
            return .continue
        }
        try engine.register(counterMachine(), as: "counter")
        try await engine.start("counter", id: "ghost")
        #expect(await engine.replayDeadLetters() == 2)
        await engine.quiesce()
        #expect(log.all == ["nobody.listens"])
        #expect(await engine.snapshot("ghost")?.value(of: "n") == .number(1))
        #expect(engine.deadLetters.isEmpty)
    }

    @Test func triggersStartInstancesAndCorrelationFindsThem() async throws {
        let (engine, _) = manualEngine()
        let doc = try machine(
            """
            <state id="submitted">
              <transition event="document.approved" target="approved"/>
            </state>
            <final id="approved"/>
            """, initial: "submitted", data: #"<data id="documentId"/><data id="title" expr="'untitled'"/>"#)
        try engine.register(doc, as: "document", correlation: "_event.data.documentId")
        let trigger = try engine.trigger(
            "document.submitted", start: "document", instanceID: "'doc-' + _event.data.documentId")
        let submitted = Event(
            "document.submitted", data: object([("documentId", .string("42")), ("title", .string("Plan"))]))
        let out = await engine.publish(submitted)
        #expect(out.handlers == [trigger])
        #expect(out.startedInstances == ["doc-42"])
        // The sender does not know the instance id: correlation finds it.
        let approved = await engine.publish(
            Event("document.approved", data: object([("documentId", .string("42"))])))
        #expect(approved.correlatedInstances == ["doc-42"])
        await engine.quiesce()
        let snap = try #require(await engine.snapshot("doc-42"))
        #expect(snap.value(of: "title") == .string("Plan"))
        #expect(snap.status == .finished(finalState: "approved"))
        #expect(snap.recentEvents == ["document.approved"])
        // Correlated to a finished instance: dead-lettered with the reason.
        await engine.publish(Event("document.approved", data: object([("documentId", .string("42"))])))
        await engine.quiesce()
        // No instance for this key and no other route.
        let unknown = await engine.publish(
            Event("document.approved", data: object([("documentId", .string("7"))])))
        #expect(unknown.deadLetter == .noRoute)
        await engine.quiesce()
        #expect(engine.deadLetters.map(\.reason) == [.instanceFinished("doc-42"), .noRoute])
    }

    @Test func triggerConflictFailureIsDeadLettered() async throws {
        let (engine, _) = manualEngine()
        try engine.register(counterMachine(), as: "counter")
        let t = try engine.trigger("go", start: "counter", instanceID: "_event.data.id", onConflict: .fail)
        await engine.publish(Event("go", data: object([("id", .string("c1"))])))
        await engine.publish(Event("go", data: object([("id", .string("c1"))])))
        await engine.publish(Event("go", data: object([("id", .number(3))])))
        await engine.quiesce()
        #expect(await engine.snapshot("3")?.status == .running)
        let letters = engine.deadLetters
        #expect(letters.count == 1)
        #expect(
            letters.first?.reason
                == .triggerFailed(handler: t, message: EngineError.instanceExists("c1").description))
    }
}
