import Switchyard
import SwitchyardTestSupport
import Synchronization
import Testing

@Suite struct ActivityTests {
    static let invoking = """
        <state id="working">
          <invoke id="job" type="activity" src="flaky"><param name="order" expr="'o-1'"/></invoke>
          <transition event="done.invoke.job" target="ok"><assign location="result" expr="_event.data"/></transition>
          <transition event="error.activity.job" target="failed"><assign location="failure" expr="_event.data"/></transition>
          <transition event="abort" target="aborted"/>
        </state>
        <final id="ok"/>
        <state id="failed"/>
        <state id="aborted"/>
        """
    static let data = #"<data id="result"/><data id="failure"/>"#

    @Test func retriesWithBackoffThenSucceeds() async throws {
        let (engine, clock) = manualEngine()
        let attempts = Recorder()
        try engine.registerActivity(
            "flaky",
            options: ActivityOptions(
                retry: RetryPolicy(initialInterval: .seconds(1), backoffCoefficient: 2, maximumAttempts: 5))
        ) { input in
            attempts.add("\(input.attempt)@\(clock.now() / 1_000_000_000)")
            if input.attempt < 4 { throw ActivityError(kind: "unavailable", message: "try later") }
            return .string("shipped \(input.param("order")?.jsString ?? "")")
        }
        try engine.register(machine(Self.invoking, initial: "working", data: Self.data), as: "m")
        try await engine.start("m", id: "a")
        await engine.quiesce()
        try await engine.advance(by: .seconds(60))
        #expect(attempts.all == ["1@0", "2@1", "3@3", "4@7"])
        let s = try #require(await engine.snapshot("a"))
        #expect(s.status == .finished(finalState: "ok"))
        #expect(s.value(of: "result") == .string("shipped o-1"))
    }

    @Test func eventualFailureAfterMaxAttemptsAndNonRetryableKinds() async throws {
        let (engine, _) = manualEngine()
        let calls = Recorder()
        try engine.registerActivity(
            "flaky",
            options: ActivityOptions(
                retry: RetryPolicy(
                    initialInterval: .seconds(2), backoffCoefficient: 3, maximumInterval: .seconds(5),
                    maximumAttempts: 4, nonRetryableKinds: ["invalid"]))
        ) { input in
            calls.add("\(input.instanceID)#\(input.attempt)")
            if input.instanceID == "bad-input" {
                throw ActivityError(kind: "invalid", message: "no such order")
            }
            throw ActivityError(kind: "unavailable", message: "down")
        }
        try engine.register(machine(Self.invoking, initial: "working", data: Self.data), as: "m")
        try await engine.start("m", id: "down")
        try await engine.start("m", id: "bad-input")
        await engine.quiesce()
        try await engine.advance(by: .seconds(6))  // retries at 2s and 2+5=7s (6s capped to 5s)
        #expect(await engine.isActive("down", state: "working"))
        try await engine.advance(by: .seconds(6))  // 3rd at 7s, 4th at 12s
        let s = try #require(await engine.snapshot("down"))
        #expect(s.isActive("failed"))
        #expect(
            s.value(of: "failure")
                == object([
                    ("kind", .string("unavailable")), ("message", .string("down")),
                    ("retryable", .bool(true)),
                    ("attempts", .number(4)), ("activity", .string("flaky")),
                ]))
        #expect(calls.all.filter { $0.hasPrefix("down") } == ["down#1", "down#2", "down#3", "down#4"])
        #expect(calls.all.filter { $0.hasPrefix("bad") } == ["bad-input#1"])
        #expect(await engine.isActive("bad-input", state: "failed"))
    }

    @Test func timeoutAndCancellationOnStateExit() async throws {
        let (engine, _) = manualEngine()
        let cancelled = Recorder()
        try engine.registerActivity("flaky", options: ActivityOptions(timeout: .seconds(30))) { input in
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.add(input.instanceID)
                throw error
            }
            return .null
        }
        try engine.register(machine(Self.invoking, initial: "working", data: Self.data), as: "m")
        try await engine.start("m", id: "slow")
        try await engine.start("m", id: "left")
        try await engine.advance(by: .seconds(1))
        #expect(await engine.snapshot("left")?.activities == ["job"])
        await engine.enqueue(Event("abort"), to: "left")
        await engine.quiesce()
        #expect(await engine.snapshot("left")?.activities == [])
        try await engine.advance(by: .seconds(29))
        let s = try #require(await engine.snapshot("slow"))
        #expect(s.isActive("failed"))
        if case .object(let o)? = s.value(of: "failure") {
            #expect(o["kind"] == .string("timeout"))
        } else {
            Issue.record("no failure data")
        }
        await engine.quiesce()
        #expect(Set(cancelled.all) == ["left", "slow"])
        #expect(await engine.isActive("left", state: "aborted"))
    }

    @Test func unknownActivityFailsWithoutRetry() async throws {
        let (engine, _) = manualEngine()
        try engine.register(machine(Self.invoking, initial: "working", data: Self.data), as: "m")
        try await engine.start("m", id: "x")
        await engine.quiesce()
        #expect(await engine.isActive("x", state: "failed"))
    }

    @Test func compensationsRunInReverseOrderWhenALaterStepFails() async throws {
        let (engine, _) = manualEngine()
        let log = Recorder()
        for (step, undo) in [("charge", "refund"), ("reserve", "release")] {
            try engine.registerActivity(step, options: ActivityOptions(compensation: undo)) { input in
                log.add("\(step) \(input.param("order")?.jsString ?? "")")
                return .string("\(step)-ok")
            }
            try engine.registerActivity(undo) { input in
                log.add(
                    "\(undo) \(input.param("order")?.jsString ?? "") after \(input.param("result")?.jsString ?? "")"
                )
                return .null
            }
        }
        try engine.registerActivity("ship") { _ in
            throw ActivityError(kind: "carrier", message: "no truck", retryable: false)
        }
        try engine.registerActivity("notify") { _ in
            log.add("notify")
            return .null
        }
        let saga = try machine(
            """
            <state id="charge">
              <invoke id="c" type="activity" src="charge"><param name="order" expr="order"/></invoke>
              <transition event="done.invoke.c" target="reserve"/>
            </state>
            <state id="reserve">
              <invoke id="r" type="activity" src="reserve"><param name="order" expr="order"/></invoke>
              <transition event="done.invoke.r" target="ship">
                <sy:compensation activity="notify"/>
              </transition>
            </state>
            <state id="ship">
              <invoke id="s" type="activity" src="ship"/>
              <transition event="done.invoke.s" target="shipped"/>
              <transition event="error.activity.s" target="compensating"><sy:compensate/></transition>
            </state>
            <state id="compensating">
              <transition event="compensation.done" target="rolledBack"><assign location="undone" expr="_event.data.compensated"/></transition>
            </state>
            <final id="shipped"/>
            <final id="rolledBack"/>
            """, initial: "charge", data: #"<data id="order" expr="'o-9'"/><data id="undone"/>"#)
        try engine.register(saga, as: "saga")
        try await engine.start("saga", id: "s1")
        // quiesce() stops waiting for activities once the engine has been idle for 20 ms; on a
        // loaded machine a task may not even have started by then, so wait for the outcome.
        await engine.quiesce()
        for _ in 0..<500 where await engine.snapshot("s1")?.status == .running {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(
            log.all == [
                "charge o-9", "reserve o-9", "notify", "release o-9 after reserve-ok",
                "refund o-9 after charge-ok",
            ])
        let s = try #require(await engine.snapshot("s1"))
        #expect(s.status == .finished(finalState: "rolledBack"))
        #expect(s.value(of: "undone") == .array([.string("notify"), .string("release"), .string("refund")]))
        #expect(s.compensations.isEmpty)
    }
}
