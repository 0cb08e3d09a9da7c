public import SwitchyardCore
public import SwitchyardExpressions

/// A `<log>` line produced by an instance run by a ``InstanceRunner``.
public struct LogRecord: Hashable, Sendable {
    /// The instance that logged.
    public var instanceID: String
    /// The `label` attribute.
    public var label: String?
    /// The evaluated `expr`.
    public var message: String
}

/// What a scripted activity of a ``InstanceRunner`` does: its result, delivered after `delay` on
/// the driver's clock (a result later than the activity's timeout is a timeout).
public struct ScriptedOutcome: Sendable {
    /// The value (`done.invoke.<id>`) or the failure (`error.activity.<id>`, or a retry).
    public var result: Result<Value, ActivityError>
    /// How long the attempt takes.
    public var delay: Duration

    public init(_ result: Result<Value, ActivityError>, after delay: Duration = .zero) {
        self.result = result
        self.delay = delay
    }
}

/// A synchronous activity for a ``InstanceRunner``: given the attempt, what it does.
public typealias ScriptedActivity = @Sendable (ActivityInput) -> ScriptedOutcome

/// Runs one top-level instance and the instances it invokes, synchronously on the calling
/// thread, through the same `InstanceExecutor` as the engine's shards: `switchyard run`, the
/// conformance runner and tests use it, so what they measure is what the engine runs.
///
/// Events between instances go through one FIFO queue; delayed sends, activity timeouts and
/// retries wait on the driver's ``EngineClock`` (firing order: due time, then scheduling
/// order). Activities are scripted (``registerActivity(_:options:_:)``): their outcomes arrive
/// after their scripted delay. `#_router` sends have no router to go to and are dead-lettered.
/// With a ``ManualClock``, ``runToCompletion(maxEvents:timeout:)`` jumps from timer to timer, so
/// delayed tests take no wall time and every run produces the same trace.
public final class InstanceRunner {
    /// An instance and the driver's handles for it. A class so the driver mutates the executor
    /// in place, never copying its interpreter.
    final class Session {
        // The driver is single-threaded and never overlaps accesses to one session's executor,
        // so the dynamic exclusivity check (one per event) is skipped.
        @exclusivity(unchecked) var executor: InstanceExecutor
        var timerTokens: [TimerKey: UInt64] = [:]
        /// Scripted activity results in flight (timer tokens), by invoke id.
        var results: [String: UInt64] = [:]

        init(_ executor: InstanceExecutor) { self.executor = executor }
    }

    /// What waits on the driver's clock.
    enum Timer {
        case instance(slot: Int, key: TimerKey)
        case activityResult(slot: Int, invokeID: String, generation: Int, Result<Value, ActivityError>)
    }

    /// The time source for delayed sends and scripted activities.
    public let clock: any EngineClock
    /// ``clock`` when it is a ``ManualClock`` (the default): read directly, not through the
    /// existential, on every ``runUntilIdle(maxEvents:)``.
    private let manualClock: ManualClock?
    /// Loads `<invoke src>` documents.
    public let loader: DocumentLoader?
    /// Parses `<invoke>` content given as markup.
    public let parser: DocumentParser?
    /// The live instances, shared with every interpreter this driver runs.
    public let directory = InstanceDirectory()
    /// Options for every interpreter this driver creates.
    public let options: InterpreterOptions
    /// Called after every macrostep of the top-level instance with the event (nil for start),
    /// the macrostep's trace, error and effects, and the interpreter after it.
    // Read once per event by the single-threaded driver; no access to it overlaps another, so
    // the dynamic exclusivity check (a runtime call per event) is skipped.
    @exclusivity(unchecked) public var onMacrostep: ((Event?, MacrostepResult, Interpreter) -> Void)?
    {
        didSet { environment.observing = onMacrostep != nil }
    }
    /// Called for every `<log>`.
    public var onLog: ((LogRecord) -> Void)?
    /// `<log>` lines in order (kept when ``keepLogs`` is true).
    public private(set) var logs: [LogRecord] = []
    /// Whether ``logs`` keeps `<log>` lines (turn off for long runs).
    public var keepLogs = true
    /// Errors reported by macrosteps (microstep limit, ...), with the instance id.
    public private(set) var errors: [(instance: String, error: InterpreterError)] = []
    /// Events that could not be delivered, with the reason (an unknown instance, `#_router`).
    public private(set) var deadLetters: [(event: Event, reason: DeadLetterReason)] = []
    /// The id of the top-level instance.
    public let instanceID: String
    /// The donedata of the top-level instance once it finished.
    public private(set) var doneData: Value?
    /// The Basic HTTP Event I/O Processor's transport, when the runner has one: it gives every
    /// session its `_ioprocessors.basichttp.location` and POSTs what they send (the runner
    /// waits for each answer, so an event a session POSTs to itself is queued before the next
    /// action of the same step runs). Without one such sends raise `error.communication`.
    public let basicHTTP: (any BasicHTTPTransport)?
    /// Events for the runner's sessions from other threads (what arrives at their Basic HTTP
    /// locations); taken whenever the runner looks for work.
    public let inbox = EventInbox()

    // Hot per-event state of a single-threaded executor: no overlapping accesses, so the dynamic
    // exclusivity checks are skipped.
    @exclusivity(unchecked) var sessions = InstanceTable()
    /// Queued inputs: an event for the instance in `slot`, the send stamp of a child's event to
    /// its parent (0: none), and whether it reports finished compensations.
    @exclusivity(unchecked) var queue: [(slot: Int, event: Event, sent: UInt64, compensation: Bool)] = []
    @exclusivity(unchecked) var queueHead = 0
    var timers = TimerQueue<Timer>()
    let environment: ExecutorEnvironment
    private let registry = DriverRegistry()
    /// The macrostep being reported to ``onMacrostep``, and the lines it logged.
    // Touched per event by the single-threaded runner only.
    @exclusivity(unchecked) private var report = MacrostepResult()
    @exclusivity(unchecked) private var pendingLogs: [LogRecord] = []

    /// Creates a driver for `definition`; call ``start()`` to run its first macrostep. Custom
    /// actions that are not registered (``registerAction(_:_:)``) do nothing unless
    /// `strictActions` is set, in which case they raise `error.execution` as in the engine.
    public init(
        definition: MachineDefinition, sessionID: String = "session-0", data: [NamedValue] = [],
        clock: any EngineClock = ManualClock(), options: InterpreterOptions = .init(),
        loader: DocumentLoader? = nil,
        parser: DocumentParser? = nil,
        strictActions: Bool = false,
        basicHTTP: (any BasicHTTPTransport)? = nil
    ) {
        self.basicHTTP = basicHTTP
        self.clock = clock
        manualClock = clock as? ManualClock
        self.loader = loader
        self.parser = parser
        self.options = options
        instanceID = sessionID
        let registry = self.registry
        let definitions = ChildDefinitions(loader: loader, parser: parser)
        environment = ExecutorEnvironment(
            stableIDs: false, historyLength: 0, interpreterOptions: options,
            actionHandler: ExecutorActionHandler(ignoreUnregistered: !strictActions) { registry.action($0) },
            instanceDirectory: directory,
            activity: { registry.activity($0)?.registered },
            childDefinition: { request, parent in definitions.definition(request, parent: parent) },
            nextSendStamp: { registry.nextStamp() }, basicHTTP: basicHTTP)
        let registered = RegisteredDefinition(name: sessionID, machine: definition, correlation: nil)
        let executor = InstanceExecutor(
            id: sessionID, definition: registered, data: data, correlationKey: nil, parent: nil,
            environment: environment)
        sessions[sessionID] = Session(executor)
        directory.insert(sessionID)
        basicHTTP?.receive(forSession: sessionID, into: inbox)
    }

    /// Registers a scripted activity for `<invoke type="activity" src="name">`.
    public func registerActivity(
        _ name: String, options: ActivityOptions = .init(), _ body: @escaping ScriptedActivity
    ) {
        registry.register(name, options: options, body)
    }

    /// Registers a custom action for `<sy:action name="name">`.
    public func registerAction(_ name: String, _ body: @escaping ActionBody) {
        registry.register(action: name, body)
    }

    /// The top-level instance's interpreter.
    public var top: Interpreter {
        guard let session = sessions[instanceID] else {
            preconditionFailure("the top-level session is never removed")
        }
        return session.executor.interpreter
    }

    /// Whether the top-level instance has finished.
    public var isFinished: Bool { top.isFinished }

    /// Pending delayed sends of all instances, in firing order.
    public var pendingTimers: [PendingTimer] {
        var out: [PendingTimer] = []
        for session in sessions.slots {
            guard let session else { continue }
            for (sendID, p) in session.executor.timers {
                out.append(
                    PendingTimer(
                        sendID: sendID, dueNanoseconds: p.due, sequence: p.seq, event: p.event,
                        target: p.target))
            }
        }
        return out.sorted { ($0.dueNanoseconds, $0.sequence) < ($1.dueNanoseconds, $1.sequence) }
    }

    /// Starts the top-level instance and processes everything that follows until idle.
    public func start() {
        guard let session = sessions.slots.first ?? nil else { return }
        apply(.start(Self.startPayload), to: session, event: nil, now: clock.now())
        runUntilIdle()
    }

    private static let startPayload = StartPayload(definitionHash: "", definitionName: "", data: [])

    /// Queues an external event for the top-level instance (not processed until the driver runs).
    public func enqueue(_ event: Event) {
        // The top-level instance always holds slot 0.
        queue.append((0, event, 0, false))
    }

    /// Processes queued events (of all instances) until none are left or `maxEvents` were taken.
    /// Returns the number processed.
    @discardableResult public func runUntilIdle(maxEvents: Int = 1_000_000) -> Int {
        var n = 0
        let now = manualClock?.now() ?? clock.now()
        while n < maxEvents, queueHead < queue.count {
            let (slot, event, sent, compensation) = queue[queueHead]
            queueHead += 1
            if queueHead == queue.count {
                // Drained: reuse the buffer (removeLast avoids a generic range replacement).
                while !queue.isEmpty { queue.removeLast() }
                queueHead = 0
            } else if queueHead > 1024, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            guard let session = sessions.slots[slot], session.executor.isRunning else { continue }
            n += 1
            if compensation {
                apply(.compensationFinished(event), to: session, event: event, now: now)
                continue
            }
            if event.hasInvokeID, let invokeID = event.invokeID,
                !session.executor.accepts(childEvent: event, invokeID: invokeID, sent: sent == 0 ? nil : sent)
            {
                continue  // from a cancelled child (SCXML 6.4)
            }
            // The hot path: an external event, nobody observing, nothing to perform. The
            // executor is mutated in place (copying it out of the table would copy its buffers).
            if onMacrostep == nil {
                if session.executor.apply(event: event, now: now) {
                    perform(session.executor.takeActions(), session, now: now)
                    flushLogs()
                }
                continue
            }
            apply(.event(event), to: session, event: event, now: now)
        }
        return n
    }

    /// Fires every timer due at the clock's current time, then runs until idle.
    @discardableResult public func fireDueTimers() -> Int {
        var fired = 0
        let now = clock.now()
        while let (token, due, timer) = timers.popDue(now: now) {
            switch timer {
            case .instance(let slot, let key):
                guard let session = sessions.slots[slot], session.timerTokens[key] == token else { continue }
                session.timerTokens[key] = nil
                let input = key.input(due: due)
                guard session.executor.accepts(input) else { continue }
                fired += 1
                apply(input, to: session, event: nil, now: now)
            case .activityResult(let slot, let invokeID, let generation, let result):
                guard let session = sessions.slots[slot], session.results[invokeID] == token else { continue }
                session.results[invokeID] = nil
                let input = InstanceInput.activityResult(invokeID: invokeID, generation: generation, result)
                guard session.executor.accepts(input) else { continue }
                fired += 1
                apply(input, to: session, event: nil, now: now)
            }
            runUntilIdle()
        }
        return fired
    }

    /// Runs until the top-level instance finishes or nothing is left to do: when idle it waits
    /// on the clock for the next timer (a ``ManualClock`` jumps there at once) and fires it.
    /// With `timeout`, it stops waiting for timers due later than that from now. Returns
    /// whether the top-level instance finished.
    @discardableResult
    public func runToCompletion(maxEvents: Int = 1_000_000, timeout: Duration? = nil) -> Bool {
        let deadline = timeout.map { clock.now() &+ $0.nanoseconds }
        var budget = maxEvents
        while budget > 0 {
            if basicHTTP != nil { takeInbox() }
            budget -= runUntilIdle(maxEvents: budget)
            if isFinished { return true }
            guard let next = timers.nextDue() else { return false }
            if let deadline, next > deadline { return false }
            clock.wait(until: next)
            budget -= max(1, fireDueTimers())
        }
        return isFinished
    }

    /// ``runToCompletion(maxEvents:timeout:)`` with a time limit (real time on a real clock).
    @discardableResult public func runRealTime(timeout: Duration) -> Bool {
        runToCompletion(timeout: timeout)
    }

    /// The top-level instance's state with its pending timers, for saving.
    public func snapshot() -> InterpreterState {
        var state = top.snapshot()
        state.pendingTimers = sessions[instanceID]?.executor.pendingTimers ?? []
        return state
    }

    // MARK: Performing actions

    private func apply(_ input: InstanceInput, to session: Session, event: Event?, now: Int64) {
        // The hot path: nobody observes and, as for most macrosteps of a busy machine, nothing
        // to perform.
        guard let observer = onMacrostep, session === sessions.slots[0] else {
            let actions = session.executor.apply(input, now: now)
            if !actions.isEmpty { perform(actions, session, now: now) }
            flushLogs()
            return
        }
        let handledBefore = session.executor.eventsHandled
        let actions = session.executor.apply(input, now: now)
        report = MacrostepResult()
        perform(actions, session, now: now)
        // Reported: the start, and every input that ran a macrostep (not a retry being armed).
        let ranMacrostep: Bool
        if case .start = input {
            ranMacrostep = true
        } else {
            ranMacrostep = session.executor.eventsHandled != handledBefore
        }
        if ranMacrostep {
            observer(session.executor.lastEvent ?? event, report, session.executor.interpreter)
        }
        // The macrostep's report comes first, then the lines it logged.
        flushLogs()
    }

    private func flushLogs() {
        guard !pendingLogs.isEmpty else { return }
        let lines = pendingLogs
        pendingLogs.removeAll()
        for record in lines { onLog?(record) }
    }

    private func perform(_ actions: [InstanceAction], _ session: Session, now: Int64) {
        let id = session.executor.id
        for action in actions {
            switch action {
            case .post(let event, let target, _):
                deliver(event, to: target, sent: nil)
            case .postToParent(let event, let parent, _):
                deliver(event, to: parent, sent: registry.nextStamp())
            case .schedule(let key, let due):
                guard let slot = sessions.slot(of: id) else { continue }
                if let old = session.timerTokens[key] { timers.cancel(old) }
                session.timerTokens[key] = timers.schedule(at: due, .instance(slot: slot, key: key))
            case .cancelTimer(let key):
                if let token = session.timerTokens.removeValue(forKey: key) { timers.cancel(token) }
            case .startActivity(let invokeID, let generation):
                startAttempt(session, invokeID, generation: generation, now: now)
            case .endAttempt(let invokeID, _, _):
                if let token = session.results.removeValue(forKey: invokeID) { timers.cancel(token) }
                for (key, token) in session.timerTokens {
                    if case .activityTimeout(invokeID, _) = key {
                        timers.cancel(token)
                        session.timerTokens[key] = nil
                    }
                }
            case .startChild(let start):
                startChild(start, now: now)
            case .childFailed(_, let message, _):
                deliver(Event.platformError("error.execution", message: message), to: id, sent: nil)
            case .cancelChild(let childID, _, _):
                stopChild(childID, now: now)
            case .basicHTTP(let event, let url, _):
                postBasicHTTP(event, url: url, from: id)
            case .route(let event, _):
                deadLetters.append((event, .unsupportedTarget("#_router")))
                deliver(
                    InstanceExecutor.errorEvent(
                        "error.communication", "no router: `switchyard run` runs one machine",
                        sendID: event.sendID),
                    to: id, sent: nil)
            case .log(let label, let message):
                let record = LogRecord(instanceID: id, label: label, message: message)
                if keepLogs { logs.append(record) }
                if onLog != nil { pendingLogs.append(record) }
            case .deadLetter(let event, let reason):
                deadLetters.append((event, reason))
            case .runCompensations(let entries, let key):
                runCompensations(session, entries, key: key)
            case .notify(let notice):
                switch notice {
                case .microsteps(let trace): if onMacrostep != nil { report.trace += trace }
                case .macrostepError(let error):
                    errors.append((id, error))
                    report.error = error
                case .effect(let effect): if onMacrostep != nil { report.effects.append(effect) }
                case .started, .eventReceived, .timerFired, .activityFailed: break
                }
            case .finished:
                if id == instanceID {
                    doneData = session.executor.doneData ?? .undefined
                } else {
                    removeSession(id)
                }
            }
        }
    }

    /// POSTs a Basic HTTP send and waits for the answer; what arrived meanwhile (the event
    /// itself, when a session posts to its own location) is queued before the step goes on.
    private func postBasicHTTP(_ event: Event, url: String, from id: String) {
        guard let transport = basicHTTP else {
            deadLetters.append((event, .unsupportedTarget(url)))
            deliver(
                InstanceExecutor.errorEvent(
                    "error.communication", "no Basic HTTP transport: cannot POST '\(event.name)' to \(url)",
                    sendID: event.sendID),
                to: id, sent: nil)
            return
        }
        let result = transport.postAndWait(BasicHTTPRequest(event: event, url: url, sender: id))
        takeInbox()
        if case .failure(let error) = result {
            deliver(
                InstanceExecutor.errorEvent("error.communication", error.message, sendID: event.sendID),
                to: id,
                sent: nil)
        }
    }

    /// Queues what arrived in ``inbox``.
    private func takeInbox() {
        for (session, event) in inbox.drain() { deliver(event, to: session, sent: nil) }
    }

    private func deliver(_ event: Event, to target: String, sent: UInt64?) {
        guard let slot = sessions.slot(of: target) else {
            deadLetters.append((event, .noSuchInstance(target)))
            return
        }
        queue.append((slot, event, sent ?? 0, false))
    }

    private func startChild(_ start: ChildStart, now: Int64) {
        if let existing = sessions[start.id], existing.executor.status.isRunning {
            // An earlier invocation under the same invoke id (its cancel came first).
            stopChild(start.id, now: now)
        }
        let link = ParentLink(parent: start.parent, invokeID: start.invokeID, startEventID: nil)
        let executor = InstanceExecutor(
            id: start.id, definition: start.definition, data: start.data, correlationKey: nil, parent: link,
            environment: environment)
        let session = Session(executor)
        sessions[start.id] = session
        directory.insert(start.id)
        basicHTTP?.receive(forSession: start.id, into: inbox)
        apply(.start(Self.startPayload), to: session, event: nil, now: now)
    }

    private func stopChild(_ id: String, now: Int64) {
        guard let session = sessions[id] else { return }
        if session.executor.status.isRunning { apply(.stop, to: session, event: nil, now: now) }
        removeSession(id)
    }

    private func removeSession(_ id: String) {
        guard let session = sessions.remove(id) else { return }
        directory.remove(id)
        for token in session.timerTokens.values { timers.cancel(token) }
        for token in session.results.values { timers.cancel(token) }
    }

    // MARK: Scripted activities

    private func startAttempt(_ session: Session, _ invokeID: String, generation: Int, now: Int64) {
        guard let run = session.executor.activities[invokeID],
            let slot = sessions.slot(of: session.executor.id),
            let scripted = registry.activity(run.request.src ?? "")
        else { return }
        var content: Value = .undefined
        if case .value(let v)? = run.request.content { content = v }
        var input = ActivityInput(
            instanceID: session.executor.id, invokeID: invokeID, name: run.request.src ?? "",
            params: run.request.params, content: content, attempt: run.attempt)
        input.idempotencyKey = run.key
        let outcome = scripted.body(input)
        session.results[invokeID] = timers.schedule(
            at: now &+ outcome.delay.nanoseconds,
            .activityResult(slot: slot, invokeID: invokeID, generation: generation, outcome.result))
        if let timeout = scripted.registered.options.timeout {
            let key = TimerKey.activityTimeout(invokeID: invokeID, generation: generation)
            session.timerTokens[key] = timers.schedule(
                at: now &+ timeout.nanoseconds, .instance(slot: slot, key: key))
        }
    }

    /// Runs compensations at once, each with its retry policy's attempts (scripted activities
    /// take no time here), then queues the outcome for the instance.
    private func runCompensations(_ session: Session, _ entries: [CompensationEntry], key: String) {
        guard let slot = sessions.slot(of: session.executor.id) else { return }
        var done: [Value] = []
        var failed: [Value] = []
        for entry in entries {
            guard let scripted = registry.activity(entry.activity) else {
                failed.append(Self.failure(entry.activity, "no activity registered"))
                continue
            }
            let policy = scripted.registered.options.retry
            var input = ActivityInput(
                instanceID: session.executor.id, invokeID: "compensation", name: entry.activity,
                params: entry.params, content: .undefined, attempt: 1)
            input.idempotencyKey = "\(key)/\(entry.activity)"
            while true {
                let outcome = scripted.body(input).result
                if case .failure(let error) = outcome {
                    if policy.shouldRetry(error, afterAttempt: input.attempt) {
                        input.attempt += 1
                        continue
                    }
                    failed.append(Self.failure(entry.activity, error.description))
                } else {
                    done.append(.string(entry.activity))
                }
                break
            }
        }
        var data = JSObject()
        data["compensated"] = .array(done)
        data["failed"] = .array(failed)
        let name = failed.isEmpty ? "compensation.done" : "compensation.failed"
        queue.append((slot, Event(name, kind: .platform, data: .object(data)), 0, true))
    }

    private static func failure(_ activity: String, _ message: String) -> Value {
        var o = JSObject()
        o["activity"] = .string(activity)
        o["message"] = .string(message)
        return .object(o)
    }
}

/// The activities and actions registered with a ``InstanceRunner`` (read by its executors).
final class DriverRegistry: @unchecked Sendable {
    // Touched only on the driver's thread.
    struct Activity {
        var registered: RegisteredActivity
        var body: ScriptedActivity
    }
    private var activities: [String: Activity] = [:]
    private var actions: [String: ActionBody] = [:]
    private var stamp: UInt64 = 0

    func register(_ name: String, options: ActivityOptions, _ body: @escaping ScriptedActivity) {
        let registered = RegisteredActivity(
            body: { _ in throw ActivityError(kind: "scripted", message: "run by the driver", retryable: false)
            },
            options: options)
        activities[name] = Activity(registered: registered, body: body)
    }

    func register(action name: String, _ body: @escaping ActionBody) { actions[name] = body }
    func activity(_ name: String) -> Activity? { activities[name] }
    func action(_ name: String) -> ActionBody? { actions[name] }

    func nextStamp() -> UInt64 {
        stamp += 1
        return stamp
    }
}

/// Compiles `<invoke type="scxml">` documents for an ``InstanceRunner`` (cached per document and
/// parent version), as the engine does.
final class ChildDefinitions: @unchecked Sendable {
    // Touched only on the runner's thread.
    let loader: DocumentLoader?
    let parser: DocumentParser?
    private var cache: [ChildDefinitionKey: RegisteredDefinition] = [:]

    init(loader: DocumentLoader?, parser: DocumentParser?) {
        self.loader = loader
        self.parser = parser
    }

    func definition(_ request: InvokeRequest, parent: RegisteredDefinition) -> Result<
        RegisteredDefinition, InvokeFailure
    > {
        do throws(InvokeFailure) {
            let key = try ChildDefinitionKey(request, parentHash: parent.hash)
            if let cached = cache[key] { return .success(cached) }
            let machine = try key.compile(
                parent: parent, loader: loader, parser: parser, runner: "the runner")
            let def = RegisteredDefinition(
                name: "\(parent.name)#invoke:\(request.stateID)", machine: machine, correlation: nil)
            cache[key] = def
            return .success(def)
        } catch {
            return .failure(error)
        }
    }
}

/// Sessions in slots (so queued events address them by index, without hashing) plus an index
/// by session id. Slots of ended sessions are never reused, so an event queued for a session
/// that ended cannot reach a later one.
struct InstanceTable {
    var slots: [InstanceRunner.Session?] = []
    var index: [String: Int] = [:]

    func slot(of id: String) -> Int? { index[id] }

    subscript(id: String) -> InstanceRunner.Session? {
        get { index[id].flatMap { slots[$0] } }
        set {
            if let slot = index[id] {
                slots[slot] = newValue
                if newValue == nil { index.removeValue(forKey: id) }
            } else if let newValue {
                slots.append(newValue)
                index[id] = slots.count - 1
            }
        }
    }

    mutating func remove(_ id: String) -> InstanceRunner.Session? {
        let old = self[id]
        self[id] = nil
        return old
    }
}
