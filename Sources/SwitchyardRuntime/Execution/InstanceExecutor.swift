import SwitchyardCore
import SwitchyardExpressions

/// One instance: its interpreter and everything the engine keeps beside it — delayed sends,
/// activity attempts, invoked children, recorded compensations — as a value that turns each
/// ``InstanceInput`` into a closed list of ``InstanceAction``s. It performs no I/O and reads no
/// clock (`now` is an argument), so applying the same inputs with the same instants gives the
/// same state and the same actions: that is what makes a journal replay exact.
///
/// Every runner uses it: the engine's shards (in memory, durably, and while replaying a
/// journal) and ``InstanceRunner`` (`switchyard run`, the conformance runner). What an action
/// does — post it now, after the commit, or not at all during a replay — is the performer's
/// decision, made in one place (`Shard.perform`, `InstanceRunner.perform`).
struct InstanceExecutor {
    let id: String
    var definition: RegisteredDefinition
    var interpreter: Interpreter
    var status: InstanceStatus = .running {
        didSet { isRunning = status.isRunning }
    }
    /// `status.isRunning`, kept as a plain flag for the hot path (`status` carries a string).
    private(set) var isRunning = true
    /// Delayed sends waiting for their time, by send id.
    var timers: [String: PendingSend] = [:]
    var timerSeq: UInt64 = 0
    /// Activities invoked and not finished, by invoke id.
    var activities: [String: ActivityRun] = [:]
    /// Activity starts so far (numbers idempotency keys).
    var activityStarts = 0
    var compensations: [CompensationEntry] = []
    /// Compensations being run right now (newest first), nil when none are.
    var compensating: [CompensationEntry]?
    var recent: [String] = []
    var recentNext = 0
    var correlationKey: String?
    /// Set for an instance started by `<invoke type="scxml">`.
    var parentLink: ParentLink?
    /// Invoked child instances by invoke id (removed on `done.invoke` and on cancellation).
    var children: [String: ChildLink] = [:]
    /// The latest cancelled children (invoke id, cancellation stamp), newest last, at most 32:
    /// their events sent before the stamp are still taken. Not persisted.
    var cancelledChildren: [(String, UInt64)] = []
    /// The journal record being applied (durable performers; 0 otherwise).
    var seq: Int64 = 0
    /// Idempotency ids of the events this run of the instance applied.
    var eventIDs: Set<String> = []
    var startedAt: Int64 = 0
    var finishedAt: Int64?
    /// The `<donedata>` of the top-level final state, once reached.
    private(set) var doneData: Value?
    /// Whether the last event applied enabled a transition (false: no transition took it).
    private(set) var lastEventHandled = false
    /// The name of the event the last input delivered to the machine (durable performers only:
    /// the journal's event column).
    private(set) var lastEventName: String?
    /// The event the last input delivered to the machine (kept only while observed).
    private(set) var lastEvent: Event?
    /// Events handed to the interpreter so far (a macrostep each).
    private(set) var eventsHandled = 0

    let environment: ExecutorEnvironment
    // Per-apply scratch state.
    private var now: Int64 = 0
    private var effectCounter = 0
    private var actions: [InstanceAction] = []

    /// A new instance; ``apply(_:eventID:now:record:)`` with a `.start` input runs its first
    /// macrostep. An invoked child takes only the params its document declares.
    init(
        id: String, definition: RegisteredDefinition, data: [NamedValue], correlationKey: String?,
        parent: ParentLink?, environment: ExecutorEnvironment
    ) {
        self.id = id
        self.definition = definition
        self.interpreter = Self.attach(
            Interpreter(
                definition: definition.machine, sessionID: id, data: data, declareUndeclared: parent == nil,
                options: environment.interpreterOptions), id: id, to: environment)
        self.correlationKey = correlationKey
        self.parentLink = parent
        self.environment = environment
    }

    /// An instance restored from an interpreter state (a snapshot or a migration).
    init(
        id: String, definition: RegisteredDefinition, interpreter: Interpreter,
        environment: ExecutorEnvironment
    ) {
        self.id = id
        self.definition = definition
        self.interpreter = Self.attach(interpreter, id: id, to: environment)
        self.environment = environment
    }

    /// Gives an interpreter the performer's custom actions and instance directory.
    private static func attach(
        _ interpreter: Interpreter, id: String, to environment: ExecutorEnvironment
    ) -> Interpreter {
        var interpreter = interpreter
        interpreter.actionHandler = environment.actionHandler
        interpreter.instanceDirectory = environment.instanceDirectory
        if let transport = environment.basicHTTP, let location = transport.location(ofSession: id) {
            interpreter.basicHTTPLocation = location
        }
        return interpreter
    }

    // MARK: Applying inputs

    /// Whether `input` is still current: the instance runs, and a timer or activity input
    /// belongs to the live timer or attempt (not one cancelled, replaced or timed out).
    func accepts(_ input: InstanceInput) -> Bool {
        guard isRunning else { return false }
        switch input {
        case .timer(let sendID, let seq, _):
            return timers[sendID]?.seq == seq
        case .activityResult(let invokeID, let generation, _), .activityTimeout(let invokeID, let generation):
            guard let run = activities[invokeID] else { return false }
            return run.generation == generation && run.inFlight
        case .activityRetry(let invokeID, let generation):
            guard let run = activities[invokeID] else { return false }
            return run.generation == generation && !run.inFlight && run.retryDue != nil
        case .start, .event, .compensationFinished, .stop, .migrate:
            return true
        }
    }

    /// Applies one input (the unit a journal records) at instant `now` and returns what the
    /// performer must do. `record` is the journal record number (durable performers), used for
    /// the stable ids of outgoing events. Callers check ``accepts(_:)`` first.
    mutating func apply(
        _ input: InstanceInput, eventID: String? = nil, now: Int64, record: Int64? = nil
    ) -> [InstanceAction] {
        self.now = now
        if let record { seq = record }
        effectCounter = 0
        if environment.stableIDs { lastEventName = nil }
        if environment.observing { lastEvent = nil }
        switch input {
        case .start:
            startedAt = now
            actions.append(.notify(.started(definition: definition.name)))
            if interpreter.startInPlace() { afterMacrostep() }
        case .event(let event):
            // Only events from invoked children carry an invoke id; the rest skip the check.
            if let invokeID = event.invokeID { childEventApplied(event, invokeID: invokeID) }
            handle(event)
        case .compensationFinished(let event):
            compensating = nil
            handle(event)
        case .timer(let sendID, _, _):
            guard let pending = timers.removeValue(forKey: sendID) else { break }
            actions.append(.cancelTimer(.send(sendID: sendID, seq: pending.seq)))
            actions.append(.notify(.timerFired(due: pending.due)))
            if environment.stableIDs { lastEventName = pending.event.name }
            send(pending.event, to: pending.target, immediate: false)
        case .activityResult(let invokeID, _, let result):
            activityFinished(invokeID, result)
        case .activityTimeout(let invokeID, _):
            guard var run = activities[invokeID] else { break }
            actions.append(.endAttempt(invokeID: invokeID, attemptID: Self.attemptID(run), cancel: true))
            run.inFlight = false
            activities[invokeID] = run
            activityFailed(
                invokeID,
                ActivityError(kind: "timeout", message: "attempt \(run.attempt) timed out", retryable: true))
        case .activityRetry(let invokeID, _):
            launchAttempt(invokeID)
        case .stop:
            end(.stopped)
        case .migrate:
            break  // see `migrated(to:interpreter:)`
        }
        if let eventID { eventIDs.insert(eventID) }
        var out: [InstanceAction] = []
        swap(&out, &actions)
        return out
    }

    /// ``apply(_:eventID:now:record:)`` for the most common input — an external event without an
    /// id or a journal record — without wrapping it and without returning a list (the runner's
    /// hot path, where most macrosteps produce no action). Returns whether actions wait: the
    /// caller then takes them with ``takeActions()`` before applying anything else.
    mutating func apply(event: Event, now: Int64) -> Bool {
        self.now = now
        effectCounter = 0
        if environment.stableIDs { lastEventName = nil }
        if environment.observing { lastEvent = nil }
        if event.hasInvokeID, let invokeID = event.invokeID { childEventApplied(event, invokeID: invokeID) }
        handle(event)
        return !actions.isEmpty
    }

    /// The actions left by ``apply(event:now:)``.
    mutating func takeActions() -> [InstanceAction] {
        var out: [InstanceAction] = []
        swap(&out, &actions)
        return out
    }

    /// Runs the recorded compensations (an engine request, not a journaled input of its own:
    /// it is journaled as the `compensate` request's step).
    mutating func compensate(now: Int64) -> [InstanceAction] {
        self.now = now
        runCompensations()
        var out: [InstanceAction] = []
        swap(&out, &actions)
        return out
    }

    @inline(__always) private mutating func handle(_ event: Event) {
        if environment.observing {
            actions.append(.notify(.eventReceived(event)))
            lastEvent = event
        }
        eventsHandled &+= 1
        if environment.stableIDs { lastEventName = event.name }
        if environment.historyLength > 0 { remember(event.name) }
        // The macrostep's output stays in the interpreter: most macrosteps have none, and then
        // there is no result to build, move and destroy.
        let attention = interpreter.handleInPlace(event)
        lastEventHandled = interpreter.lastEventHandled
        if attention { afterMacrostep() }
    }

    /// Carries out the effects of the macrostep the interpreter just ran, then engine requests
    /// made by built-in actions; notices its trace and error; ends the instance when the machine
    /// finished.
    private mutating func afterMacrostep() {
        let trace = interpreter.takeTrace()
        if !trace.isEmpty { actions.append(.notify(.microsteps(trace))) }
        if let error = interpreter.macrostepError { actions.append(.notify(.macrostepError(error))) }
        let effects = interpreter.takeEffects()
        if !effects.isEmpty {
            let observing = environment.observing
            for effect in effects {
                execute(effect)
                if observing { actions.append(.notify(.effect(effect))) }
            }
        }
        if interpreter.handlerRan { collectBuiltInActions() }
        if isRunning && interpreter.isFinished {
            end(.finished(finalState: interpreter.finalStateID))
        }
    }

    /// What `<sy:compensation>` recorded and whether `<sy:compensate/>` asked to run them.
    private mutating func collectBuiltInActions() {
        let handler = environment.actionHandler
        if !handler.recorded.isEmpty {
            compensations += handler.recorded
            handler.recorded.removeAll()
        }
        if handler.compensateRequested {
            handler.compensateRequested = false
            runCompensations()
        }
    }

    private mutating func execute(_ effect: Effect) {
        switch effect {
        case .send(let event, let target):
            send(event, to: target, immediate: true)
        case .schedule(let sendID, let delay, let event, let target):
            if let old = timers[sendID] { actions.append(.cancelTimer(.send(sendID: sendID, seq: old.seq))) }
            let due = now &+ delay.nanoseconds
            timerSeq += 1
            timers[sendID] = PendingSend(due: due, seq: timerSeq, event: event, target: target)
            actions.append(.schedule(.send(sendID: sendID, seq: timerSeq), due: due))
        case .cancel(let sendID):
            if let pending = timers.removeValue(forKey: sendID) {
                actions.append(.cancelTimer(.send(sendID: sendID, seq: pending.seq)))
            }
        case .invoke(let request):
            switch request.type {
            case "activity": startActivity(request)
            case "scxml": invokeChild(request)
            default:
                emit(
                    Self.errorEvent(
                        "error.execution",
                        "<invoke type=\"\(request.type)\"> is not supported; use type=\"scxml\" or \"activity\"",
                        invokeID: request.invokeID), to: id)
            }
        case .cancelInvoke(let invokeID):
            if let child = children.removeValue(forKey: invokeID) {
                cancelChild(child, invokeID: invokeID)
            } else {
                cancelActivity(invokeID)
            }
        case .log(let label, let message):
            actions.append(.log(label: label, message: message))
        case .done(let data):
            doneData = data
            // An invoked child reports to its parent (SCXML 6.4: done.invoke.<invokeid>).
            if let link = parentLink {
                toParent(
                    Event(
                        "done.invoke.\(link.invokeID)", kind: .external, data: data, origin: "#_scxml_\(id)",
                        originType: Event.scxmlProcessorType), link)
            }
        }
    }

    /// Routes an event the machine sent. `immediate` is false for timers (already delayed).
    private mutating func send(_ event: Event, to target: SendTarget, immediate: Bool) {
        switch target {
        case .this:
            if immediate {
                emit(event, to: id)
            } else if isRunning {
                handle(event)
            }
        case .session(let target):
            sendToInstance(event, target)
        case .uri(let uri) where uri.hasPrefix("#_instance_"):
            sendToInstance(event, String(uri.dropFirst(11)))
        case .uri("#_router"):
            actions.append(.route(event: event, eventID: environment.stableIDs ? nextEffectID() : nil))
        case .basicHTTP(let url):
            actions.append(
                .basicHTTP(event: event, url: url, eventID: environment.stableIDs ? nextEffectID() : nil))
        case .parent where parentLink != nil:
            guard let link = parentLink else { return }
            toParent(event, link)
        case .invoked(let invokeID) where children[invokeID] != nil:
            guard let child = children[invokeID] else { return }
            emit(event, to: child.id)
        case .invoked(let invokeID)
        where activities[invokeID] == nil
            && interpreter.invocations.contains(where: { $0.invokeID == invokeID }):
            // A child that finished while its invoking state is still active (autoforward, or a
            // late send): the receiver dead-letters it (`instanceFinished`).
            emit(event, to: Self.childID(id, invokeID))
        case .invoked(let invokeID)
        where event.invokeID == invokeID && event.name == "done.invoke.\(invokeID)":
            // Autoforward handing a finished child its own done.invoke: nobody to give it to.
            return
        default:
            let text: String
            switch target {
            case .parent: text = "#_parent"
            case .invoked(let id): text = "#_\(id)"
            case .uri(let u): text = u
            default: text = "\(target)"
            }
            actions.append(.deadLetter(event: event, reason: .unsupportedTarget(text)))
            emit(
                Self.errorEvent(
                    "error.communication", "cannot deliver to '\(text)'", sendID: event.sendID), to: id)
        }
    }

    private mutating func sendToInstance(_ event: Event, _ target: String) {
        if let link = parentLink, link.parent == target {
            toParent(event, link)
        } else {
            emit(event, to: target)
        }
    }

    /// Sends an event to an instance (possibly this one). A durable performer's events get a
    /// stable id (`<sender>#<record>.<n>`): if a replay repeats the step that sent them, the
    /// receiver recognises the repeat and drops it.
    private mutating func emit(_ event: Event, to target: String) {
        actions.append(.post(event: event, to: target, eventID: environment.stableIDs ? nextEffectID() : nil))
    }

    private mutating func nextEffectID() -> String {
        effectCounter += 1
        return "\(id)#\(seq).\(effectCounter)"
    }

    static func errorEvent(
        _ name: String, _ message: String, sendID: String? = nil, invokeID: String? = nil
    ) -> Event {
        var event = Event.platformError(name, message: message, sendID: sendID)
        event.invokeID = invokeID
        return event
    }

    private mutating func end(_ status: InstanceStatus) {
        self.status = status
        finishedAt = now
        for (sendID, pending) in timers.sorted(by: { $0.value.seq < $1.value.seq }) {
            actions.append(.cancelTimer(.send(sendID: sendID, seq: pending.seq)))
        }
        timers.removeAll()
        for invokeID in activities.keys.sorted() { cancelActivity(invokeID) }
        if !children.isEmpty {
            for invokeID in children.keys.sorted() {
                if let child = children[invokeID] { cancelChild(child, invokeID: invokeID) }
            }
            children.removeAll()
        }
        // A later run under the same id starts with no event ids: a restart must not change
        // what counts as a duplicate.
        eventIDs = []
        actions.append(.finished(status))
    }

    // MARK: Recent events

    private mutating func remember(_ name: String) {
        let limit = environment.historyLength
        guard limit > 0 else { return }
        if recent.count < limit {
            recent.append(name)
        } else {
            recent[recentNext] = name
            recentNext = (recentNext + 1) % limit
        }
    }

    var recentInOrder: [String] { Array(recent[recentNext...] + recent[..<recentNext]) }

    mutating func restoreRecent(_ names: [String]) {
        for name in names { remember(name) }
    }

    // MARK: Invoked children (`<invoke type="scxml">`)

    /// The instance id of a child: `<parent id>.<invoke id>`.
    static func childID(_ parent: String, _ invokeID: String) -> String { "\(parent).\(invokeID)" }

    /// Starts the child instance of an `<invoke type="scxml">`. The start and a failure each use
    /// one effect id, so a replay numbers later effects the same.
    private mutating func invokeChild(_ request: InvokeRequest) {
        let childID = Self.childID(id, request.invokeID)
        let eventID = environment.stableIDs ? nextEffectID() : nil
        switch environment.childDefinition(request, definition) {
        case .failure(let failure):
            actions.append(
                .childFailed(invokeID: request.invokeID, message: failure.message, eventID: eventID))
        case .success(let child):
            children[request.invokeID] = ChildLink(
                id: childID, startEventID: eventID, definitionHash: environment.stableIDs ? child.hash : nil,
                data: environment.stableIDs ? request.params : nil)
            actions.append(
                .startChild(
                    ChildStart(
                        id: childID, parent: id, invokeID: request.invokeID, definition: child,
                        data: request.params, eventID: eventID, replayed: false)))
        }
    }

    /// Stops a child; events it sent after this moment are ignored (see ``accepts(childEvent:invokeID:sent:)``).
    private mutating func cancelChild(_ child: ChildLink, invokeID: String) {
        let stamp = environment.nextSendStamp()
        cancelledChildren.append((invokeID, stamp))
        if cancelledChildren.count > 32 { cancelledChildren.removeFirst() }
        actions.append(.cancelChild(childID: child.id, parent: id, startEventID: child.startEventID))
    }

    /// Sends an event from an invoked child to its parent: it carries the invoke id however it
    /// was addressed (`#_parent`, `#_scxml_<parent>`, `#_instance_<parent>`).
    private mutating func toParent(_ event: Event, _ link: ParentLink) {
        var e = event
        e.invokeID = link.invokeID
        actions.append(
            .postToParent(
                event: e, parent: link.parent, eventID: environment.stableIDs ? nextEffectID() : nil))
    }

    /// Whether the instance takes an event carrying an invoke id (decided on delivery; only
    /// events taken are journaled, so a replay needs no decision). Events from a child it still
    /// waits for pass. Once the invoking state was exited (or the child finished), the child's
    /// events are ignored (SCXML 6.4) — except those it sent before the cancellation (`sent` is
    /// older than the cancellation stamp): they were on their way, as events already in the
    /// queue are for a single-process interpreter (W3C test 236: done.invoke still arrives after
    /// the event that made the parent leave). Events with an invoke id that did not come from a
    /// child of this instance pass.
    func accepts(childEvent event: Event, invokeID: String, sent: UInt64?) -> Bool {
        guard isFromChild(event, invokeID: invokeID) else { return true }
        if children[invokeID] != nil { return true }
        guard let sent else { return false }
        for (id, stamp) in cancelledChildren where id == invokeID { return sent < stamp }
        return false
    }

    func isFromChild(_ event: Event, invokeID: String) -> Bool {
        guard let origin = event.origin, origin.hasPrefix("#_scxml_"),
            origin.utf8.count == 8 + id.utf8.count + 1 + invokeID.utf8.count
        else { return false }
        return origin == "#_scxml_\(Self.childID(id, invokeID))"
    }

    /// Bookkeeping for an applied event carrying an invoke id: done.invoke — or the child's
    /// performer refusing the start (a platform error; a child's own sends are external
    /// events) — ends the wait for that child.
    private mutating func childEventApplied(_ event: Event, invokeID: String) {
        guard children[invokeID] != nil, isFromChild(event, invokeID: invokeID) else { return }
        if event.kind == .platform
            || (event.name.hasPrefix("done.invoke.") && event.name.utf8.count == 12 + invokeID.utf8.count)
        {
            children[invokeID] = nil
        }
    }

    // MARK: Activities

    private mutating func startActivity(_ request: InvokeRequest) {
        let name = request.src ?? ""
        guard environment.activity(name) != nil else {
            emit(
                Self.activityErrorEvent(
                    request.invokeID, activity: name,
                    ActivityError(
                        kind: "unknownActivity", message: "no activity registered as '\(name)'",
                        retryable: false),
                    attempts: 0), to: id)
            return
        }
        activityStarts += 1
        var run = ActivityRun(request: request)
        run.key = "\(id)/\(request.invokeID)/\(activityStarts)"
        activities[request.invokeID] = run
        launchAttempt(request.invokeID)
    }

    private mutating func launchAttempt(_ invokeID: String) {
        guard var run = activities[invokeID] else { return }
        run.attempt += 1
        run.generation += 1
        run.inFlight = true
        run.retryDue = nil
        activities[invokeID] = run
        actions.append(.startActivity(invokeID: invokeID, generation: run.generation))
    }

    private mutating func activityFinished(_ invokeID: String, _ result: Result<Value, ActivityError>) {
        guard var run = activities[invokeID] else { return }
        actions.append(.endAttempt(invokeID: invokeID, attemptID: Self.attemptID(run), cancel: false))
        run.inFlight = false
        switch result {
        case .success(let value):
            activities[invokeID] = nil
            if let compensation = environment.activity(run.request.src ?? "")?.options.compensation {
                compensations.append(
                    CompensationEntry(
                        activity: compensation, params: run.request.params + [NamedValue("result", value)]))
            }
            handle(Event("done.invoke.\(invokeID)", data: value, invokeID: invokeID))
        case .failure(let error):
            activities[invokeID] = run
            activityFailed(invokeID, error)
        }
    }

    /// Schedules a retry, or reports the failure to the machine.
    private mutating func activityFailed(_ invokeID: String, _ error: ActivityError) {
        guard var run = activities[invokeID] else { return }
        let name = run.request.src ?? ""
        let policy = environment.activity(name)?.options.retry ?? RetryPolicy()
        if policy.shouldRetry(error, afterAttempt: run.attempt) {
            let due = now &+ policy.delay(afterAttempt: run.attempt).nanoseconds
            run.retryDue = due
            activities[invokeID] = run
            actions.append(
                .schedule(.activityRetry(invokeID: invokeID, generation: run.generation), due: due))
            return
        }
        activities[invokeID] = nil
        actions.append(.notify(.activityFailed(name: name, error)))
        handle(Self.activityErrorEvent(invokeID, activity: name, error, attempts: run.attempt))
    }

    private mutating func cancelActivity(_ invokeID: String) {
        guard let run = activities.removeValue(forKey: invokeID) else { return }
        if run.inFlight {
            actions.append(.endAttempt(invokeID: invokeID, attemptID: Self.attemptID(run), cancel: true))
        } else if run.retryDue != nil {
            actions.append(.cancelTimer(.activityRetry(invokeID: invokeID, generation: run.generation)))
        }
    }

    static func activityErrorEvent(
        _ invokeID: String, activity: String, _ error: ActivityError, attempts: Int
    ) -> Event {
        var data = JSObject()
        data["kind"] = .string(error.kind)
        data["message"] = .string(error.message)
        data["retryable"] = .bool(error.retryable)
        data["attempts"] = .number(Double(attempts))
        data["activity"] = .string(activity)
        return Event("error.activity.\(invokeID)", kind: .platform, data: .object(data), invokeID: invokeID)
    }

    /// The outbox id of an activity attempt: its idempotency key and attempt number.
    static func attemptID(_ run: ActivityRun) -> String { "\(run.key)#\(run.attempt)" }

    // MARK: Compensation

    /// Runs the recorded compensations newest first, one at a time; the performer then delivers
    /// `compensation.done` (data: `compensated`, the activities run in order) or
    /// `compensation.failed` (also `failed`: activity and message).
    private mutating func runCompensations() {
        let entries = Array(compensations.reversed())
        compensations.removeAll()
        compensating = entries
        actions.append(.runCompensations(entries, key: "\(id)/compensation/\(seq)"))
    }

    /// Moves the instance to another definition version with an interpreter restored from its
    /// mapped state (see `Engine.migrate`).
    mutating func migrated(to definition: RegisteredDefinition, interpreter: Interpreter) {
        self.definition = definition
        self.interpreter = Self.attach(interpreter, id: id, to: environment)
    }

    // MARK: Queries

    /// The public view of the instance.
    var snapshot: InstanceSnapshot {
        InstanceSnapshot(
            id: id, definition: definition.name, version: definition.version, status: status,
            configuration: interpreter.configurationIDs, data: interpreter.dataModel,
            pendingTimers: pendingTimers,
            recentEvents: recentInOrder, activities: activities.keys.sorted(),
            compensations: compensations.map(\.activity), parent: parentLink?.parent,
            children: children.mapValues(\.id))
    }

    /// The delayed sends waiting, in firing order (due time, then scheduling order).
    var pendingTimers: [PendingTimer] {
        timers.map {
            PendingTimer(
                sendID: $0.key, dueNanoseconds: $0.value.due, sequence: $0.value.seq, event: $0.value.event,
                target: $0.value.target)
        }.sorted { ($0.dueNanoseconds, $0.sequence) < ($1.dueNanoseconds, $1.sequence) }
    }

    /// The timers to arm for a restored instance (delayed sends and pending retries).
    var armedTimers: [(TimerKey, due: Int64)] {
        var out: [(TimerKey, due: Int64)] = timers.sorted { $0.value.seq < $1.value.seq }.map {
            (.send(sendID: $0.key, seq: $0.value.seq), $0.value.due)
        }
        for (invokeID, run) in activities.sorted(by: { $0.key < $1.key }) where !run.inFlight {
            if let due = run.retryDue {
                out.append((.activityRetry(invokeID: invokeID, generation: run.generation), due))
            }
        }
        return out
    }
}
