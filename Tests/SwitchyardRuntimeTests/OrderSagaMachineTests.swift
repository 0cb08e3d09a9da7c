import Switchyard
import SwitchyardTestSupport
import Synchronization
import Testing

/// `machines/order_saga.scxml` in a real ``Engine`` on a ``ManualClock``. The activities are
/// test doubles of the outside world (stock, payment provider, carrier) that fail as each
/// scenario scripts; retries, timeouts, timers, compensation and the interpreter are the real
/// engine's. ``everyStateAndTransitionIsCovered()`` checks that the scenarios together enter
/// every state and take every transition of the shipped file.
@Suite struct OrderSagaMachineTests {
    /// How the outside world behaves in one scenario.
    struct Script: Sendable {
        var reserveFailures = 0
        var chargeFailures = 0
        var chargeDeclined = false
        /// Attempts of charge_payment that hang until cancelled (by timeout or state exit).
        var chargeHangs: Set<Int> = []
        var shipFailures = 0
        var refundFailures = 0
        var releaseFailures = 0
    }

    /// The outside world: records every call as `name#attempt@Ns key-params`, and counts calls
    /// started, returned (or thrown) and hanging, so a test can wait for the world to be idle.
    final class World: Sendable {
        struct Counts { var started = 0, finished = 0, hanging = 0 }
        let script: Script
        let calls = Recorder()
        let counts = Mutex(Counts())
        init(_ script: Script) { self.script = script }

        /// Runs an activity body, keeping the counts.
        func call(_ body: () async throws -> Value) async throws -> Value {
            counts.withLock { $0.started += 1 }
            defer { counts.withLock { $0.finished += 1 } }
            return try await body()
        }

        /// Waits (sleeping) until cancelled, counted as hanging meanwhile.
        func hang(_ label: String) async throws {
            counts.withLock { $0.hanging += 1 }
            defer { counts.withLock { $0.hanging -= 1 } }
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                calls.add("\(label) cancelled")
                throw error
            }
        }
    }

    final class Harness: Sendable {
        let engine: Engine
        let clock: ManualClock
        let log = EngineLog()
        let world: World

        init(_ script: Script = Script()) throws {
            let clock = ManualClock()
            self.clock = clock
            engine = Engine(clock: clock, options: EngineOptions(shards: 2, traceMicrosteps: true))
            engine.addListener(log)
            let world = World(script)
            self.world = world
            try engine.register(loadShippedMachine("order_saga"), as: "order")

            @Sendable func note(_ input: ActivityInput, _ detail: String) {
                world.calls.add("\(input.name)#\(input.attempt)@\(clock.now() / 1_000_000_000)s \(detail)")
            }
            @Sendable func str(_ input: ActivityInput, _ name: String) -> String {
                input.param(name)?.jsString ?? "?"
            }

            try engine.registerActivity(
                "reserve_stock",
                options: ActivityOptions(
                    retry: RetryPolicy(
                        initialInterval: .seconds(1), backoffCoefficient: 2, maximumAttempts: 3))
            ) { input in
                try await world.call {
                    note(input, "\(str(input, "order")) \(json(input.param("items")))")
                    if input.attempt <= world.script.reserveFailures {
                        throw ActivityError(kind: "unavailable", message: "warehouse offline")
                    }
                    return object([("reservationId", .string("R-\(str(input, "order"))"))])
                }
            }
            try engine.registerActivity(
                "charge_payment",
                options: ActivityOptions(
                    timeout: .seconds(30),
                    retry: RetryPolicy(
                        initialInterval: .seconds(2), backoffCoefficient: 2, maximumInterval: .seconds(30),
                        maximumAttempts: 5, nonRetryableKinds: ["declined"]))
            ) { input in
                try await world.call {
                    note(
                        input,
                        "\(str(input, "order")) \(str(input, "amount")) \(json(input.param("reservation")))")
                    if world.script.chargeHangs.contains(input.attempt) {
                        try await world.hang("charge_payment#\(input.attempt)")
                    }
                    if world.script.chargeDeclined {
                        throw ActivityError(kind: "declined", message: "card declined", retryable: false)
                    }
                    if input.attempt <= world.script.chargeFailures {
                        throw ActivityError(kind: "unavailable", message: "provider timeout")
                    }
                    return object([
                        ("paymentId", .string("P-\(str(input, "order"))")),
                        ("amount", input.param("amount") ?? .null),
                    ])
                }
            }
            try engine.registerActivity(
                "ship_order",
                options: ActivityOptions(
                    retry: RetryPolicy(
                        initialInterval: .seconds(60), backoffCoefficient: 2, maximumAttempts: 3))
            ) { input in
                try await world.call {
                    note(input, "\(str(input, "order")) to \(str(input, "address"))")
                    if input.attempt <= world.script.shipFailures {
                        throw ActivityError(kind: "carrier", message: "no truck")
                    }
                    return object([("tracking", .string("T-\(str(input, "order"))"))])
                }
            }
            try engine.registerActivity(
                "refund_payment", options: ActivityOptions(retry: RetryPolicy(maximumAttempts: 3))
            ) { input in
                try await world.call {
                    note(input, "\(json(input.param("payment")))")
                    if input.attempt <= world.script.refundFailures {
                        throw ActivityError(kind: "unavailable", message: "refunds disabled")
                    }
                    return .null
                }
            }
            try engine.registerActivity(
                "release_stock", options: ActivityOptions(retry: RetryPolicy(maximumAttempts: 2))
            ) { input in
                try await world.call {
                    note(input, "\(json(input.param("reservation")))")
                    if input.attempt <= world.script.releaseFailures {
                        throw ActivityError(kind: "unavailable", message: "warehouse offline")
                    }
                    return .null
                }
            }
        }

        /// Starts an order and waits until the world has seen `calls` activity calls in all.
        func start(
            _ id: String, order: String, calls: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) async throws {
            try await engine.start(
                "order", id: id,
                data: [
                    NamedValue("order", .string(order)),
                    NamedValue("items", .array([.string("book"), .string("pen")])),
                    NamedValue("amount", .number(42.5)), NamedValue("address", .string("Main St 1")),
                ], onConflict: .fail)
            await settle(calls: calls, sourceLocation: sourceLocation)
        }

        /// Moves the manual clock, then waits until the world has seen `calls` calls in all.
        func advance(
            seconds: Int64, calls: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) async throws {
            try await engine.advance(by: .seconds(seconds))
            await settle(calls: calls, sourceLocation: sourceLocation)
        }

        /// Waits until exactly `calls` activity calls have started and every one that is not
        /// hanging has returned, then until the engine has processed the results.
        ///
        /// ``Engine/quiesce()`` alone is not enough on a loaded machine: it takes an activity that
        /// has not run for 20 ms of wall time to be waiting on the outside world, and a task the
        /// cooperative pool has not scheduled yet looks just like that.
        func settle(calls: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
            let wall = SystemClock()
            let deadline = wall.now() + 20_000_000_000
            while true {
                await engine.quiesce()
                let c = world.counts.withLock { $0 }
                if c.started == calls && c.finished + c.hanging == c.started {
                    await engine.quiesce()
                    return
                }
                if c.started > calls || wall.now() > deadline {
                    Issue.record(
                        "expected \(calls) activity calls, have \(c.started) (\(c.finished) returned, \(c.hanging) hanging): \(world.calls.all)",
                        sourceLocation: sourceLocation)
                    return
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }

        func snapshot(_ id: String) async throws -> InstanceSnapshot {
            try #require(await engine.snapshot(id))
        }

        func steps(_ id: String) async throws -> [String] {
            guard case .array(let a)? = try await snapshot(id).value(of: "steps") else { return ["no steps"] }
            return a.map { $0.jsString }
        }
    }

    static let reservation = #"{"reservationId":"R-A1"}"#

    // MARK: Scenarios

    /// Every step succeeds first time: completed; the recorded compensations are never run.
    static func success(_ h: Harness) async throws {
        try await h.start("ok", order: "A1", calls: 3)
        let s = try await h.snapshot("ok")
        #expect(s.status == .finished(finalState: "completed"))
        #expect(
            try await h.steps("ok") == [
                "reserving -> charging", "charging -> shipping", "shipping -> completed",
            ])
        #expect(json(s.value(of: "reservation")) == reservation)
        #expect(json(s.value(of: "payment")) == #"{"paymentId":"P-A1","amount":42.5}"#)
        #expect(json(s.value(of: "shipment")) == #"{"tracking":"T-A1"}"#)
        #expect(s.value(of: "failure") == .null)
        #expect(s.compensations == ["release_stock", "refund_payment"])
        #expect(
            h.world.calls.all == [
                #"reserve_stock#1@0s A1 ["book","pen"]"#,
                #"charge_payment#1@0s A1 42.5 {"reservationId":"R-A1"}"#,
                "ship_order#1@0s A1 to Main St 1",
            ])
        #expect(
            h.log.microsteps(of: "ok") == [
                MicrostepTrace(
                    event: nil, transitions: [], exited: [], entered: ["processing", "reserving"]),
                MicrostepTrace(
                    event: "done.invoke.reserve",
                    transitions: ["reserving -[done.invoke.reserve]-> charging"],
                    exited: ["reserving"], entered: ["charging"]),
                MicrostepTrace(
                    event: "done.invoke.charge", transitions: ["charging -[done.invoke.charge]-> shipping"],
                    exited: ["charging"], entered: ["shipping"]),
                MicrostepTrace(
                    event: "done.invoke.ship", transitions: ["shipping -[done.invoke.ship]-> completed"],
                    exited: ["shipping", "processing"], entered: ["completed"]),
            ])
    }

    /// The payment provider fails twice: retries after 2s and 4s more (backoff 2), then it
    /// succeeds and the order ships. Also: a stock reservation that needs one retry.
    static func retriesAreCounted(_ h: Harness) async throws {
        try await h.start("retry", order: "A1", calls: 1)
        var s = try await h.snapshot("retry")
        #expect(s.configuration == ["processing", "reserving"])
        #expect(s.activities == ["reserve"])
        #expect(s.compensations == [])
        #expect(s.pendingTimers == [])  // activity retries are engine timers, not the instance's
        #expect(h.engine.pendingTimerCount == 1)
        try await h.advance(seconds: 1, calls: 3)
        s = try await h.snapshot("retry")
        #expect(s.configuration == ["processing", "charging"])
        #expect(s.activities == ["charge"])
        #expect(s.compensations == ["release_stock"])
        #expect(json(s.value(of: "reservation")) == reservation)
        try await h.advance(seconds: 2, calls: 4)
        #expect(try await h.snapshot("retry").configuration == ["processing", "charging"])
        try await h.advance(seconds: 4, calls: 6)
        s = try await h.snapshot("retry")
        #expect(s.status == .finished(finalState: "completed"))
        #expect(
            h.world.calls.all.filter { !$0.hasPrefix("ship") } == [
                #"reserve_stock#1@0s A1 ["book","pen"]"#, #"reserve_stock#2@1s A1 ["book","pen"]"#,
                #"charge_payment#1@1s A1 42.5 {"reservationId":"R-A1"}"#,
                #"charge_payment#2@3s A1 42.5 {"reservationId":"R-A1"}"#,
                #"charge_payment#3@7s A1 42.5 {"reservationId":"R-A1"}"#,
            ])
        #expect(h.world.calls.all.last == "ship_order#1@7s A1 to Main St 1")
        #expect(h.clock.now() == 7_000_000_000)
    }

    /// A charge attempt that hangs times out after 30s (kind `timeout`, retryable); the retry 2s
    /// later succeeds.
    static func chargeTimeoutThenRetry(_ h: Harness) async throws {
        try await h.start("slow", order: "A1", calls: 2)
        #expect(try await h.snapshot("slow").configuration == ["processing", "charging"])
        try await h.advance(seconds: 29, calls: 2)
        #expect(try await h.snapshot("slow").activities == ["charge"])
        try await h.advance(seconds: 3, calls: 4)
        #expect(try await h.snapshot("slow").status == .finished(finalState: "completed"))
        #expect(
            h.world.calls.all.filter { !$0.hasSuffix("cancelled") } == [
                #"reserve_stock#1@0s A1 ["book","pen"]"#,
                #"charge_payment#1@0s A1 42.5 {"reservationId":"R-A1"}"#,
                #"charge_payment#2@32s A1 42.5 {"reservationId":"R-A1"}"#, "ship_order#1@32s A1 to Main St 1",
            ])
        #expect(h.world.calls.all.filter { $0.hasSuffix("cancelled") } == ["charge_payment#1 cancelled"])
    }

    /// The card is declined (never retried): the stock reservation is released.
    static func paymentDeclinedReleasesStock(_ h: Harness) async throws {
        try await h.start("declined", order: "A1", calls: 3)
        let s = try await h.snapshot("declined")
        #expect(s.status == .finished(finalState: "compensated"))
        #expect(
            json(s.value(of: "failure"))
                == #"{"kind":"declined","message":"card declined","retryable":false,"attempts":1,"activity":"charge_payment"}"#
        )
        #expect(json(s.value(of: "compensated")) == #"["release_stock"]"#)
        #expect(s.value(of: "payment") == .null)
        #expect(s.compensations == [])
        #expect(
            try await h.steps("declined") == [
                "reserving -> charging", "charge_payment failed -> compensating",
                "compensating -> compensated",
            ])
        #expect(
            h.world.calls.all == [
                #"reserve_stock#1@0s A1 ["book","pen"]"#,
                #"charge_payment#1@0s A1 42.5 {"reservationId":"R-A1"}"#,
                #"release_stock#1@0s {"reservationId":"R-A1"}"#,
            ])
        #expect(
            h.log.microsteps(of: "declined").suffix(2) == [
                MicrostepTrace(
                    event: "error.activity.charge",
                    transitions: ["processing -[error.activity]-> compensating"],
                    exited: ["charging", "processing"], entered: ["compensating"]),
                MicrostepTrace(
                    event: "compensation.done",
                    transitions: ["compensating -[compensation.done]-> compensated"],
                    exited: ["compensating"], entered: ["compensated"]),
            ])
    }

    /// The provider stays down: 5 attempts (at 0, 2, 6, 14 and 30 s), then the stock is released.
    static func paymentExhaustsRetries(_ h: Harness) async throws {
        try await h.start("down", order: "A1", calls: 2)
        for (seconds, calls) in [(2, 3), (4, 4), (8, 5)] {  // attempts at 2, 6 and 14 s
            try await h.advance(seconds: Int64(seconds), calls: calls)
            #expect(try await h.snapshot("down").configuration == ["processing", "charging"])
        }
        try await h.advance(seconds: 15, calls: 5)
        #expect(try await h.snapshot("down").configuration == ["processing", "charging"])
        try await h.advance(seconds: 1, calls: 7)  // attempt 5 at 30 s, then release_stock
        let s = try await h.snapshot("down")
        #expect(s.status == .finished(finalState: "compensated"))
        #expect(member(s.value(of: "failure"), "attempts") == .number(5))
        #expect(member(s.value(of: "failure"), "kind") == .string("unavailable"))
        #expect(
            h.world.calls.all.filter { $0.hasPrefix("charge") }.map { $0.split(separator: " ")[0] } == [
                "charge_payment#1@0s", "charge_payment#2@2s", "charge_payment#3@6s", "charge_payment#4@14s",
                "charge_payment#5@30s",
            ])
        #expect(h.world.calls.all.last == #"release_stock#1@30s {"reservationId":"R-A1"}"#)
    }

    /// Shipping fails after its retries (at 0, 60 and 160 s): the payment is refunded, then the stock released
    /// (reverse order of the steps).
    static func shippingFailureCompensatesInReverse(_ h: Harness) async throws {
        try await h.start("lost", order: "A1", calls: 3)
        #expect(try await h.snapshot("lost").configuration == ["processing", "shipping"])
        #expect(try await h.snapshot("lost").compensations == ["release_stock", "refund_payment"])
        // Retries after 60s and min(120s, 100s): RetryPolicy's default maximum interval caps the
        // second wait.
        try await h.advance(seconds: 60, calls: 4)
        try await h.advance(seconds: 99, calls: 4)
        #expect(try await h.snapshot("lost").configuration == ["processing", "shipping"])
        try await h.advance(seconds: 1, calls: 7)
        let s = try await h.snapshot("lost")
        #expect(s.status == .finished(finalState: "compensated"))
        #expect(json(s.value(of: "compensated")) == #"["refund_payment","release_stock"]"#)
        #expect(member(s.value(of: "failure"), "activity") == .string("ship_order"))
        #expect(member(s.value(of: "failure"), "attempts") == .number(3))
        #expect(
            h.world.calls.all.suffix(5) == [
                "ship_order#1@0s A1 to Main St 1", "ship_order#2@60s A1 to Main St 1",
                "ship_order#3@160s A1 to Main St 1",
                #"refund_payment#1@160s {"paymentId":"P-A1","amount":42.5}"#,
                #"release_stock#1@160s {"reservationId":"R-A1"}"#,
            ])
        #expect(
            try await h.steps("lost") == [
                "reserving -> charging", "charging -> shipping", "ship_order failed -> compensating",
                "compensating -> compensated",
            ])
    }

    /// The stock cannot be reserved at all: nothing to undo, compensated with an empty list.
    static func reservationFailureHasNothingToUndo(_ h: Harness) async throws {
        try await h.start("nostock", order: "A1", calls: 1)
        try await h.advance(seconds: 1, calls: 2)
        try await h.advance(seconds: 2, calls: 3)
        let s = try await h.snapshot("nostock")
        #expect(s.status == .finished(finalState: "compensated"))
        #expect(json(s.value(of: "compensated")) == "[]")
        #expect(member(s.value(of: "failure"), "attempts") == .number(3))
        #expect(
            h.world.calls.all == [
                #"reserve_stock#1@0s A1 ["book","pen"]"#, #"reserve_stock#2@1s A1 ["book","pen"]"#,
                #"reserve_stock#3@3s A1 ["book","pen"]"#,
            ])
    }

    /// The customer cancels while the payment is in flight: the charge activity is cancelled
    /// (it sees task cancellation) and the reservation is released.
    static func cancelWhileCharging(_ h: Harness) async throws {
        try await h.start("cancel", order: "A1", calls: 2)
        #expect(try await h.snapshot("cancel").activities == ["charge"])
        await h.engine.enqueue(
            Event("cancel", data: object([("reason", .string("changed my mind"))])), to: "cancel")
        await h.settle(calls: 3)
        let s = try await h.snapshot("cancel")
        #expect(s.status == .finished(finalState: "compensated"))
        #expect(json(s.value(of: "failure")) == #"{"kind":"cancelled","message":"changed my mind"}"#)
        #expect(json(s.value(of: "compensated")) == #"["release_stock"]"#)
        #expect(
            Set(h.world.calls.all.suffix(2)) == [
                "charge_payment#1 cancelled", #"release_stock#1@0s {"reservationId":"R-A1"}"#,
            ])
        #expect(h.engine.pendingTimerCount == 0)  // the charge timeout was cancelled too
        #expect(
            h.log.transitions(of: "cancel") == [
                "reserving -[done.invoke.reserve]-> charging", "processing -[cancel]-> compensating",
                "compensating -[compensation.done]-> compensated",
            ])
    }

    /// Shipping fails and the refund fails on every attempt — retried with its policy's backoff
    /// on the engine clock (1 s, then 2 s) — so the stock is still released, and the saga ends
    /// in `failed` with the failure listed.
    static func compensationFailure(_ h: Harness) async throws {
        try await h.start("stuck", order: "A1", calls: 3)
        try await h.advance(seconds: 60, calls: 4)
        // The third shipping attempt fails; the first refund attempt fails at once.
        try await h.advance(seconds: 100, calls: 6)
        #expect(try await h.snapshot("stuck").configuration == ["compensating"])
        try await h.advance(seconds: 1, calls: 7)
        // The third refund attempt fails too; then the stock is released.
        try await h.advance(seconds: 2, calls: 9)
        let s = try await h.snapshot("stuck")
        #expect(s.status == .finished(finalState: "failed"))
        #expect(json(s.value(of: "compensated")) == #"["release_stock"]"#)
        #expect(
            json(s.value(of: "compensation_failures"))
                == #"[{"activity":"refund_payment","message":"unavailable: refunds disabled"}]"#)
        #expect(
            h.world.calls.all.suffix(4) == [
                #"refund_payment#1@160s {"paymentId":"P-A1","amount":42.5}"#,
                #"refund_payment#2@161s {"paymentId":"P-A1","amount":42.5}"#,
                #"refund_payment#3@163s {"paymentId":"P-A1","amount":42.5}"#,
                #"release_stock#1@163s {"reservationId":"R-A1"}"#,
            ])
        #expect(
            h.log.microsteps(of: "stuck").last
                == MicrostepTrace(
                    event: "compensation.failed",
                    transitions: ["compensating -[compensation.failed]-> failed"],
                    exited: ["compensating"], entered: ["failed"]))
    }

    static let scenarios: [(Script, @Sendable (Harness) async throws -> Void)] = [
        (Script(), success),
        (Script(reserveFailures: 1, chargeFailures: 2), retriesAreCounted),
        (Script(chargeHangs: [1]), chargeTimeoutThenRetry),
        (Script(chargeDeclined: true), paymentDeclinedReleasesStock),
        (Script(chargeFailures: 99), paymentExhaustsRetries),
        (Script(shipFailures: 99), shippingFailureCompensatesInReverse),
        (Script(reserveFailures: 99), reservationFailureHasNothingToUndo),
        (Script(chargeHangs: [1]), cancelWhileCharging),
        (Script(shipFailures: 99, refundFailures: 99), compensationFailure),
    ]

    @Test func success() async throws { try await Self.run(0) }
    @Test func retriesAreCounted() async throws { try await Self.run(1) }
    @Test func chargeTimeoutThenRetry() async throws { try await Self.run(2) }
    @Test func paymentDeclinedReleasesStock() async throws { try await Self.run(3) }
    @Test func paymentExhaustsRetries() async throws { try await Self.run(4) }
    @Test func shippingFailureCompensatesInReverse() async throws { try await Self.run(5) }
    @Test func reservationFailureHasNothingToUndo() async throws { try await Self.run(6) }
    @Test func cancelWhileCharging() async throws { try await Self.run(7) }
    @Test func compensationFailure() async throws { try await Self.run(8) }

    static func run(_ index: Int) async throws {
        let (script, scenario) = scenarios[index]
        let h = try Harness(script)
        try await scenario(h)
        await h.engine.shutdown()
    }

    /// All scenarios together enter every state and take every transition of the shipped file.
    @Test func everyStateAndTransitionIsCovered() async throws {
        let definition = try loadShippedMachine("order_saga")
        #expect(definition.warnings.map(\.rendered) == [])
        let expected = Coverage(definition: definition)
        #expect(expected.duplicates == [])
        #expect(expected.states.count == 8)
        #expect(expected.transitions.count == 7)
        var traces: [MicrostepTrace] = []
        for (script, scenario) in Self.scenarios {
            let h = try Harness(script)
            try await scenario(h)
            traces += h.log.microsteps.map(\.trace)
            await h.engine.shutdown()
        }
        let taken = Coverage(traces: traces)
        #expect(expected.states.subtracting(taken.states).sorted() == [], "states never entered")
        #expect(expected.transitions.subtracting(taken.transitions).sorted() == [], "transitions never taken")
        #expect(taken.states == expected.states)
        #expect(taken.transitions == expected.transitions)
    }
}
