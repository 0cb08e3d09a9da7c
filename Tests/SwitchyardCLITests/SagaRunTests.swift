import Foundation
import Testing

/// `switchyard run machines/order_saga.scxml --activities FILE`: a saga tried without Swift,
/// through the shipped scripts, by exact output and exit status.
@Suite struct SagaRunTests {
    let machine = CLI.repositoryRoot.appendingPathComponent("machines/order_saga.scxml").path
    func script(_ name: String) -> String {
        CLI.repositoryRoot.appendingPathComponent("machines/order_saga.\(name).json").path
    }

    /// Every step succeeds (the charge on its second attempt, after the retry interval).
    @Test func happyPathCompletes() throws {
        let r = try CLI.run(["run", machine, "--activities", script("happy"), "--events", ""])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(
            r.stdout == """
                (start) -> processing, reserving
                done.invoke.reserve -> processing, charging
                done.invoke.charge -> processing, shipping
                done.invoke.ship -> finished in completed

                """)
    }

    /// Shipping fails after its retries: the payment is refunded (after one failed attempt and
    /// its retry) and the stock released, newest first.
    @Test func shippingFailureCompensates() throws {
        let r = try CLI.run([
            "run", machine, "--activities", script("ship-fails"), "--events", "", "--trace", "json",
        ])
        #expect(r.status == 0)
        let last = try #require(r.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix(#"{"event":"compensation.done","configuration":[]"#))
        #expect(last.contains(#""compensated":["refund_payment","release_stock"]"#))
        #expect(
            last.contains(
                #""failure":{"kind":"carrier","message":"no truck available","retryable":true,"attempts":2,"activity":"ship_order"}"#
            ))
    }

    /// The customer cancels while the payment is in flight; interactive input on the manual clock.
    @Test func cancelWhileCharging() throws {
        let r = try CLI.run(
            ["run", machine, "--activities", script("happy")], stdin: "advance 1s\ncancel\n")
        #expect(r.status == 0)
        #expect(
            r.stdout == """
                (start) -> processing, reserving
                done.invoke.reserve -> processing, charging
                cancel -> compensating
                compensation.done -> finished in compensated

                """)
    }

    /// Without a script an activity fails at once as unknown.
    @Test func withoutScriptTheActivityIsUnknown() throws {
        let r = try CLI.run(["run", machine, "--events", "", "--trace", "json"])
        #expect(r.status == 0)
        #expect(
            r.stdout.contains(
                #""failure":{"kind":"unknownActivity","message":"no activity registered as 'reserve_stock'""#)
        )
    }

    @Test(arguments: [
        (#"{"x": "#, "not valid JSON: 1:7: syntax error"),
        (#"[1]"#, "expected an object mapping activity names to outcomes"),
        (
            #"{"reserve_stock": {"error": {"message": "x"}}}"#,
            "activity 'reserve_stock': error needs a string 'kind'"
        ),
        (
            #"{"reserve_stock": {"result": 1, "after": "soon"}}"#,
            #"activity 'reserve_stock': after: expected a duration such as "30s", "5m" or "24h""#
        ),
        (
            #"{"charge_payment": {"attempts": [], "retry": {}}}"#,
            "activity 'charge_payment': attempts must be a non-empty array of outcomes"
        ),
        (
            #"{"charge_payment": {"result": 1, "retry": {"maximumAttempts": 0}}}"#,
            "activity 'charge_payment': retry: maximumAttempts must be a whole number ≥ 1"
        ),
    ])
    func badScriptsAreRefused(text: String, message: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("saga-\(UUID()).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["run", machine, "--activities", path, "--events", ""])
        #expect(r.status == 64)
        #expect(r.stdout == "")
        let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("Error: \(path): \(message)"), "\(r.stderr)")
    }
}
