import Switchyard
import SwitchyardTestSupport
import Testing

/// The README's engine snippet, kept compiling and true (with an inline machine for the file).
@Suite struct ReadmeEngineTests {
    @Test func engineSnippet() async throws {
        let engine = Engine(clock: ManualClock())
        let document = try machine(
            """
            <state id="submitted">
              <transition event="document.approved" target="approved"/>
              <transition event="approve" target="approved"/>
            </state>
            <final id="approved"/>
            """, initial: "submitted",
            data: #"<data id="documentId"/><data id="title"/><data id="reviewer"/>"#)
        try engine.register(document, as: "document", correlation: "_event.data.documentId")
        try engine.trigger(
            "document.submitted", start: "document",
            instanceID: "'doc-' + _event.data.documentId")
        let big = Recorder()
        try engine.on("document.*", filter: "_event.data.amount > 1000", priority: 10) { event in
            big.add(event.name)
            return .continue
        }
        try engine.registerAction("assign_reviewer") { _, context in
            try context.setValue(.string("alice"), for: "reviewer")
        }
        try engine.registerActivity(
            "charge",
            options: ActivityOptions(
                timeout: .seconds(30),
                retry: RetryPolicy(initialInterval: .seconds(1), backoffCoefficient: 2, maximumAttempts: 5),
                compensation: "refund")
        ) { input in
            .string("charged \(input.param("order")?.jsString ?? "")")
        }

        await engine.publish(
            Event("document.submitted", data: .object(JSObject([("documentId", .string("42"))]))))
        await engine.publish(
            Event("document.approved", data: .object(JSObject([("documentId", .string("42"))]))))
        try await engine.start(
            "document", id: "doc-7", data: [NamedValue("title", .string("Plan"))],
            onConflict: .fail, onFinished: .rejectDuplicate)
        await engine.enqueue(Event("approve"), to: "doc-7")
        await engine.quiesce()
        let snap = await engine.snapshot("doc-7")
        #expect(snap?.status == .finished(finalState: "approved"))
        #expect(snap?.value(of: "title") == .string("Plan"))
        #expect(await engine.snapshot("doc-42")?.status == .finished(finalState: "approved"))
        #expect(big.all.isEmpty)
        #expect(engine.deadLetters.isEmpty)
    }
}
