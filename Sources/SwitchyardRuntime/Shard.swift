import Logging
import SwitchyardCore
import SwitchyardExpressions
import Synchronization

/// A message in a shard's mailbox.
enum ShardMessage: Sendable {
    case deliver(instanceID: String, event: Event)
    case start(StartRequest, CheckedContinuation<Result<StartOutcome, EngineError>, Never>?)
    case query(String, CheckedContinuation<InstanceSnapshot?, Never>)
    case stop(String, CheckedContinuation<Bool, Never>?)
    case compensate(String, CheckedContinuation<Bool, Never>?)
    case timer(token: UInt64, due: Int64, payload: TimerPayload)
    case activityResult(instanceID: String, invokeID: String, generation: Int, Result<Value, ActivityError>)
    case compensationFinished(instanceID: String, event: Event)

    /// The event this message carries, for dead-lettering it when the engine shuts down.
    var deadLetter: (Event, String?)? {
        switch self {
        case .deliver(let id, let e): (e, id)
        default: nil
        }
    }
}

/// What ``Engine/start(_:id:data:correlationKey:onConflict:onFinished:)`` (or a trigger) asks
/// a shard to do.
struct StartRequest: Sendable {
    var definition: RegisteredDefinition
    var id: String
    var data: [NamedValue]
    var onConflict: ConflictPolicy
    var onFinished: ReusePolicy
    /// Set for trigger starts: a failure is dead-lettered with this event.
    var trigger: (event: Event, handler: HandlerID)?
}

/// A delayed event waiting in an instance.
struct PendingSend {
    var token: UInt64
    var due: Int64
    var event: Event
    var target: SendTarget
}

/// A running activity invocation.
struct ActivityRun {
    var request: InvokeRequest
    var registered: RegisteredActivity
    var attempt = 0
    var generation = 0
    var inFlight = false
    var task: Task<Void, Never>?
    var timeoutToken: UInt64?
    var retryToken: UInt64?
}

/// A recorded saga compensation.
struct CompensationEntry: Sendable {
    var activity: String
    var params: [NamedValue]
}

/// One instance as its shard keeps it. Touched only by the shard's worker.
final class InstanceRecord {
    let id: String
    let definition: RegisteredDefinition
    var interpreter: Interpreter
    var status: InstanceStatus = .running
    var timers: [String: PendingSend] = [:]
    var activities: [String: ActivityRun] = [:]
    var compensations: [CompensationEntry] = []
    var recent: [String] = []
    var recentNext = 0

    init(id: String, definition: RegisteredDefinition, interpreter: Interpreter) {
        self.id = id
        self.definition = definition
        self.interpreter = interpreter
    }

    func remember(_ name: String, limit: Int) {
        guard limit > 0 else { return }
        if recent.count < limit {
            recent.append(name)
        } else {
            recent[recentNext] = name
            recentNext = (recentNext + 1) % limit
        }
    }

    var recentInOrder: [String] { Array(recent[recentNext...] + recent[..<recentNext]) }
}

/// Runs custom actions for the instances of one shard; engine built-ins first
/// (`<sy:compensation activity="...">` records a compensation, `<sy:compensate/>` runs them),
/// then actions registered with ``Engine/registerAction(_:_:)``.
final class ShardActionHandler: CustomActionHandler, @unchecked Sendable {
    // Used only by the owning shard's worker, inside a macrostep.
    unowned let core: EngineCore
    var compensateRequested = false
    var recorded: [CompensationEntry] = []

    init(core: EngineCore) { self.core = core }

    func perform(_ action: CustomAction, context: inout CustomActionContext) throws {
        switch action.name {
        case "compensate":
            compensateRequested = true
        case "compensation":
            guard let activity = action.element.attribute("activity")?.value else {
                throw CustomActionError("<sy:compensation> needs an 'activity' attribute")
            }
            recorded.append(CompensationEntry(activity: activity, params: action.params))
        default:
            guard let body = core.action(named: action.name) else {
                throw CustomActionError("no action registered as '\(action.name)'")
            }
            try body(action, &context)
        }
    }
}

/// A serial executor for a fixed subset of the instances (chosen by a hash of their id): one
/// mailbox and one worker task on the cooperative pool. Every message for an instance goes
/// through its shard's mailbox, so an instance handles one event at a time, in arrival order,
/// and its state needs no lock.
final class Shard: @unchecked Sendable {
    // `mailbox` is locked; everything below it is touched only by the worker task.
    private struct Mailbox {
        var incoming: [ShardMessage] = []
        var worker: CheckedContinuation<Void, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }

    let index: Int
    unowned let core: EngineCore
    private let mailbox = Mutex(Mailbox())
    private let capacity: Int
    private var instances: [String: InstanceRecord] = [:]
    private let actionHandler: ShardActionHandler
    private var processedSinceFlush = 0

    init(index: Int, core: EngineCore, capacity: Int) {
        self.index = index
        self.core = core
        self.capacity = capacity
        actionHandler = ShardActionHandler(core: core)
    }

    // MARK: Mailbox

    /// Posts without waiting (engine-internal messages). Returns false when closed.
    @discardableResult
    func post(_ message: ShardMessage) -> Bool {
        core.pending.add(1, ordering: .relaxed)
        let (accepted, worker) = mailbox.withLock { mb -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !mb.closed else { return (false, nil) }
            mb.incoming.append(message)
            let w = mb.worker
            mb.worker = nil
            return (true, w)
        }
        worker?.resume()
        if !accepted { core.rejected(message) }
        return accepted
    }

    /// Posts unless the mailbox is full (``EngineError/busy``).
    func tryPost(_ message: ShardMessage) throws(EngineError) {
        enum Outcome {
            case ok(CheckedContinuation<Void, Never>?)
            case busy, closed
        }
        let outcome = mailbox.withLock { mb -> Outcome in
            guard !mb.closed else { return .closed }
            guard mb.incoming.count < capacity else { return .busy }
            mb.incoming.append(message)
            let w = mb.worker
            mb.worker = nil
            return .ok(w)
        }
        switch outcome {
        case .ok(let w):
            core.pending.add(1, ordering: .relaxed)
            w?.resume()
        case .busy: throw .busy
        case .closed: throw .shutDown
        }
    }

    /// Posts messages, waiting while the mailbox is at capacity (back-pressure on senders).
    /// A batch is admitted whole once the mailbox is below capacity.
    func postWaiting(_ messages: [ShardMessage]) async {
        guard !messages.isEmpty else { return }
        while true {
            enum Outcome {
                case ok(CheckedContinuation<Void, Never>?)
                case full, closed
            }
            let outcome = mailbox.withLock { mb -> Outcome in
                guard !mb.closed else { return .closed }
                guard mb.incoming.count < capacity else { return .full }
                mb.incoming.append(contentsOf: messages)
                let w = mb.worker
                mb.worker = nil
                return .ok(w)
            }
            switch outcome {
            case .ok(let w):
                core.pending.add(messages.count, ordering: .relaxed)
                w?.resume()
                return
            case .closed:
                for m in messages {
                    core.pending.add(1, ordering: .relaxed)
                    core.rejected(m)
                }
                return
            case .full:
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let admitted = mailbox.withLock { mb -> Bool in
                        if mb.closed || mb.incoming.count < capacity { return true }
                        mb.producers.append(c)
                        return false
                    }
                    if admitted { c.resume() }
                }
            }
        }
    }

    func close() {
        let (worker, producers) = mailbox.withLock { mb in
            mb.closed = true
            let w = mb.worker
            mb.worker = nil
            let p = mb.producers
            mb.producers = []
            return (w, p)
        }
        worker?.resume()
        for p in producers { p.resume() }
    }

    /// The worker loop: take the whole mailbox, process it, repeat; sleep when empty.
    func run() async {
        var batch: [ShardMessage] = []
        batch.reserveCapacity(1024)
        while true {
            let (producers, closed) = mailbox.withLock { mb in
                swap(&batch, &mb.incoming)
                let p = mb.producers
                mb.producers = []
                return (p, mb.closed)
            }
            for p in producers { p.resume() }
            if batch.isEmpty {
                if closed {
                    shutDownInstances()
                    return
                }
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let ready = mailbox.withLock { mb -> Bool in
                        if !mb.incoming.isEmpty || mb.closed { return true }
                        mb.worker = c
                        return false
                    }
                    if ready { c.resume() }
                }
                continue
            }
            for m in batch { process(m) }
            let n = batch.count
            batch.removeAll(keepingCapacity: true)
            core.batchProcessed(messages: n, events: processedSinceFlush)
            processedSinceFlush = 0
            // Let producers and other shards run on this cooperative thread.
            await Task.yield()
        }
    }

    // MARK: Messages

    private func process(_ message: ShardMessage) {
        switch message {
        case .deliver(let id, let event):
            deliver(event, to: id)
        case .start(let request, let continuation):
            let result = start(request)
            if case .failure(let error) = result, let trigger = request.trigger {
                core.deadLetter(
                    trigger.event, instanceID: request.id,
                    reason: .triggerFailed(handler: trigger.handler, message: error.description))
            }
            continuation?.resume(returning: result)
        case .query(let id, let continuation):
            continuation.resume(returning: instances[id].map(snapshot))
        case .stop(let id, let continuation):
            var stopped = false
            if let rec = instances[id], rec.status.isRunning {
                end(rec, status: .stopped)
                stopped = true
            }
            continuation?.resume(returning: stopped)
        case .compensate(let id, let continuation):
            var ok = false
            if let rec = instances[id] {
                runCompensations(rec)
                ok = true
            }
            continuation?.resume(returning: ok)
        case .timer(let token, let due, let payload):
            fire(token: token, due: due, payload)
        case .activityResult(let id, let invokeID, let generation, let result):
            activityFinished(id, invokeID, generation, result)
        case .compensationFinished(let id, let event):
            deliver(event, to: id)
        }
    }

    private func deliver(_ event: Event, to id: String) {
        guard let rec = instances[id] else {
            core.deadLetter(event, instanceID: id, reason: .noSuchInstance(id))
            return
        }
        guard rec.status.isRunning else {
            core.deadLetter(event, instanceID: id, reason: .instanceFinished(id))
            return
        }
        handle(event, rec)
    }

    private func handle(_ event: Event, _ rec: InstanceRecord) {
        if core.hasListeners { core.notify { $0.eventReceived(instanceID: rec.id, event: event) } }
        rec.remember(event.name, limit: core.options.historyLength)
        let result = rec.interpreter.handle(event)
        processedSinceFlush += 1
        after(result, rec)
    }

    private func start(_ request: StartRequest) -> Result<StartOutcome, EngineError> {
        if let existing = instances[request.id] {
            if existing.status.isRunning {
                switch request.onConflict {
                case .useExisting: return .success(.existing)
                case .fail: return .failure(.instanceExists(request.id))
                case .terminateExisting: end(existing, status: .stopped)
                }
            } else if request.onFinished == .rejectDuplicate {
                return .failure(.instanceFinished(request.id))
            }
        }
        var interpreter = Interpreter(
            definition: request.definition.machine, sessionID: request.id, data: request.data,
            options: core.interpreterOptions)
        interpreter.actionHandler = actionHandler
        let rec = InstanceRecord(id: request.id, definition: request.definition, interpreter: interpreter)
        instances[request.id] = rec
        core.instanceStarted(rec.id, definition: request.definition.name)
        let result = rec.interpreter.start()
        after(result, rec)
        return .success(.started)
    }

    /// Carries out a macrostep's effects, then engine requests made by built-in actions.
    private func after(_ result: MacrostepResult, _ rec: InstanceRecord) {
        if core.hasListeners && !result.trace.isEmpty {
            for t in result.trace { core.notify { $0.microstep(instanceID: rec.id, trace: t) } }
        }
        if !result.trace.isEmpty {
            core.metrics.transitions.increment(by: result.trace.reduce(0) { $0 + $1.transitions.count })
        }
        if let error = result.error {
            core.metrics.errors.increment()
            core.logger.warning("instance \(rec.id): \(error.description)")
        }
        for effect in result.effects {
            execute(effect, rec)
            if core.hasListeners { core.notify { $0.effectExecuted(instanceID: rec.id, effect: effect) } }
        }
        if !actionHandler.recorded.isEmpty {
            rec.compensations += actionHandler.recorded
            actionHandler.recorded.removeAll()
        }
        if actionHandler.compensateRequested {
            actionHandler.compensateRequested = false
            runCompensations(rec)
        }
        if rec.status.isRunning && rec.interpreter.isFinished {
            end(rec, status: .finished(finalState: rec.interpreter.finalStateID))
        }
    }

    private func execute(_ effect: Effect, _ rec: InstanceRecord) {
        switch effect {
        case .send(let event, let target):
            send(event, to: target, from: rec, now: true)
        case .schedule(let sendID, let delay, let event, let target):
            if let old = rec.timers[sendID] { core.timers.cancel(old.token) }
            let due = core.clock.now() &+ delay.nanoseconds
            let token = core.timers.schedule(at: due, .send(instanceID: rec.id, sendID: sendID))
            rec.timers[sendID] = PendingSend(token: token, due: due, event: event, target: target)
            core.timerScheduled(due: due)
        case .cancel(let sendID):
            if let pending = rec.timers.removeValue(forKey: sendID) { core.timers.cancel(pending.token) }
        case .invoke(let request):
            if request.type == "activity" {
                startActivity(request, rec)
            } else {
                post(
                    .deliver(
                        instanceID: rec.id,
                        event: Self.errorEvent(
                            "error.execution",
                            "the engine does not run <invoke type=\"\(request.type)\">; use type=\"activity\"",
                            invokeID: request.invokeID)))
            }
        case .cancelInvoke(let invokeID):
            cancelActivity(invokeID, rec)
        case .log(let label, let message):
            core.logger.info(
                "\(label.map { "\($0): " } ?? "")\(message)", metadata: ["instance": .string(rec.id)])
        case .done:
            break
        }
    }

    /// Routes an event a machine sent. `now` is false for timers (already delayed).
    private func send(_ event: Event, to target: SendTarget, from rec: InstanceRecord, now: Bool) {
        switch target {
        case .this:
            if now {
                post(.deliver(instanceID: rec.id, event: event))
            } else if rec.status.isRunning {
                handle(event, rec)
            }
        case .session(let id):
            core.deliver(event, to: id)
        case .uri(let uri) where uri.hasPrefix("#_instance_"):
            core.deliver(event, to: String(uri.dropFirst(11)))
        case .uri("#_router"):
            _ = core.routeInternal(event)
        default:
            let text: String
            switch target {
            case .parent: text = "#_parent"
            case .invoked(let id): text = "#_\(id)"
            case .uri(let u): text = u
            default: text = "\(target)"
            }
            core.deadLetter(event, instanceID: nil, reason: .unsupportedTarget(text))
            post(
                .deliver(
                    instanceID: rec.id,
                    event: Self.errorEvent(
                        "error.communication", "the engine cannot deliver to '\(text)'",
                        sendID: event.sendID)))
        }
    }

    static func errorEvent(
        _ name: String, _ message: String, sendID: String? = nil, invokeID: String? = nil
    ) -> Event {
        var event = Event.platformError(name, message: message, sendID: sendID)
        event.invokeID = invokeID
        return event
    }

    private func end(_ rec: InstanceRecord, status: InstanceStatus) {
        rec.status = status
        for (_, pending) in rec.timers { core.timers.cancel(pending.token) }
        rec.timers.removeAll()
        for invokeID in Array(rec.activities.keys) { cancelActivity(invokeID, rec) }
        core.instanceFinished(rec.id, status: status)
    }

    private func snapshot(_ rec: InstanceRecord) -> InstanceSnapshot {
        InstanceSnapshot(
            id: rec.id, definition: rec.definition.name, status: rec.status,
            configuration: rec.interpreter.configurationIDs, data: rec.interpreter.dataModel,
            pendingTimers: rec.timers.map { PendingTimerInfo(sendID: $0.key, dueNanoseconds: $0.value.due) }
                .sorted { ($0.dueNanoseconds, $0.sendID) < ($1.dueNanoseconds, $1.sendID) },
            recentEvents: rec.recentInOrder, activities: rec.activities.keys.sorted(),
            compensations: rec.compensations.map(\.activity))
    }

    private func shutDownInstances() {
        for (_, rec) in instances where rec.status.isRunning {
            for (_, run) in rec.activities { run.task?.cancel() }
        }
    }

    // MARK: Timers

    private func fire(token: UInt64, due: Int64, _ payload: TimerPayload) {
        guard let rec = instances[payload.instanceID] else { return }
        switch payload {
        case .send(_, let sendID):
            // A timer whose token no longer matches was cancelled or replaced: not an event loss,
            // the machine asked for it.
            guard let pending = rec.timers[sendID], pending.token == token else { return }
            rec.timers[sendID] = nil
            core.timerFired(due: due)
            send(pending.event, to: pending.target, from: rec, now: false)
        case .activityTimeout(_, let invokeID, let generation):
            guard var run = rec.activities[invokeID], run.generation == generation, run.inFlight else {
                return
            }
            run.task?.cancel()
            run.task = nil
            run.inFlight = false
            run.timeoutToken = nil
            rec.activities[invokeID] = run
            activityFailed(
                rec, invokeID,
                ActivityError(kind: "timeout", message: "attempt \(run.attempt) timed out", retryable: true))
        case .activityRetry(_, let invokeID, let generation):
            guard let run = rec.activities[invokeID], run.generation == generation, !run.inFlight else {
                return
            }
            launchAttempt(rec, invokeID)
        }
    }

    // MARK: Activities

    private func startActivity(_ request: InvokeRequest, _ rec: InstanceRecord) {
        guard let registered = core.activity(named: request.src ?? "") else {
            post(
                .deliver(
                    instanceID: rec.id,
                    event: Self.activityErrorEvent(
                        request.invokeID, activity: request.src ?? "",
                        ActivityError(
                            kind: "unknownActivity",
                            message: "no activity registered as '\(request.src ?? "")'", retryable: false),
                        attempts: 0)))
            return
        }
        rec.activities[request.invokeID] = ActivityRun(request: request, registered: registered)
        launchAttempt(rec, request.invokeID)
    }

    private func launchAttempt(_ rec: InstanceRecord, _ invokeID: String) {
        guard var run = rec.activities[invokeID] else { return }
        run.attempt += 1
        run.generation += 1
        run.inFlight = true
        run.retryToken = nil
        var content: Value = .undefined
        if case .value(let v)? = run.request.content { content = v }
        let input = ActivityInput(
            instanceID: rec.id, invokeID: invokeID, name: run.request.src ?? "", params: run.request.params,
            content: content, attempt: run.attempt)
        let body = run.registered.body
        let generation = run.generation
        let id = rec.id
        let core = self.core
        core.activeTasks.add(1, ordering: .relaxed)
        core.unstartedTasks.add(1, ordering: .relaxed)
        run.task = Task { [self] in
            core.unstartedTasks.subtract(1, ordering: .releasing)
            let result: Result<Value, ActivityError>
            do {
                result = .success(try await body(input))
            } catch let error as ActivityError {
                result = .failure(error)
            } catch is CancellationError {
                result = .failure(ActivityError(kind: "cancelled", message: "cancelled", retryable: false))
            } catch {
                result = .failure(ActivityError(kind: "error", message: "\(error)", retryable: true))
            }
            self.post(.activityResult(instanceID: id, invokeID: invokeID, generation: generation, result))
            core.activeTasks.subtract(1, ordering: .releasing)
        }
        if let timeout = run.registered.options.timeout {
            run.timeoutToken = core.timers.schedule(
                at: core.clock.now() &+ timeout.nanoseconds,
                .activityTimeout(instanceID: id, invokeID: invokeID, generation: generation))
            core.timerScheduled(due: core.clock.now() &+ timeout.nanoseconds)
        }
        rec.activities[invokeID] = run
    }

    private func activityFinished(
        _ id: String, _ invokeID: String, _ generation: Int, _ result: Result<Value, ActivityError>
    ) {
        // Results of cancelled, timed-out or superseded attempts are stale and ignored.
        guard let rec = instances[id], rec.status.isRunning, var run = rec.activities[invokeID],
            run.generation == generation, run.inFlight
        else { return }
        if let t = run.timeoutToken { core.timers.cancel(t) }
        run.timeoutToken = nil
        run.task = nil
        run.inFlight = false
        switch result {
        case .success(let value):
            rec.activities[invokeID] = nil
            if let compensation = run.registered.options.compensation {
                rec.compensations.append(
                    CompensationEntry(
                        activity: compensation, params: run.request.params + [NamedValue("result", value)]))
            }
            handle(Event("done.invoke.\(invokeID)", data: value, invokeID: invokeID), rec)
        case .failure(let error):
            rec.activities[invokeID] = run
            activityFailed(rec, invokeID, error)
        }
    }

    private func activityFailed(_ rec: InstanceRecord, _ invokeID: String, _ error: ActivityError) {
        guard var run = rec.activities[invokeID] else { return }
        let policy = run.registered.options.retry
        if error.retryable && !policy.nonRetryableKinds.contains(error.kind)
            && run.attempt < policy.maximumAttempts
        {
            let due = core.clock.now() &+ policy.delay(afterAttempt: run.attempt).nanoseconds
            run.retryToken = core.timers.schedule(
                at: due, .activityRetry(instanceID: rec.id, invokeID: invokeID, generation: run.generation))
            core.timerScheduled(due: due)
            rec.activities[invokeID] = run
            core.logger.debug(
                "activity \(run.request.src ?? "") attempt \(run.attempt) failed (\(error)); retrying",
                metadata: ["instance": .string(rec.id)])
            return
        }
        rec.activities[invokeID] = nil
        core.metrics.errors.increment()
        handle(
            Self.activityErrorEvent(invokeID, activity: run.request.src ?? "", error, attempts: run.attempt),
            rec)
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

    private func cancelActivity(_ invokeID: String, _ rec: InstanceRecord) {
        guard let run = rec.activities.removeValue(forKey: invokeID) else { return }
        run.task?.cancel()
        if let t = run.timeoutToken { core.timers.cancel(t) }
        if let t = run.retryToken { core.timers.cancel(t) }
    }

    // MARK: Compensation

    /// Runs the recorded compensations newest first, one at a time; then delivers
    /// `compensation.done` (data: `compensated`, the activities run in order) or
    /// `compensation.failed` (also `failed`: activity and message) to the instance.
    private func runCompensations(_ rec: InstanceRecord) {
        let entries = Array(rec.compensations.reversed())
        rec.compensations.removeAll()
        let id = rec.id
        let core = self.core
        let steps = entries.map { entry in (entry, core.activity(named: entry.activity)) }
        core.activeTasks.add(1, ordering: .relaxed)
        core.unstartedTasks.add(1, ordering: .relaxed)
        Task { [self] in
            core.unstartedTasks.subtract(1, ordering: .releasing)
            var done: [Value] = []
            var failed: [Value] = []
            for (entry, registered) in steps {
                guard let registered else {
                    failed.append(Self.failure(entry.activity, "no activity registered"))
                    continue
                }
                var lastError = ""
                var ok = false
                for attempt in 1...registered.options.retry.maximumAttempts {
                    let input = ActivityInput(
                        instanceID: id, invokeID: "compensation", name: entry.activity, params: entry.params,
                        content: .undefined, attempt: attempt)
                    do {
                        _ = try await registered.body(input)
                        ok = true
                        break
                    } catch {
                        lastError = "\(error)"
                    }
                }
                if ok {
                    done.append(.string(entry.activity))
                } else {
                    failed.append(Self.failure(entry.activity, lastError))
                }
            }
            var data = JSObject()
            data["compensated"] = .array(done)
            data["failed"] = .array(failed)
            let name = failed.isEmpty ? "compensation.done" : "compensation.failed"
            self.post(
                .compensationFinished(
                    instanceID: id, event: Event(name, kind: .platform, data: .object(data))))
            core.activeTasks.subtract(1, ordering: .releasing)
        }
    }

    private static func failure(_ activity: String, _ message: String) -> Value {
        var o = JSObject()
        o["activity"] = .string(activity)
        o["message"] = .string(message)
        return .object(o)
    }
}
