public import SwitchyardCore
public import SwitchyardExpressions

/// How a failing activity is retried: attempt `n` (n ≥ 2) starts
/// `min(initialInterval × backoffCoefficientⁿ⁻², maximumInterval)` after attempt `n-1` failed.
public struct RetryPolicy: Sendable, Hashable {
    public var initialInterval: Duration
    public var backoffCoefficient: Double
    public var maximumInterval: Duration
    /// Total attempts including the first (1 = no retry).
    public var maximumAttempts: Int
    /// Failure kinds that are never retried, whatever ``ActivityError/retryable`` says.
    public var nonRetryableKinds: Set<String>

    public init(
        initialInterval: Duration = .seconds(1), backoffCoefficient: Double = 2,
        maximumInterval: Duration = .seconds(100), maximumAttempts: Int = 1,
        nonRetryableKinds: Set<String> = []
    ) {
        self.initialInterval = initialInterval
        self.backoffCoefficient = backoffCoefficient
        self.maximumInterval = maximumInterval
        self.maximumAttempts = max(1, maximumAttempts)
        self.nonRetryableKinds = nonRetryableKinds
    }

    /// No retries.
    public static let none = RetryPolicy()

    /// Whether a failure of attempt `attempt` (1-based) is retried: the error is retryable, its
    /// kind is not in ``nonRetryableKinds``, and attempts are left.
    public func shouldRetry(_ error: ActivityError, afterAttempt attempt: Int) -> Bool {
        error.retryable && !nonRetryableKinds.contains(error.kind) && attempt < maximumAttempts
    }

    /// The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let initial = Double(initialInterval.nanoseconds)
        var ns = initial
        if attempt > 1 {
            for _ in 1..<attempt { ns *= backoffCoefficient }
        }
        ns = min(ns, Double(maximumInterval.nanoseconds))
        return .nanoseconds(Int64(ns.isFinite ? ns : Double(maximumInterval.nanoseconds)))
    }
}

/// Settings of a registered activity.
public struct ActivityOptions: Sendable {
    /// Per-attempt timeout (measured on the engine clock); a timed-out attempt fails with kind
    /// `timeout`, retryable.
    public var timeout: Duration?
    public var retry: RetryPolicy
    /// The activity that undoes this one (saga): when an attempt succeeds, the engine records
    /// `compensation` with this activity's parameters plus `result`; see ``Engine/compensate(_:)``.
    public var compensation: String?

    public init(timeout: Duration? = nil, retry: RetryPolicy = .none, compensation: String? = nil) {
        self.timeout = timeout
        self.retry = retry
        self.compensation = compensation
    }
}

/// A typed activity failure. Any other error thrown by an activity counts as kind `error`,
/// retryable. Cancellation counts as kind `cancelled`, not retryable.
public struct ActivityError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var message: String
    public var retryable: Bool

    public init(kind: String, message: String, retryable: Bool = true) {
        self.kind = kind
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(kind): \(message)" }
}

/// What an activity receives.
public struct ActivityInput: Sendable {
    /// The instance that invoked it.
    public var instanceID: String
    /// The invoke id (`done.invoke.<invokeID>` reports the result).
    public var invokeID: String
    /// The registered activity name (`<invoke src>`).
    public var name: String
    /// `<param>` / `namelist` values of the `<invoke>`.
    public var params: [NamedValue]
    /// `<content>` of the `<invoke>`, if any.
    public var content: Value
    /// 1 for the first attempt.
    public var attempt: Int
    /// A key that is the same every time *this* invocation is started — also when a durable
    /// engine restarts it after a crash — and different for every other invocation:
    /// `<instance id>/<invoke id>/<n>` where `n` counts the instance's activity starts. Pass it
    /// to the outside world (payment, e-mail, ...) so a repeated start is not done twice.
    public var idempotencyKey: String = ""

    /// The parameter with this name.
    public func param(_ name: String) -> Value? { params.first { $0.name == name }?.value }
}

/// An async Swift function a machine starts with `<invoke type="activity" src="name">`.
public typealias ActivityBody = @Sendable (ActivityInput) async throws -> Value

struct RegisteredActivity: Sendable {
    var body: ActivityBody
    var options: ActivityOptions
}
