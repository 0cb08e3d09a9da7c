/// Run-time limits and settings of an ``Interpreter``.
public struct InterpreterOptions: Sendable, Hashable {
    /// The most microsteps one macrostep may take before it is stopped with
    /// ``InterpreterError/microstepLimitExceeded(limit:states:transitions:)``.
    public var maxMicrosteps: Int
    /// Record a ``MicrostepTrace`` for every microstep (for tests and the CLI).
    public var tracing: Bool
    /// Most events the internal queue may hold; raising more is an error, not unbounded growth.
    public var maxInternalQueue: Int

    public init(maxMicrosteps: Int = 10_000, tracing: Bool = false, maxInternalQueue: Int = 100_000) {
        self.maxMicrosteps = maxMicrosteps
        self.tracing = tracing
        self.maxInternalQueue = maxInternalQueue
    }
}

/// What one call of ``Interpreter/start()`` or ``Interpreter/handle(_:)`` produced.
public struct MacrostepResult: Sendable {
    /// Effects for the executor, in the order the document produced them.
    public var effects: [Effect]
    /// One entry per microstep when ``InterpreterOptions/tracing`` is on.
    public var trace: [MicrostepTrace]
    /// Set when the macrostep was stopped by a limit; the instance stays usable.
    public var error: InterpreterError?

    public init(effects: [Effect] = [], trace: [MicrostepTrace] = [], error: InterpreterError? = nil) {
        self.effects = effects
        self.trace = trace
        self.error = error
    }
}

/// One microstep: the event being processed (nil for eventless transitions), the transitions
/// taken (as `source -> targets` with their event), and the states exited and entered in order.
public struct MicrostepTrace: Hashable, Sendable, Codable {
    /// The event being processed; nil for eventless transitions and the initial entry.
    public var event: String?
    /// The transitions taken, as `source -[events]-> targets`.
    public var transitions: [String]
    /// States exited, in exit order.
    public var exited: [String]
    /// States entered, in entry order.
    public var entered: [String]

    public init(event: String?, transitions: [String], exited: [String], entered: [String]) {
        self.event = event
        self.transitions = transitions
        self.exited = exited
        self.entered = entered
    }
}

/// Errors the interpreter reports beside the SCXML `error.*` events it raises in the machine.
public enum InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A macrostep took more than `limit` microsteps: most likely eventless transitions or raised
    /// events that loop. `states` and `transitions` are those taken in the last microsteps.
    case microstepLimitExceeded(limit: Int, states: [String], transitions: [String])
    /// The internal queue grew past its limit.
    case internalQueueOverflow(limit: Int)
    /// A snapshot refers to a state or variable the definition does not have.
    case incompatibleSnapshot(String)

    /// A sentence naming the limit and the likely cause.
    public var description: String {
        switch self {
        case .microstepLimitExceeded(let limit, let states, let transitions):
            "macrostep stopped after \(limit) microsteps (an endless loop?): states \(states.joined(separator: ", ")); transitions \(transitions.joined(separator: "; "))"
        case .internalQueueOverflow(let limit):
            "internal event queue exceeded \(limit) events; the macrostep was stopped"
        case .incompatibleSnapshot(let why):
            "snapshot does not fit this machine definition: \(why)"
        }
    }
}

/// A running invocation, as the interpreter tracks it.
public struct ActiveInvocation: Hashable, Sendable, Codable {
    /// The invocation id.
    public var invokeID: String
    /// The state whose `<invoke>` started it.
    public var stateID: String
    /// The position of the `<invoke>` among its state's invokes.
    public var index: Int
    /// Whether external events are forwarded to it.
    public var autoforward: Bool
}

/// A delayed send waiting for its time, as the executor tracks it. Kept in ``InterpreterState`` so a
/// restored instance re-arms its timers.
public struct PendingTimer: Hashable, Sendable, Codable {
    /// The send id (`<cancel>` uses it).
    public var sendID: String
    /// Due time, in the executor clock's nanoseconds since its epoch.
    public var dueNanoseconds: Int64
    /// Tie-breaker: timers due at the same time fire in scheduling order.
    public var sequence: UInt64
    /// The event to deliver.
    public var event: Event
    /// Where to deliver it.
    public var target: SendTarget

    public init(sendID: String, dueNanoseconds: Int64, sequence: UInt64, event: Event, target: SendTarget) {
        self.sendID = sendID
        self.dueNanoseconds = dueNanoseconds
        self.sequence = sequence
        self.event = event
        self.target = target
    }
}

/// Everything that distinguishes one running instance of a machine from another, referring to
/// states by id so it can be saved, restored, and read by people.
public struct InterpreterState: Hashable, Sendable, Codable {
    /// The session id.
    public var sessionID: String
    /// Active states in document order (atomic, compound and parallel).
    public var configuration: [String]
    /// Data model variables in declaration order (system variables excluded).
    public var data: [NamedValue]
    /// History values by history state id.
    public var history: [String: [String]]
    /// False once a top-level final state was reached.
    public var isRunning: Bool
    /// Invocations of active states.
    public var activeInvocations: [ActiveInvocation]
    /// States whose late-bound data has been initialised.
    public var initializedStates: [String]
    /// Counters for generated send and invoke ids.
    public var sendCounter: Int
    /// Counter for generated invoke ids.
    public var invokeCounter: Int
    /// Delayed sends not yet delivered (maintained by the executor).
    public var pendingTimers: [PendingTimer]

    public init(
        sessionID: String, configuration: [String], data: [NamedValue], history: [String: [String]],
        isRunning: Bool,
        activeInvocations: [ActiveInvocation], initializedStates: [String], sendCounter: Int,
        invokeCounter: Int,
        pendingTimers: [PendingTimer] = []
    ) {
        self.sessionID = sessionID
        self.configuration = configuration
        self.data = data
        self.history = history
        self.isRunning = isRunning
        self.activeInvocations = activeInvocations
        self.initializedStates = initializedStates
        self.sendCounter = sendCounter
        self.invokeCounter = invokeCounter
        self.pendingTimers = pendingTimers
    }
}
