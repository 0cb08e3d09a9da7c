import Switchyard
import SwitchyardTestSupport
import Testing

/// The "Engine" snippet of the README, kept compiling and true (with a small machine in place
/// of `document.scxml` and a manual clock).
@Suite struct ReadmeEngineSnippetTests {
    static let document = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript" initial="submitted">
          <datamodel><data id="reviewer"/><data id="title"/><data id="documentId"/></datamodel>
          <state id="submitted">
            <onentry><sy:action name="assign_reviewer"/></onentry>
            <transition event="approve" target="approved"/>
            <transition event="document.approved" target="approved"/>
          </state>
          <final id="approved"/>
        </scxml>
        """

    @Test func snippetRuns() async throws {
        let engine = Engine(clock: ManualClock())
        try engine.register(
            try MachineDefinition.load(bytes: Array(Self.document.utf8), file: "document.scxml"),
            as: "document",
            correlation: "_event.data.documentId")
        try engine.trigger(
            "document.submitted", start: "document", instanceID: "'doc-' + _event.data.documentId")
        try engine.on("document.*", filter: "_event.data.amount > 1000", priority: 10) { event in
            print("big document event", event.name)
            return .continue
        }
        try engine.registerAction("assign_reviewer") { action, context in
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
        await engine.quiesce()
        #expect(await engine.snapshot("doc-42")?.configuration == ["submitted"])
        await engine.publish(
            Event("document.approved", data: .object(JSObject([("documentId", .string("42"))]))))
        try await engine.start(
            "document", id: "doc-7", data: [NamedValue("title", .string("Plan"))], onConflict: .fail,
            onFinished: .rejectDuplicate)
        await engine.enqueue(Event("approve"), to: "doc-7")
        await engine.quiesce()
        let snap = await engine.snapshot("doc-7")
        #expect(snap?.data.first { $0.name == "reviewer" }?.value == .string("alice"))
        #expect(await engine.snapshot("doc-42")?.status == .finished(finalState: "approved"))
    }
}
