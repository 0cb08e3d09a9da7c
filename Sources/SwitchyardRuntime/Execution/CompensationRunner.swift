import SwitchyardCore
import SwitchyardExpressions

/// Runs one compensation activity with its registered options: attempts with the retry policy's
/// backoff between them (on the engine clock), each attempt bounded by the per-attempt timeout,
/// and failures whose kind is non-retryable (or not retryable) ending the run at once.
enum CompensationRunner {
    /// The result of the last attempt.
    static func run(
        _ registered: RegisteredActivity, _ input: ActivityInput, clock: any EngineClock
    ) async -> Result<Value, ActivityError> {
        let policy = registered.options.retry
        var input = input
        var attempt = 1
        while true {
            input.attempt = attempt
            let result = await attemptOnce(registered, input, clock: clock)
            guard case .failure(let error) = result, policy.shouldRetry(error, afterAttempt: attempt) else {
                return result
            }
            if Task.isCancelled { return result }
            await clock.sleep(until: clock.now() &+ policy.delay(afterAttempt: attempt).nanoseconds)
            attempt += 1
        }
    }

    private static func attemptOnce(
        _ registered: RegisteredActivity, _ input: ActivityInput, clock: any EngineClock
    ) async -> Result<Value, ActivityError> {
        let body = registered.body
        guard let timeout = registered.options.timeout else { return await outcome(body, input) }
        let deadline = clock.now() &+ timeout.nanoseconds
        return await withTaskGroup(of: Result<Value, ActivityError>?.self) { group in
            group.addTask { await outcome(body, input) }
            group.addTask {
                await clock.sleep(until: deadline)
                if Task.isCancelled { return nil }
                return .failure(
                    ActivityError(
                        kind: "timeout", message: "attempt \(input.attempt) timed out", retryable: true))
            }
            var first: Result<Value, ActivityError> = .failure(
                ActivityError(kind: "cancelled", message: "cancelled", retryable: false))
            while let next = await group.next() {
                if let next {
                    first = next
                    break
                }
            }
            group.cancelAll()
            return first
        }
    }

    private static func outcome(_ body: ActivityBody, _ input: ActivityInput) async -> Result<
        Value, ActivityError
    > {
        do {
            return .success(try await body(input))
        } catch let error as ActivityError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(ActivityError(kind: "cancelled", message: "cancelled", retryable: false))
        } catch {
            return .failure(ActivityError(kind: "error", message: "\(error)", retryable: true))
        }
    }
}
