import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// `machines/document_approval.scxml` in a real ``Engine`` on a ``ManualClock``, with the Swift
/// action `assign_reviewer` registered. Every scenario asserts the exact configuration, the
/// audit trail and the transitions taken after each step; ``everyStateAndTransitionIsCovered()``
/// runs all scenarios and checks that together they enter every state and take every transition
/// of the loaded file (so a state or transition added without a test fails it).
@Suite struct DocumentApprovalMachineTests {
    static let hour: Int64 = 3600

    /// One engine with the shipped machine, the action, and a microstep log.
    final class Harness: Sendable {
        let engine: Engine
        let clock: ManualClock
        let log = EngineLog()
        let assignments = Recorder()

        init() throws {
            clock = ManualClock()
            engine = Engine(clock: clock, options: EngineOptions(shards: 2, traceMicrosteps: true))
            engine.addListener(log)
            try engine.register(loadShippedMachine("document_approval"), as: "approval")
            let people = ["reviewer": "rita", "manager": "mona", "legal": "lee", "finance": "fay"]
            let assignments = self.assignments
            try engine.registerAction("assign_reviewer") { action, context in
                guard case .string(let role)? = action.param("role"), let person = people[role] else {
                    throw CustomActionError("no one for role \(action.param("role")?.jsString ?? "?")")
                }
                var assignees = JSObject()
                if case .object(let o)? = context.value(of: "assignees") { assignees = o }
                assignees[role] = .string(person)
                try context.setValue(.object(assignees), for: "assignees")
                let title = action.param("title")?.jsString ?? ""
                let amount = action.param("amount")?.jsString ?? ""
                assignments.add("\(context.sessionID): \(role)=\(person) (\(title), \(amount))")
            }
        }

        func start(_ id: String, title: String = "Plan", amount: Double = 5000) async throws {
            try await engine.start(
                "approval", id: id,
                data: [NamedValue("title", .string(title)), NamedValue("amount", .number(amount))],
                onConflict: .fail)
        }

        /// Sends an event with `{by: ..., ...}` data and waits until the engine is idle.
        func send(_ id: String, _ name: String, by: String? = nil, _ more: [(String, Value)] = []) async {
            var pairs: [(String, Value)] = []
            if let by { pairs.append(("by", .string(by))) }
            pairs += more
            await engine.enqueue(Event(name, data: pairs.isEmpty ? .undefined : object(pairs)), to: id)
            await engine.quiesce()
        }

        func advance(hours: Int64, seconds: Int64 = 0) async throws {
            try await engine.advance(by: .seconds(hours * DocumentApprovalMachineTests.hour + seconds))
        }

        func snapshot(_ id: String) async throws -> InstanceSnapshot {
            try #require(await engine.snapshot(id))
        }

        /// The audit trail as `n event from>to by` lines.
        func audit(_ id: String) async throws -> [String] {
            guard case .array(let entries)? = try await snapshot(id).value(of: "audit") else {
                return ["no audit"]
            }
            return entries.map { e in
                let f = { (name: String) in member(e, name)?.jsString ?? "?" }
                return "\(f("n")) \(f("event")) \(f("from"))>\(f("to")) \(f("by"))"
            }
        }

        /// The configuration, stage and audit trail, asserted together.
        func expect(
            _ id: String, _ configuration: [String], stage: String, audit: [String],
            sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) async throws {
            let s = try await snapshot(id)
            #expect(s.configuration == configuration, sourceLocation: sourceLocation)
            #expect(s.value(of: "stage") == .string(stage), sourceLocation: sourceLocation)
            #expect(try await self.audit(id) == audit, sourceLocation: sourceLocation)
        }

        /// Pending timers as `sendID@hours` (hours from the clock's epoch).
        func timers(_ id: String) async throws -> [String] {
            try await snapshot(id).pendingTimers.map {
                let seconds = $0.dueNanoseconds / 1_000_000_000
                return seconds % DocumentApprovalMachineTests.hour == 0
                    ? "\($0.sendID)@\(seconds / DocumentApprovalMachineTests.hour)h"
                    : "\($0.sendID)@\(seconds)s"
            }
        }
    }

    static let reviewing = ["open", "in_review", "awaiting_reviewer"]
    static let escalated = ["open", "in_review", "escalated"]
    static let secondReview = [
        "open", "second_review", "legal", "legal_pending", "finance", "finance_pending",
    ]

    // MARK: Scenarios (each uses its own instance ids; the coverage test runs them all)

    /// Draft, submit, approve (amount below 10,000): no second review; timeouts cancelled.
    static func approveSmallAmount(_ h: Harness) async throws {
        try await h.start("small", title: "Team offsite", amount: 5000)
        try await h.expect("small", ["open", "draft"], stage: "draft", audit: [])
        #expect(try await h.timers("small") == [])
        // An event the current state does not handle changes nothing.
        await h.send("small", "approve", by: "rita")
        try await h.expect("small", ["open", "draft"], stage: "draft", audit: [])

        await h.send("small", "submit", by: "ann")
        try await h.expect(
            "small", reviewing, stage: "awaiting_reviewer", audit: ["1 submit draft>awaiting_reviewer ann"])
        #expect(
            try await h.timers("small") == ["sy.timeout.awaiting_reviewer@24h", "sy.timeout.in_review@72h"])
        #expect(try await h.snapshot("small").value(of: "revision") == .number(1))
        #expect(try await json(h.snapshot("small").value(of: "assignees")) == #"{"reviewer":"rita"}"#)
        #expect(
            h.log.microsteps(of: "small").last
                == MicrostepTrace(
                    event: "submit", transitions: ["draft -[submit]-> in_review"], exited: ["draft"],
                    entered: ["in_review", "awaiting_reviewer"]))

        await h.send("small", "approve", by: "rita")
        let s = try await h.snapshot("small")
        #expect(s.status == .finished(finalState: "approved"))
        #expect(s.configuration == [])
        #expect(s.value(of: "outcome") == .string("approved"))
        #expect(s.pendingTimers.isEmpty)
        #expect(
            try await h.audit("small") == [
                "1 submit draft>awaiting_reviewer ann", "2 approve awaiting_reviewer>approved rita",
            ])
        #expect(
            h.log.transitions(of: "small") == [
                "draft -[submit]-> in_review", "in_review -[approve]-> approved",
            ])
        #expect(
            h.assignments.all.filter { $0.hasPrefix("small:") } == [
                "small: reviewer=rita (Team offsite, 5000)"
            ])
        // A finished instance takes no more events: they are dead-lettered, not lost.
        await h.send("small", "withdraw", by: "ann")
        #expect(
            h.engine.deadLetters.contains {
                $0.instanceID == "small" && $0.event.name == "withdraw"
                    && $0.reason == .instanceFinished("small")
            })
    }

    /// Changes requested, resubmitted with a new amount (revision 2), then rejected.
    static func changesThenResubmitThenReject(_ h: Harness) async throws {
        try await h.start("changes", amount: 7000)
        await h.send("changes", "submit", by: "ann")
        await h.send("changes", "request_changes", by: "rita", [("reason", .string("add a budget"))])
        try await h.expect(
            "changes", ["open", "changes_requested"], stage: "changes_requested",
            audit: [
                "1 submit draft>awaiting_reviewer ann",
                "2 request_changes awaiting_reviewer>changes_requested rita",
            ])
        var s = try await h.snapshot("changes")
        #expect(s.value(of: "reason") == .string("add a budget"))
        #expect(s.pendingTimers.isEmpty)

        await h.send(
            "changes", "resubmit", by: "ann", [("amount", .number(8000)), ("title", .string("Plan v2"))])
        try await h.expect(
            "changes", reviewing, stage: "awaiting_reviewer",
            audit: [
                "1 submit draft>awaiting_reviewer ann",
                "2 request_changes awaiting_reviewer>changes_requested rita",
                "3 resubmit changes_requested>awaiting_reviewer ann",
            ])
        s = try await h.snapshot("changes")
        #expect(s.value(of: "revision") == .number(2))
        #expect(s.value(of: "amount") == .number(8000))
        #expect(s.value(of: "title") == .string("Plan v2"))
        #expect(s.value(of: "reason") == .null)

        await h.send("changes", "reject", by: "rita", [("reason", .string("out of scope"))])
        s = try await h.snapshot("changes")
        #expect(s.status == .finished(finalState: "rejected"))
        #expect(s.value(of: "outcome") == .string("rejected"))
        #expect(s.value(of: "reason") == .string("out of scope"))
        #expect(s.value(of: "stage") == .string("rejected"))
        #expect(try await h.audit("changes").last == "4 reject awaiting_reviewer>rejected rita")
        #expect(
            h.log.transitions(of: "changes") == [
                "draft -[submit]-> in_review", "in_review -[request_changes]-> changes_requested",
                "changes_requested -[resubmit]-> in_review", "in_review -[reject]-> rejected",
            ])
        #expect(
            h.assignments.all.filter { $0.hasPrefix("changes:") } == [
                "changes: reviewer=rita (Plan, 7000)", "changes: reviewer=rita (Plan v2, 8000)",
            ])
    }

    /// No decision for 24h escalates to the manager; the manager's decision cancels the 72h
    /// timeout (nothing happens when time passes afterwards).
    static func escalationAfter24Hours(_ h: Harness) async throws {
        try await h.start("slow")
        await h.send("slow", "submit", by: "ann")
        try await h.advance(hours: 23, seconds: 3599)
        try await h.expect(
            "slow", reviewing, stage: "awaiting_reviewer", audit: ["1 submit draft>awaiting_reviewer ann"])
        try await h.advance(hours: 0, seconds: 1)
        try await h.expect(
            "slow", escalated, stage: "escalated",
            audit: [
                "1 submit draft>awaiting_reviewer ann",
                "2 timeout.awaiting_reviewer awaiting_reviewer>escalated system",
            ])
        #expect(try await h.timers("slow") == ["sy.timeout.in_review@72h"])
        #expect(
            try await json(h.snapshot("slow").value(of: "assignees"))
                == #"{"reviewer":"rita","manager":"mona"}"#)
        #expect(
            h.log.microsteps(of: "slow").last
                == MicrostepTrace(
                    event: "timeout.awaiting_reviewer",
                    transitions: ["awaiting_reviewer -[timeout.awaiting_reviewer]-> escalated"],
                    exited: ["awaiting_reviewer"], entered: ["escalated"]))

        try await h.advance(hours: 6)  // 30h: the manager approves
        await h.send("slow", "approve", by: "mona")
        #expect(try await h.snapshot("slow").status == .finished(finalState: "approved"))
        #expect(try await h.timers("slow") == [])
        try await h.advance(hours: 100)
        let s = try await h.snapshot("slow")
        #expect(s.value(of: "outcome") == .string("approved"))
        #expect(
            try await h.audit("slow") == [
                "1 submit draft>awaiting_reviewer ann",
                "2 timeout.awaiting_reviewer awaiting_reviewer>escalated system",
                "3 approve escalated>approved mona",
            ])
        #expect(s.recentEvents == ["submit", "timeout.awaiting_reviewer", "approve"])
    }

    /// No decision at all: escalated at 24h, auto-rejected at 72h.
    static func autoRejectAfter72Hours(_ h: Harness) async throws {
        try await h.start("silent")
        await h.send("silent", "submit", by: "ann")
        try await h.advance(hours: 24)
        #expect(try await h.snapshot("silent").configuration == escalated)
        try await h.advance(hours: 47, seconds: 3599)
        #expect(try await h.snapshot("silent").configuration == escalated)
        try await h.advance(hours: 0, seconds: 1)
        let s = try await h.snapshot("silent")
        #expect(s.status == .finished(finalState: "rejected"))
        #expect(s.value(of: "outcome") == .string("auto-rejected"))
        #expect(s.value(of: "reason") == .string("no decision within 72h"))
        #expect(
            try await h.audit("silent") == [
                "1 submit draft>awaiting_reviewer ann",
                "2 timeout.awaiting_reviewer awaiting_reviewer>escalated system",
                "3 timeout.in_review escalated>rejected system",
            ])
        #expect(
            h.log.transitions(of: "silent") == [
                "draft -[submit]-> in_review", "awaiting_reviewer -[timeout.awaiting_reviewer]-> escalated",
                "in_review -[timeout.in_review]-> rejected",
            ])
        #expect(h.clock.now() == 72 * hour * 1_000_000_000)
    }

    /// A decision inside 24h cancels both timeouts; resubmitting starts them again from then.
    static func decisionInTimeCancelsTimeouts(_ h: Harness) async throws {
        try await h.start("prompt")
        await h.send("prompt", "submit", by: "ann")
        try await h.advance(hours: 23)
        await h.send("prompt", "request_changes", by: "rita")
        #expect(try await h.timers("prompt") == [])
        try await h.advance(hours: 100)  // now 123h
        try await h.expect(
            "prompt", ["open", "changes_requested"], stage: "changes_requested",
            audit: [
                "1 submit draft>awaiting_reviewer ann",
                "2 request_changes awaiting_reviewer>changes_requested rita",
            ])
        await h.send("prompt", "resubmit", by: "ann")
        #expect(
            try await h.timers("prompt") == [
                "sy.timeout.awaiting_reviewer@147h", "sy.timeout.in_review@195h",
            ])
        try await h.advance(hours: 24)
        #expect(try await h.snapshot("prompt").configuration == escalated)
    }

    /// Amount ≥ 10,000: the reviewer's approval starts legal and finance in parallel; both
    /// approving finishes the parallel state (done.state.second_review) and approves.
    static func secondReviewBothApprove(_ h: Harness) async throws {
        try await h.start("big", title: "Acquisition", amount: 25000)
        await h.send("big", "submit", by: "ann")
        await h.send("big", "approve", by: "rita")
        try await h.expect(
            "big", secondReview, stage: "second_review",
            audit: ["1 submit draft>awaiting_reviewer ann", "2 approve awaiting_reviewer>second_review rita"])
        #expect(try await h.timers("big") == [])
        #expect(
            try await json(h.snapshot("big").value(of: "assignees"))
                == #"{"reviewer":"rita","legal":"lee","finance":"fay"}"#)
        #expect(
            h.log.microsteps(of: "big").last
                == MicrostepTrace(
                    event: "approve", transitions: ["in_review -[approve]-> second_review"],
                    exited: ["awaiting_reviewer", "in_review"],
                    entered: ["second_review", "legal", "legal_pending", "finance", "finance_pending"]))

        await h.send("big", "finance.approve", by: "fay")
        try await h.expect(
            "big", ["open", "second_review", "legal", "legal_pending", "finance", "finance_approved"],
            stage: "second_review",
            audit: [
                "1 submit draft>awaiting_reviewer ann", "2 approve awaiting_reviewer>second_review rita",
                "3 finance.approve second_review>finance_approved fay",
            ])
        h.log.clear()
        await h.send("big", "legal.approve", by: "lee")
        let s = try await h.snapshot("big")
        #expect(s.status == .finished(finalState: "approved"))
        #expect(s.value(of: "outcome") == .string("approved"))
        #expect(
            try await h.audit("big").suffix(2) == [
                "4 legal.approve second_review>legal_approved lee",
                "5 done.state.second_review second_review>approved system",
            ])
        #expect(
            h.log.microsteps(of: "big") == [
                MicrostepTrace(
                    event: "legal.approve", transitions: ["legal_pending -[legal.approve]-> legal_approved"],
                    exited: ["legal_pending"], entered: ["legal_approved"]),
                MicrostepTrace(
                    event: "done.state.second_review",
                    transitions: ["second_review -[done.state.second_review]-> approved"],
                    exited: [
                        "finance_approved", "finance", "legal_approved", "legal", "second_review", "open",
                    ],
                    entered: ["approved"]),
            ])
    }

    /// Either second reviewer rejecting rejects the document (and leaves the other region).
    static func secondReviewRejections(_ h: Harness) async throws {
        try await h.start("legal-no", amount: 10000)  // exactly 10,000 needs the second review
        await h.send("legal-no", "submit", by: "ann")
        await h.send("legal-no", "approve", by: "rita")
        await h.send("legal-no", "legal.reject", by: "lee", [("reason", .string("liability"))])
        var s = try await h.snapshot("legal-no")
        #expect(s.status == .finished(finalState: "rejected"))
        #expect(s.value(of: "reason") == .string("liability"))
        #expect(try await h.audit("legal-no").last == "3 legal.reject second_review>rejected lee")
        #expect(h.log.transitions(of: "legal-no").last == "legal_pending -[legal.reject]-> rejected")

        try await h.start("finance-no", amount: 12000)
        await h.send("finance-no", "submit", by: "ann")
        await h.send("finance-no", "approve", by: "rita")
        await h.send("finance-no", "legal.approve", by: "lee")
        await h.send("finance-no", "finance.reject", by: "fay", [("reason", .string("no budget"))])
        s = try await h.snapshot("finance-no")
        #expect(s.status == .finished(finalState: "rejected"))
        #expect(s.value(of: "outcome") == .string("rejected"))
        #expect(
            try await h.audit("finance-no") == [
                "1 submit draft>awaiting_reviewer ann", "2 approve awaiting_reviewer>second_review rita",
                "3 legal.approve second_review>legal_approved lee",
                "4 finance.reject second_review>rejected fay",
            ])
        #expect(
            h.log.microsteps(of: "finance-no").last
                == MicrostepTrace(
                    event: "finance.reject", transitions: ["finance_pending -[finance.reject]-> rejected"],
                    exited: [
                        "finance_pending", "finance", "legal_approved", "legal", "second_review", "open",
                    ],
                    entered: ["rejected"]))
    }

    /// Withdraw from a stage, check the withdrawn state, reinstate, and check the document is
    /// back in exactly the configuration it left (deep history).
    static func withdrawAndReinstate(
        _ h: Harness, _ id: String, from configuration: [String], stage: String,
        sourceLocation: Testing.SourceLocation
    ) async throws {
        let before = try await h.snapshot(id)
        #expect(before.configuration == configuration, sourceLocation: sourceLocation)
        let trail = try await h.audit(id)
        let n = trail.count
        await h.send(id, "withdraw", by: "ann")
        try await h.expect(
            id, ["withdrawn"], stage: "withdrawn",
            audit: trail + ["\(n + 1) withdraw \(stage)>withdrawn ann"],
            sourceLocation: sourceLocation)
        #expect(try await h.timers(id) == [], sourceLocation: sourceLocation)
        #expect(
            try await h.snapshot(id).value(of: "withdrawn_from") == .string(stage),
            sourceLocation: sourceLocation)
        try await h.advance(hours: 100)  // nothing fires while withdrawn
        #expect(try await h.snapshot(id).configuration == ["withdrawn"], sourceLocation: sourceLocation)
        await h.send(id, "reinstate", by: "ann")
        try await h.expect(
            id, configuration, stage: stage,
            audit: trail + [
                "\(n + 1) withdraw \(stage)>withdrawn ann", "\(n + 2) reinstate withdrawn>\(stage) ann",
            ],
            sourceLocation: sourceLocation)
        #expect(try await h.snapshot(id).value(of: "withdrawn_from") == .null, sourceLocation: sourceLocation)
        #expect(
            h.log.transitions(of: id).suffix(2) == [
                "open -[withdraw]-> withdrawn", "withdrawn -[reinstate]-> open_history",
            ],
            sourceLocation: sourceLocation)
    }

    /// Withdraw and reinstate from every kind of stage: draft, awaiting the reviewer (timeouts
    /// restart), escalated (the manager is assigned again), changes requested, and the second
    /// review with legal already approved (finance's approval then finishes it).
    static func withdrawFromEveryStage(_ h: Harness) async throws {
        try await h.start("w")
        try await withdrawAndReinstate(
            h, "w", from: ["open", "draft"], stage: "draft", sourceLocation: #_sourceLocation)
        // Reinstating enters the history state: the exact entry is reported.
        #expect(
            h.log.microsteps(of: "w").last
                == MicrostepTrace(
                    event: "reinstate", transitions: ["withdrawn -[reinstate]-> open_history"],
                    exited: ["withdrawn"],
                    entered: ["open", "draft"]))

        await h.send("w", "submit", by: "ann")  // at 100h
        try await withdrawAndReinstate(
            h, "w", from: reviewing, stage: "awaiting_reviewer", sourceLocation: #_sourceLocation)
        // Reinstating re-enters in_review and awaiting_reviewer: both timeouts restart (now 200h).
        #expect(
            try await h.timers("w") == ["sy.timeout.awaiting_reviewer@224h", "sy.timeout.in_review@272h"])

        try await h.advance(hours: 24)
        try await withdrawAndReinstate(
            h, "w", from: escalated, stage: "escalated", sourceLocation: #_sourceLocation)
        // Only in_review's timeout restarts: awaiting_reviewer is not re-entered (now 324h).
        #expect(try await h.timers("w") == ["sy.timeout.in_review@396h"])

        await h.send("w", "request_changes", by: "mona")
        try await withdrawAndReinstate(
            h, "w", from: ["open", "changes_requested"], stage: "changes_requested",
            sourceLocation: #_sourceLocation)

        await h.send("w", "resubmit", by: "ann", [("amount", .number(50000))])
        await h.send("w", "approve", by: "rita")
        await h.send("w", "legal.approve", by: "lee")
        try await withdrawAndReinstate(
            h, "w", from: ["open", "second_review", "legal", "legal_approved", "finance", "finance_pending"],
            stage: "second_review", sourceLocation: #_sourceLocation)
        await h.send("w", "finance.approve", by: "fay")
        let s = try await h.snapshot("w")
        #expect(s.status == .finished(finalState: "approved"))
        let trail = try await h.audit("w")
        #expect(trail.count == 18)
        #expect(
            trail.suffix(3) == [
                "16 reinstate withdrawn>second_review ann",
                "17 finance.approve second_review>finance_approved fay",
                "18 done.state.second_review second_review>approved system",
            ])
        // Who was assigned, in order: entering in_review (re)assigns the reviewer, escalated the
        // manager, the second review legal and finance, each time they are (re-)entered.
        #expect(
            h.assignments.all.filter { $0.hasPrefix("w:") }.map { $0.split(separator: " ")[1] } == [
                "reviewer=rita", "reviewer=rita", "manager=mona", "reviewer=rita", "manager=mona",
                "reviewer=rita",
                "legal=lee", "finance=fay", "legal=lee", "finance=fay",
            ])
    }

    static let scenarios: [(String, @Sendable (Harness) async throws -> Void)] = [
        ("approveSmallAmount", approveSmallAmount),
        ("changesThenResubmitThenReject", changesThenResubmitThenReject),
        ("escalationAfter24Hours", escalationAfter24Hours),
        ("autoRejectAfter72Hours", autoRejectAfter72Hours),
        ("decisionInTimeCancelsTimeouts", decisionInTimeCancelsTimeouts),
        ("secondReviewBothApprove", secondReviewBothApprove),
        ("secondReviewRejections", secondReviewRejections),
        ("withdrawFromEveryStage", withdrawFromEveryStage),
    ]

    @Test func approveSmallAmount() async throws { try await Self.approveSmallAmount(Harness()) }
    @Test func changesThenResubmitThenReject() async throws {
        try await Self.changesThenResubmitThenReject(Harness())
    }
    @Test func escalationAfter24Hours() async throws { try await Self.escalationAfter24Hours(Harness()) }
    @Test func autoRejectAfter72Hours() async throws { try await Self.autoRejectAfter72Hours(Harness()) }
    @Test func decisionInTimeCancelsTimeouts() async throws {
        try await Self.decisionInTimeCancelsTimeouts(Harness())
    }
    @Test func secondReviewBothApprove() async throws { try await Self.secondReviewBothApprove(Harness()) }
    @Test func secondReviewRejections() async throws { try await Self.secondReviewRejections(Harness()) }
    @Test func withdrawFromEveryStage() async throws { try await Self.withdrawFromEveryStage(Harness()) }

    /// All scenarios together enter every state and take every transition of the shipped file.
    @Test func everyStateAndTransitionIsCovered() async throws {
        let definition = try loadShippedMachine("document_approval")
        #expect(definition.warnings.map(\.rendered) == [])
        let expected = Coverage(definition: definition)
        #expect(expected.duplicates == [], "two transitions with the same source, events and targets")
        #expect(expected.states.count == 16)
        #expect(expected.transitions.count == 15)
        var traces: [MicrostepTrace] = []
        for (_, scenario) in Self.scenarios {
            let h = try Harness()
            try await scenario(h)
            traces += h.log.microsteps.map(\.trace)
        }
        let taken = Coverage(traces: traces)
        #expect(expected.states.subtracting(taken.states).sorted() == [], "states never entered")
        #expect(expected.transitions.subtracting(taken.transitions).sorted() == [], "transitions never taken")
        #expect(taken.states.subtracting(expected.states).sorted() == [])
        #expect(taken.transitions.subtracting(expected.transitions).sorted() == [])
    }

    /// An action that throws raises error.execution inside the machine; the rest of the onentry
    /// block is skipped but the document still moves on.
    @Test func failingActionRaisesErrorExecution() async throws {
        let engine = Engine(clock: ManualClock(), options: EngineOptions(shards: 1))
        try engine.register(loadShippedMachine("document_approval"), as: "approval")
        try engine.registerAction("assign_reviewer") { _, _ in throw CustomActionError("directory is down") }
        try await engine.start("approval", id: "d")
        await engine.enqueue(Event("submit"), to: "d")
        await engine.quiesce()
        let s = try #require(await engine.snapshot("d"))
        #expect(s.configuration == ["open", "in_review", "awaiting_reviewer"])
        #expect(json(s.value(of: "assignees")) == "{}")
    }
    /// The audit functions declared by the document's `<script>` live in the data model; a
    /// JSON round trip of a snapshot (withdrawn from the second review, history recorded) must
    /// restore them and the history so the document carries on where it was.
    @Test func snapshotRoundTripKeepsFunctionsAndHistory() throws {
        let definition = try loadShippedMachine("document_approval")
        var first = Interpreter(
            definition: definition, sessionID: "doc", data: [NamedValue("amount", .number(20000))])
        _ = first.start()
        for (name, by) in [
            ("submit", "ann"), ("approve", "rita"), ("legal.approve", "lee"), ("withdraw", "ann"),
        ] {
            _ = first.handle(Event(name, data: object([("by", .string(by))])))
        }
        #expect(first.configurationIDs == ["withdrawn"])
        let bytes = try JSONEncoder().encode(first.snapshot())
        let state = try JSONDecoder().decode(InterpreterState.self, from: bytes)
        var second = try Interpreter(definition: definition, restoring: state)
        _ = second.handle(Event("reinstate", data: object([("by", .string("ann"))])))
        #expect(
            second.configurationIDs == [
                "open", "second_review", "legal", "legal_approved", "finance", "finance_pending",
            ])
        _ = second.handle(Event("finance.approve", data: object([("by", .string("fay"))])))
        #expect(second.isFinished)
        guard case .array(let audit)? = second.dataModel.first(where: { $0.name == "audit" })?.value else {
            Issue.record("no audit")
            return
        }
        #expect(
            audit.suffix(3).map {
                "\(member($0, "event")?.jsString ?? "") by \(member($0, "by")?.jsString ?? "")"
            } == [
                "reinstate by ann", "finance.approve by fay", "done.state.second_review by system",
            ])
    }
}
