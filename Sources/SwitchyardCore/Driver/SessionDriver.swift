public import SwitchyardExpressions

#if canImport(Glibc)
    import Glibc
#endif

/// Loads the document named by an `<invoke src>` (resolved against `baseDirectory`).
public typealias DocumentLoader = @Sendable (_ src: String, _ baseDirectory: String?) throws -> SCXMLDocument

/// Parses an SCXML document held in a string (an `<invoke>` whose `<content expr>` evaluates to
/// markup).
public typealias DocumentParser = @Sendable (_ text: String) throws -> SCXMLDocument

/// A `<log>` line produced by a session.
public struct LogRecord: Hashable, Sendable {
    /// The session that logged.
    public var sessionID: String
    /// The `label` attribute.
    public var label: String?
    /// The evaluated `expr`.
    public var message: String
}

/// A small single-threaded executor for one top-level session and the child sessions it
/// invokes: it delivers sends between sessions, keeps delayed sends on a ``SessionClock``
/// (firing order: due time, then scheduling order), starts and cancels `<invoke>`d children,
/// and reports `done.invoke`.
///
/// With a ``ManualClock``, ``runToCompletion(maxEvents:)`` jumps the clock to the next due timer
/// whenever nothing else is queued, so delayed tests take no wall time and every run produces
/// the same trace.
public final class SessionDriver {
    /// A session's interpreter and its place in the invoke tree. A class so the driver mutates
    /// the interpreter in place, never copying it.
    final class Session {
        // The driver is single-threaded and never overlaps accesses to one session's interpreter,
        // so the dynamic exclusivity check (one per event) is skipped.
        @exclusivity(unchecked) var interpreter: Interpreter
        let parent: String?
        /// The invoke id under which the parent started this session.
        let invokeID: String?
        /// Child session ids by invoke id.
        var children: [String: String] = [:]

        init(interpreter: Interpreter, parent: String? = nil, invokeID: String? = nil) {
            self.interpreter = interpreter
            self.parent = parent
            self.invokeID = invokeID
        }
    }

    /// The time source for delayed sends.
    public let clock: any SessionClock
    /// Loads `<invoke src>` documents.
    public let loader: DocumentLoader?
    /// Parses `<invoke>` content given as markup.
    public let parser: DocumentParser?
    /// The live sessions, shared with every interpreter this driver runs.
    public let directory = SessionDirectory()
    /// Options for every interpreter this driver creates.
    public let options: InterpreterOptions
    /// Called after every macrostep of the top-level session with the event (nil for start).
    // Read once per event by the single-threaded driver; no access to it overlaps another, so
    // the dynamic exclusivity check (a runtime call per event) is skipped.
    @exclusivity(unchecked) public var onTopLevelMacrostep: ((Event?, MacrostepResult, Interpreter) -> Void)?
    /// Called for every `<log>`.
    public var onLog: ((LogRecord) -> Void)?
    /// `<log>` lines in order (kept when ``keepLogs`` is true).
    public private(set) var logs: [LogRecord] = []
    /// Whether ``logs`` keeps `<log>` lines (turn off for long runs).
    public var keepLogs = true
    /// Errors reported by macrosteps (microstep limit, ...), with the session id.
    public private(set) var errors: [(session: String, error: InterpreterError)] = []

    // Hot per-event state of a single-threaded executor: no overlapping accesses, so the dynamic
    // exclusivity checks are skipped.
    @exclusivity(unchecked) var sessions = SessionTable()
    @exclusivity(unchecked) var queue: [(slot: Int, event: Event)] = []
    @exclusivity(unchecked) var queueHead = 0
    var timers = TimerQueue()
    var timerSequence: UInt64 = 0
    var sessionCounter = 0
    var definitionCache: [String: MachineDefinition] = [:]
    /// The id of the top-level session.
    public let topSessionID: String
    /// The donedata of the top-level session once it finished.
    public private(set) var doneData: Value?

    /// Creates a driver for `definition`; call ``start()`` to run its first macrostep.
    public init(
        definition: MachineDefinition, sessionID: String = "session-0", data: [NamedValue] = [],
        clock: any SessionClock = ManualClock(), options: InterpreterOptions = .init(),
        loader: DocumentLoader? = nil,
        parser: DocumentParser? = nil
    ) {
        self.clock = clock
        self.loader = loader
        self.parser = parser
        self.options = options
        topSessionID = sessionID
        var interpreter = Interpreter(
            definition: definition, sessionID: sessionID, data: data, options: options)
        interpreter.sessionDirectory = directory
        sessions[sessionID] = Session(interpreter: interpreter)
        directory.insert(sessionID)
    }

    /// The top-level session's interpreter.
    public var top: Interpreter {
        guard let session = sessions[topSessionID] else {
            preconditionFailure("the top-level session is never removed")
        }
        return session.interpreter
    }

    /// Whether the top-level session has finished.
    public var isFinished: Bool { top.isFinished }

    /// Pending delayed sends of all sessions, in firing order.
    public var pendingTimers: [PendingTimer] { timers.sorted.map(\.timer) }

    /// Starts the top-level session and processes everything that follows until idle.
    public func start() {
        startSession(topSessionID)
        runUntilIdle()
    }

    /// Queues an external event for the top-level session (not processed until the driver runs).
    public func enqueue(_ event: Event) {
        // The top-level session always holds slot 0.
        queue.append((0, event))
    }

    /// Processes queued events (of all sessions) until none are left or `maxEvents` were taken.
    /// Returns the number processed.
    @discardableResult public func runUntilIdle(maxEvents: Int = 1_000_000) -> Int {
        var n = 0
        while n < maxEvents, queueHead < queue.count {
            let (slot, event) = queue[queueHead]
            queueHead += 1
            if queueHead == queue.count {
                // Drained: reuse the buffer (removeLast avoids a generic range replacement).
                while !queue.isEmpty { queue.removeLast() }
                queueHead = 0
            } else if queueHead > 1024, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            // Mutate in place: copying the interpreter out of the table would make every event
            // copy its buffers.
            guard let session = sessions.slots[slot] else { continue }
            let result = session.interpreter.handle(event)
            n += 1
            // Most macrosteps of a busy machine produce no effects and no error: skip the
            // bookkeeping (and the session-id lookups) for them.
            if result.effects.isEmpty, result.error == nil, onTopLevelMacrostep == nil { continue }
            process(result, of: session.interpreter.sessionID, event: event)
        }
        return n
    }

    /// Fires every timer due at the clock's current time, then runs until idle.
    @discardableResult public func fireDueTimers() -> Int {
        var fired = 0
        let now = clock.now()
        while let next = timers.peek, next.timer.dueNanoseconds <= now {
            timers.pop()
            fired += 1
            route(next.timer.event, from: next.session, target: next.timer.target)
            runUntilIdle()
        }
        return fired
    }

    /// Runs until the top-level session finishes or nothing is left to do; with a
    /// ``ManualClock`` it advances the clock to each next timer when idle.
    public func runToCompletion(maxEvents: Int = 1_000_000) {
        var budget = maxEvents
        while budget > 0 {
            budget -= runUntilIdle(maxEvents: budget)
            if isFinished { return }
            guard let next = timers.peek else { return }
            if let manual = clock as? ManualClock {
                manual.advance(to: next.timer.dueNanoseconds)
            } else {
                return
            }
            _ = fireDueTimers()
            budget -= 1
        }
    }

    /// With a real clock: sleeps until each next timer is due and fires it, until the top-level
    /// session finishes, no timer is pending, or `timeout` has passed. Returns whether the
    /// top-level session finished.
    @discardableResult public func runRealTime(timeout: Duration) -> Bool {
        let deadline = clock.now() &+ timeout.nanoseconds
        runUntilIdle()
        while !isFinished, let next = timers.peek {
            let now = clock.now()
            if next.timer.dueNanoseconds > deadline { return false }
            if next.timer.dueNanoseconds > now {
                let wait = next.timer.dueNanoseconds - now
                var ts = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                nanosleep(&ts, nil)
                continue
            }
            fireDueTimers()
        }
        return isFinished
    }

    /// The top-level session's state with its pending timers, for saving.
    public func snapshot() -> InstanceState {
        var state = top.snapshot()
        state.pendingTimers = timers.sorted.filter { $0.session == topSessionID }.map(\.timer)
        return state
    }

    // MARK: Effects

    func startSession(_ sid: String) {
        guard let result = sessions[sid]?.interpreter.start() else { return }
        process(result, of: sid, event: nil)
    }

    func process(_ result: MacrostepResult, of sid: String, event: Event?) {
        if let error = result.error { errors.append((sid, error)) }
        if let observer = onTopLevelMacrostep, sid == topSessionID, let s = sessions[sid] {
            observer(event, result, s.interpreter)
        }
        for effect in result.effects { execute(effect, of: sid) }
    }

    func execute(_ effect: Effect, of sid: String) {
        switch effect {
        case .send(let event, let target):
            route(event, from: sid, target: target)
        case .schedule(let sendID, let delay, let event, let target):
            timerSequence += 1
            timers.push(
                TimerQueue.Entry(
                    session: sid,
                    timer: PendingTimer(
                        sendID: sendID, dueNanoseconds: clock.now() &+ delay.nanoseconds,
                        sequence: timerSequence,
                        event: event, target: target)))
        case .cancel(let sendID):
            timers.remove { $0.session == sid && $0.timer.sendID == sendID }
        case .invoke(let request):
            startChild(request, parent: sid)
        case .cancelInvoke(let invokeID):
            if let child = sessions[sid]?.children.removeValue(forKey: invokeID) { removeSession(child) }
        case .log(let label, let message):
            let record = LogRecord(sessionID: sid, label: label, message: message)
            if keepLogs { logs.append(record) }
            onLog?(record)
        case .done(let data):
            finish(sid, data: data)
        }
    }

    func route(_ event: Event, from sid: String, target: SendTarget) {
        switch target {
        case .this:
            deliver(event, to: sid)
        case .parent:
            guard let session = sessions[sid], let parent = session.parent else {
                communicationError(sid, event, "the session has no parent")
                return
            }
            var e = event
            e.invokeID = session.invokeID
            deliverFromChild(e, invokeID: session.invokeID ?? "", to: parent)
        case .invoked(let invokeID):
            guard let child = sessions[sid]?.children[invokeID] else {
                communicationError(sid, event, "no invoked session '\(invokeID)'")
                return
            }
            deliver(event, to: child)
        case .session(let target):
            guard sessions[target] != nil else {
                communicationError(sid, event, "no session '\(target)'")
                return
            }
            deliver(event, to: target)
        case .uri(let uri):
            communicationError(sid, event, "target '\(uri)' cannot be reached")
        }
    }

    func deliver(_ event: Event, to sid: String) {
        guard let slot = sessions.slot(of: sid) else { return }
        queue.append((slot, event))
    }

    /// Delivers an event from a child to its parent, unless the parent has left the invoking
    /// state meanwhile: such events are discarded (SCXML 6.4).
    func deliverFromChild(_ event: Event, invokeID: String, to parent: String) {
        guard let slot = sessions.slot(of: parent), let session = sessions.slots[slot],
            session.interpreter.invocations.contains(where: { $0.invokeID == invokeID })
        else { return }
        queue.append((slot, event))
    }

    func communicationError(_ sid: String, _ event: Event, _ message: String) {
        deliver(.platformError("error.communication", message: message, sendID: event.sendID), to: sid)
    }

    func startChild(_ request: InvokeRequest, parent: String) {
        func fail(_ message: String) {
            deliver(.platformError("error.execution", message: message), to: parent)
        }
        guard request.type == "scxml" else {
            fail("unsupported invoke type '\(request.type)'")
            return
        }
        let definition: MachineDefinition
        // Children resolve `<sy:route>` rule sets and Swift bindings as their parent did.
        let parentDefinition = sessions[parent]?.interpreter.definition
        let routing = parentDefinition?.routing
        let bindings = parentDefinition?.bindings ?? HostBindings()
        do {
            if case .document(let doc)? = request.content {
                definition = try MachineDefinition.compile(doc, routing: routing, bindings: bindings)
            } else if case .value(let value)? = request.content {
                guard case .string(let text) = value, let parser else {
                    fail("<invoke> content is not an SCXML document")
                    return
                }
                definition = try MachineDefinition.compile(parser(text), routing: routing, bindings: bindings)
            } else if let src = request.src {
                let key = (request.baseDirectory ?? "") + "\u{0}" + src
                if let cached = definitionCache[key] {
                    definition = cached
                } else {
                    guard let loader else {
                        fail("cannot load '\(src)': no document loader")
                        return
                    }
                    definition = try MachineDefinition.compile(
                        loader(src, request.baseDirectory), routing: routing, bindings: bindings)
                    definitionCache[key] = definition
                }
            } else {
                fail("<invoke> has neither src nor an inline document")
                return
            }
        } catch {
            fail("cannot start invoked document: \(error)")
            return
        }
        sessionCounter += 1
        let sid = "\(topSessionID).\(sessionCounter)"
        var interpreter = Interpreter(
            definition: definition, sessionID: sid, data: request.params, declareUndeclared: false,
            options: options)
        interpreter.sessionDirectory = directory
        sessions[sid] = Session(interpreter: interpreter, parent: parent, invokeID: request.invokeID)
        directory.insert(sid)
        sessions[parent]?.children[request.invokeID] = sid
        startSession(sid)
    }

    func finish(_ sid: String, data: Value) {
        guard let session = sessions[sid] else { return }
        if sid == topSessionID {
            doneData = data
            return
        }
        if let parent = session.parent, let invokeID = session.invokeID {
            sessions[parent]?.children.removeValue(forKey: invokeID)
            deliverFromChild(
                Event("done.invoke.\(invokeID)", kind: .external, data: data, invokeID: invokeID),
                invokeID: invokeID,
                to: parent)
        }
        removeSession(sid)
    }

    func removeSession(_ sid: String) {
        guard let session = sessions.remove(sid) else { return }
        directory.remove(sid)
        for child in session.children.values { removeSession(child) }
        timers.remove { $0.session == sid }
    }
}

/// Pending delayed sends ordered by due time, then scheduling order (a binary heap).
struct TimerQueue {
    struct Entry {
        var session: String
        var timer: PendingTimer
        func precedes(_ other: Entry) -> Bool {
            (timer.dueNanoseconds, timer.sequence) < (other.timer.dueNanoseconds, other.timer.sequence)
        }
    }
    private var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }
    var peek: Entry? { heap.first }
    var sorted: [Entry] { heap.sorted { $0.precedes($1) } }

    mutating func push(_ e: Entry) {
        heap.append(e)
        siftUp(heap.count - 1)
    }

    @discardableResult mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return top
    }

    mutating func remove(where predicate: (Entry) -> Bool) {
        let before = heap.count
        heap.removeAll(where: predicate)
        if heap.count != before {
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
    }

    private mutating func siftUp(_ i: Int) {
        var child = i
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ i: Int) {
        var parent = i
        while true {
            let l = 2 * parent + 1
            let r = l + 1
            var best = parent
            if l < heap.count, heap[l].precedes(heap[best]) { best = l }
            if r < heap.count, heap[r].precedes(heap[best]) { best = r }
            if best == parent { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}

/// Sessions in slots (so queued events address them by index, without hashing) plus an index
/// by session id. Slots of ended sessions are never reused, so an event queued for a session
/// that ended cannot reach a later one.
struct SessionTable {
    var slots: [SessionDriver.Session?] = []
    var index: [String: Int] = [:]

    func slot(of id: String) -> Int? { index[id] }

    subscript(id: String) -> SessionDriver.Session? {
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

    mutating func remove(_ id: String) -> SessionDriver.Session? {
        let old = self[id]
        self[id] = nil
        return old
    }
}
