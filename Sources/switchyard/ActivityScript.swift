import ArgumentParser
import Foundation
import Switchyard

/// Canned outcomes for the activities of a machine run from the command line (`run
/// --activities FILE`), so a saga can be tried without writing Swift. The file is a JSON object
/// mapping activity names (`<invoke type="activity" src="NAME">`, `<sy:compensation
/// activity="NAME">`) to what each attempt does:
///
/// ```json
/// {
///   "reserve_stock": {"result": {"reservationId": "R-1"}, "after": "2s"},
///   "charge_payment": {
///     "attempts": [{"error": {"kind": "timeout", "message": "gateway"}}, {"result": {"paymentId": "P-1"}}],
///     "retry": {"maximumAttempts": 3, "initialInterval": "2s"},
///     "timeout": "30s"
///   },
///   "ship_order": {"error": {"kind": "carrier", "message": "no truck", "retryable": false}}
/// }
/// ```
///
/// An entry is one outcome (used for every attempt), or an object with `attempts` (attempt
/// `n` uses the `n`-th, the last one repeats), `retry` (`maximumAttempts`, `initialInterval`,
/// `backoffCoefficient`, `maximumInterval`, `nonRetryableKinds`), `timeout` and
/// `compensation`. An outcome is `{"result": VALUE}` or `{"error": {"kind", "message",
/// "retryable"}}` (retryable defaults to true), with an optional `"after"` duration.
struct ActivityScript {
    struct Entry {
        var outcomes: [ScriptedOutcome]
        var options: ActivityOptions
    }

    var entries: [(name: String, entry: Entry)]

    /// Reads and checks `path`; every mistake names the activity and the member.
    init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read --activities file \(path): \(error.localizedDescription)")
        }
        let value: Value
        do {
            value = try Value.parseJSON(text)
        } catch {
            throw ValidationError("\(path): not valid JSON: \(error)")
        }
        guard case .object(let root) = value else {
            throw ValidationError("\(path): expected an object mapping activity names to outcomes")
        }
        var entries: [(String, Entry)] = []
        for (name, spec) in root.properties {
            entries.append((name, try Self.entry(spec, at: "\(path): activity '\(name)'")))
        }
        self.entries = entries
    }

    /// Registers every activity with the driver.
    func register(with driver: InstanceRunner) {
        for (name, entry) in entries {
            let outcomes = entry.outcomes
            driver.registerActivity(name, options: entry.options) { input in
                outcomes[min(max(input.attempt, 1), outcomes.count) - 1]
            }
        }
    }

    /// Registers every activity with a (durable) engine: an attempt waits its `after` on the
    /// engine clock, then returns or throws its outcome.
    func register(with engine: Engine) throws {
        for (name, entry) in entries {
            let outcomes = entry.outcomes
            let clock = engine.clock
            try engine.registerActivity(name, options: entry.options) { input in
                let outcome = outcomes[min(max(input.attempt, 1), outcomes.count) - 1]
                if outcome.delay > .zero {
                    await clock.sleep(until: clock.now() &+ outcome.delay.nanoseconds)
                }
                return try outcome.result.get()
            }
        }
    }

    private static func entry(_ spec: Value, at place: String) throws -> Entry {
        guard case .object(let o) = spec else { throw ValidationError("\(place): expected an object") }
        var options = ActivityOptions()
        if let timeout = o["timeout"] { options.timeout = try duration(timeout, at: "\(place): timeout") }
        if let compensation = o["compensation"] {
            guard case .string(let c) = compensation else {
                throw ValidationError("\(place): compensation must be an activity name")
            }
            options.compensation = c
        }
        if let retry = o["retry"] { options.retry = try policy(retry, at: "\(place): retry") }
        let outcomes: [ScriptedOutcome]
        if let attempts = o["attempts"] {
            guard case .array(let list) = attempts, !list.isEmpty else {
                throw ValidationError("\(place): attempts must be a non-empty array of outcomes")
            }
            outcomes = try list.enumerated().map { try outcome($1, at: "\(place): attempts[\($0)]") }
        } else {
            outcomes = [try outcome(spec, at: place)]
        }
        return Entry(outcomes: outcomes, options: options)
    }

    private static func outcome(_ spec: Value, at place: String) throws -> ScriptedOutcome {
        guard case .object(let o) = spec else {
            throw ValidationError("\(place): expected an outcome object")
        }
        let after = try o["after"].map { try duration($0, at: "\(place): after") } ?? .zero
        switch (o["result"], o["error"]) {
        case (let result?, nil):
            return ScriptedOutcome(.success(result), after: after)
        case (nil, .object(let e)?):
            guard case .string(let kind)? = e["kind"] else {
                throw ValidationError("\(place): error needs a string 'kind'")
            }
            var message = kind
            if case .string(let m)? = e["message"] { message = m }
            var retryable = true
            if case .bool(let r)? = e["retryable"] { retryable = r }
            return ScriptedOutcome(
                .failure(ActivityError(kind: kind, message: message, retryable: retryable)), after: after)
        case (nil, _?):
            throw ValidationError("\(place): error must be an object {kind, message, retryable}")
        case (_?, _?):
            throw ValidationError("\(place): give either 'result' or 'error', not both")
        case (nil, nil):
            throw ValidationError("\(place): expected 'result' or 'error'")
        }
    }

    private static func policy(_ spec: Value, at place: String) throws -> RetryPolicy {
        guard case .object(let o) = spec else { throw ValidationError("\(place): expected an object") }
        var p = RetryPolicy()
        if let v = o["maximumAttempts"] {
            guard case .number(let n) = v, n >= 1, n == n.rounded() else {
                throw ValidationError("\(place): maximumAttempts must be a whole number ≥ 1")
            }
            p.maximumAttempts = Int(n)
        }
        if let v = o["initialInterval"] {
            p.initialInterval = try duration(v, at: "\(place): initialInterval")
        }
        if let v = o["maximumInterval"] {
            p.maximumInterval = try duration(v, at: "\(place): maximumInterval")
        }
        if let v = o["backoffCoefficient"] {
            guard case .number(let n) = v, n >= 1 else {
                throw ValidationError("\(place): backoffCoefficient must be a number ≥ 1")
            }
            p.backoffCoefficient = n
        }
        if let v = o["nonRetryableKinds"] {
            guard case .array(let list) = v else {
                throw ValidationError("\(place): nonRetryableKinds must be an array of strings")
            }
            for item in list {
                guard case .string(let kind) = item else {
                    throw ValidationError("\(place): nonRetryableKinds must be an array of strings")
                }
                p.nonRetryableKinds.insert(kind)
            }
        }
        return p
    }

    private static func duration(_ v: Value, at place: String) throws -> Duration {
        guard case .string(let text) = v, let d = DelaySpec.parse(text) else {
            throw ValidationError("\(place): expected a duration such as \"30s\", \"5m\" or \"24h\"")
        }
        return d
    }
}
