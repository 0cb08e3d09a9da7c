import Logging
import SwitchyardCore
import SwitchyardExpressions

/// Applying inputs to instances and carrying out their effects. The same code runs live and
/// during recovery (`replaying`), which is what makes replay reproduce the original run: only
/// the edges differ — what is journaled, and what is allowed to leave the shard.
extension Shard {
    // MARK: Start

    func start(_ request: StartRequest) -> Result<StartOutcome, EngineError> {
        if let existing = instances[request.id] {
            if existing.status.isRunning {
                switch request.onConflict {
                case .useExisting: return .success(.existing)
                case .fail: return .failure(.instanceExists(request.id))
                case .terminateExisting: apply(.stop, to: existing, eventID: nil)
                }
            } else if request.onFinished == .rejectDuplicate {
                return .failure(.instanceFinished(request.id))
            }
        } else if finishedSeqs[request.id] != nil && request.onFinished == .rejectDuplicate {
            return .failure(.instanceFinished(request.id))
        }
        startInstance(
            id: request.id, definition: request.definition, data: request.data,
            correlationKey: request.correlationKey)
        return .success(.started)
    }

    /// Creates the instance and runs its first macrostep (journal record 1).
    @discardableResult
    func startInstance(
        id: String, definition: RegisteredDefinition, data: [NamedValue], correlationKey: String?,
        parent: ParentLink? = nil, replaySeq: Int64? = nil
    ) -> InstanceRecord {
        // An invoked child takes only the params its document declares (as SessionDriver does).
        var interpreter = Interpreter(
            definition: definition.machine, sessionID: id, data: data, declareUndeclared: parent == nil,
            options: core.interpreterOptions)
        interpreter.actionHandler = actionHandler
        let rec = InstanceRecord(id: id, definition: definition, interpreter: interpreter)
        rec.correlationKey = correlationKey
        rec.parentLink = parent
        rec.startedAt = now
        let previous = instances[id]
        instances[id] = rec
        if !replaying { core.instanceStarted(rec.id, definition: definition.name) }
        let journaling = durable && !replaying
        if journaling {
            // A new instance reusing the id of a finished one continues its journal numbering.
            let base = previous?.seq ?? finishedSeqs.removeValue(forKey: id) ?? 0
            rec.seq = base + 1
            rec.snapshotBase = base
            dirtyRows.insert(id)
        }
        if let replaySeq { rec.seq = replaySeq }
        rec.effectCounter = 0
        let result = rec.interpreter.start()
        after(result, rec)
        if journaling {
            let payload = StartPayload(
                definitionHash: definition.hash, definitionName: definition.name, data: data,
                correlationKey: correlationKey, parent: parent?.parent, invokeID: parent?.invokeID)
            journal(rec, .start(payload), eventID: parent?.startEventID, eventName: nil)
            if !core.isStored(definition.hash) { pendingDefinitions.append(definition) }
        }
        return rec
    }

    // MARK: Inputs

    /// Applies one input to a running instance: the unit the journal records. Callers check
    /// that the input is current (a live timer, the activity attempt in flight).
    func apply(_ input: InstanceInput, to rec: InstanceRecord, eventID: String?) {
        let journaling = durable && !replaying
        if journaling { rec.seq += 1 }
        rec.effectCounter = 0
        var eventName: String?
        switch input {
        case .event(let event):
            // Only events from invoked children carry an invoke id; the rest skip the check.
            if let invokeID = event.invokeID { childEventApplied(event, invokeID: invokeID, rec) }
            if journaling { eventName = event.name }  // the in-memory hot path skips the retain
            handle(event, rec)
        case .compensationFinished(let event):
            eventName = event.name
            rec.compensating = nil
            handle(event, rec)
        case .timer(let sendID, _):
            guard let pending = rec.timers.removeValue(forKey: sendID) else { break }
            core.timers.cancel(pending.token)
            eventName = pending.event.name
            if !replaying { core.timerFired(due: pending.due) }
            send(pending.event, to: pending.target, from: rec, now: false)
        case .activityResult(let invokeID, _, let result):
            eventName = activityFinished(rec, invokeID, result)
        case .activityTimeout(let invokeID, _):
            guard var run = rec.activities[invokeID] else { break }
            attemptEnded(run)
            run.task?.cancel()
            run.task = nil
            run.inFlight = false
            run.timeoutToken = nil
            rec.activities[invokeID] = run
            eventName = activityFailed(
                rec, invokeID,
                ActivityError(kind: "timeout", message: "attempt \(run.attempt) timed out", retryable: true))
        case .activityRetry(let invokeID, _):
            launchAttempt(rec, invokeID)
        case .stop:
            end(rec, status: .stopped)
        case .start, .migrate:
            break  // handled by startInstance / migrate
        }
        if let eventID { rec.eventIDs.insert(eventID) }
        if journaling { journal(rec, input, eventID: eventID, eventName: eventName) }
    }

    func handle(_ event: Event, _ rec: InstanceRecord) {
        if core.hasListeners && !replaying {
            core.notify { $0.eventReceived(instanceID: rec.id, event: event) }
        }
        rec.remember(event.name, limit: core.options.historyLength)
        let result = rec.interpreter.handle(event)
        processedSinceFlush += 1
        after(result, rec)
    }

    /// Carries out a macrostep's effects, then engine requests made by built-in actions.
    func after(_ result: MacrostepResult, _ rec: InstanceRecord) {
        let notify = core.hasListeners && !replaying
        if notify && !result.trace.isEmpty {
            for t in result.trace { core.notify { $0.microstep(instanceID: rec.id, trace: t) } }
        }
        if !result.trace.isEmpty {
            core.metrics.transitions.increment(by: result.trace.reduce(0) { $0 + $1.transitions.count })
        }
        if let error = result.error, !replaying {
            core.metrics.errors.increment()
            core.logger.warning("instance \(rec.id): \(error.description)")
        }
        for effect in result.effects {
            execute(effect, rec)
            if notify { core.notify { $0.effectExecuted(instanceID: rec.id, effect: effect) } }
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
            let due = (durable ? now : core.clock.now()) &+ delay.nanoseconds
            rec.timerSeq += 1
            let token = core.timers.schedule(at: due, .send(instanceID: rec.id, sendID: sendID))
            rec.timers[sendID] = PendingSend(
                token: token, due: due, seq: rec.timerSeq, event: event, target: target)
            core.timerScheduled(due: due)
        case .cancel(let sendID):
            if let pending = rec.timers.removeValue(forKey: sendID) { core.timers.cancel(pending.token) }
        case .invoke(let request):
            switch request.type {
            case "activity": startActivity(request, rec)
            case "scxml": invokeChild(request, rec)
            default:
                emit(
                    Self.errorEvent(
                        "error.execution",
                        "the engine does not run <invoke type=\"\(request.type)\">; use type=\"scxml\" or \"activity\"",
                        invokeID: request.invokeID), to: rec.id, from: rec)
            }
        case .cancelInvoke(let invokeID):
            if let child = rec.children.removeValue(forKey: invokeID) {
                cancelChild(child, invokeID: invokeID, rec)
            } else {
                cancelActivity(invokeID, rec)
            }
        case .log(let label, let message):
            if !replaying {
                core.logger.info(
                    "\(label.map { "\($0): " } ?? "")\(message)", metadata: ["instance": .string(rec.id)])
            }
        case .done(let data):
            // An invoked child reports to its parent (SCXML 6.4: done.invoke.<invokeid>).
            if let link = rec.parentLink {
                toParent(
                    Event(
                        "done.invoke.\(link.invokeID)", kind: .external, data: data,
                        origin: "#_scxml_\(rec.id)",
                        originType: Event.scxmlProcessorType), link, rec)
            }
        }
    }

    /// Routes an event a machine sent. `now` is false for timers (already delayed).
    func send(_ event: Event, to target: SendTarget, from rec: InstanceRecord, now: Bool) {
        switch target {
        case .this:
            if now {
                emit(event, to: rec.id, from: rec)
            } else if rec.status.isRunning {
                handle(event, rec)
            }
        case .session(let id):
            if let link = rec.parentLink, link.parent == id {
                toParent(event, link, rec)
            } else {
                emit(event, to: id, from: rec)
            }
        case .uri(let uri) where uri.hasPrefix("#_instance_"):
            let id = String(uri.dropFirst(11))
            if let link = rec.parentLink, link.parent == id {
                toParent(event, link, rec)
            } else {
                emit(event, to: id, from: rec)
            }
        case .uri("#_router"):
            let (_, posts) = core.route(event, eventID: durable ? nextEffectID(rec) : nil)
            for (shard, message) in posts { outgoing(shard, message) }
        case .parent where rec.parentLink != nil:
            guard let link = rec.parentLink else { return }
            toParent(event, link, rec)
        case .invoked(let invokeID) where rec.children[invokeID] != nil:
            guard let child = rec.children[invokeID] else { return }
            emit(event, to: child.id, from: rec)
        case .invoked(let invokeID)
        where rec.activities[invokeID] == nil
            && rec.interpreter.invocations.contains(where: { $0.invokeID == invokeID }):
            // A child that finished while its invoking state is still active (autoforward, or a
            // late send): the child's shard dead-letters it (`instanceFinished`).
            emit(event, to: Self.childID(rec.id, invokeID), from: rec)
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
            if !replaying { core.deadLetter(event, instanceID: nil, reason: .unsupportedTarget(text)) }
            emit(
                Self.errorEvent(
                    "error.communication", "the engine cannot deliver to '\(text)'", sendID: event.sendID),
                to: rec.id, from: rec)
        }
    }

    /// Sends an event to an instance (possibly this one) through its shard's mailbox. In durable
    /// mode the event gets a stable id (`<sender>#<record>.<n>`): if recovery replays the step
    /// that sent it, the receiver recognises the repeat and drops it.
    func emit(_ event: Event, to id: String, from rec: InstanceRecord) {
        let eventID = durable ? nextEffectID(rec) : nil
        outgoing(core.shard(for: id), .deliver(instanceID: id, event: event, eventID: eventID, reply: nil))
    }

    func nextEffectID(_ rec: InstanceRecord) -> String {
        rec.effectCounter += 1
        return "\(rec.id)#\(rec.seq).\(rec.effectCounter)"
    }

    /// Posts now, after the commit (durable), or after recovery (replay).
    func outgoing(_ shard: Shard, _ message: ShardMessage) {
        if replaying {
            recoveryOutgoing.append(PendingPost(shard: shard, message: message))
        } else if durable {
            // An event to an instance goes to the outbox in the same commit as the step that
            // sent it: a crash before the post below cannot lose it (see `Engine.recover()`).
            if case .deliver(let target, let event, let eventID?, nil) = message {
                batchOutbox.append(
                    OutboxEntry(
                        id: eventID, target: target, event: event.name,
                        payload: JournalCodec.encode(.event(event))))
            }
            postsAfterCommit.append(PendingPost(shard: shard, message: message))
        } else {
            shard.post(message)
        }
    }

    static func errorEvent(
        _ name: String, _ message: String, sendID: String? = nil, invokeID: String? = nil
    ) -> Event {
        var event = Event.platformError(name, message: message, sendID: sendID)
        event.invokeID = invokeID
        return event
    }

    func end(_ rec: InstanceRecord, status: InstanceStatus) {
        rec.status = status
        let finishedAt = durable ? now : core.clock.now()
        rec.finishedAt = finishedAt
        if core.options.finishedRetention != nil { finishedOrder.append((rec.id, finishedAt)) }
        for (_, pending) in rec.timers { core.timers.cancel(pending.token) }
        rec.timers.removeAll()
        for invokeID in Array(rec.activities.keys) { cancelActivity(invokeID, rec) }
        if !rec.children.isEmpty {
            for invokeID in rec.children.keys.sorted() {
                if let child = rec.children[invokeID] { cancelChild(child, invokeID: invokeID, rec) }
            }
            rec.children.removeAll()
        }
        if durable {
            dirtyRows.insert(rec.id)
            rec.eventIDs = []
        }
        if !replaying { core.instanceFinished(rec.id, status: status) }
    }

    // MARK: Invoked children (`<invoke type="scxml">`)

    /// The instance id of a child: `<parent id>.<invoke id>`.
    static func childID(_ parent: String, _ invokeID: String) -> String { "\(parent).\(invokeID)" }

    /// Starts the child instance of an `<invoke type="scxml">` through its shard's mailbox. The
    /// start and a refusal each use one effect id, so replay numbers later effects the same.
    func invokeChild(_ request: InvokeRequest, _ rec: InstanceRecord) {
        let childID = Self.childID(rec.id, request.invokeID)
        let eventID = durable ? nextEffectID(rec) : nil
        switch core.childDefinition(request, parent: rec.definition) {
        case .failure(let failure) where replaying:
            // It loaded when the step ran live (the error event, if any, was journaled then);
            // the document may have changed since. The link is not restored.
            core.logger.error(
                "recovery: cannot reload the document invoked as '\(request.invokeID)': \(failure.message)",
                metadata: ["instance": .string(rec.id)])
        case .failure(let failure):
            outgoing(
                self,
                .deliver(
                    instanceID: rec.id,
                    event: Event.platformError("error.execution", message: failure.message),
                    eventID: eventID, reply: nil))
        case .success(let definition):
            rec.children[request.invokeID] = ChildLink(
                id: childID, startEventID: eventID, definitionHash: durable ? definition.hash : nil,
                data: durable ? request.params : nil)
            // Stored with the step that invokes, so recovery can start the child again.
            if durable && !replaying && !core.isStored(definition.hash) {
                pendingDefinitions.append(definition)
            }
            outgoing(
                core.shard(for: childID),
                .invokeChild(
                    ChildStart(
                        id: childID, parent: rec.id, invokeID: request.invokeID, definition: definition,
                        data: request.params, eventID: eventID, replayed: replaying)))
        }
    }

    /// Stops a child; events it sent after this moment are ignored (see ``acceptFromChild(_:invokeID:_:sent:)``).
    func cancelChild(_ child: ChildLink, invokeID: String, _ rec: InstanceRecord) {
        let stamp = core.sendStamps.add(1, ordering: .relaxed).newValue
        rec.cancelledChildren.append((invokeID, stamp))
        if rec.cancelledChildren.count > 32 { rec.cancelledChildren.removeFirst() }
        outgoing(
            core.shard(for: child.id),
            .cancelChild(childID: child.id, parent: rec.id, startEventID: child.startEventID))
    }

    /// Sends an event from an invoked child to its parent: it carries the invoke id however it
    /// was addressed (`#_parent`, `#_scxml_<parent>`, `#_instance_<parent>`), a stable id in
    /// durable mode, and a send stamp that orders it against the parent's cancellation.
    func toParent(_ event: Event, _ link: ParentLink, _ rec: InstanceRecord) {
        var e = event
        e.invokeID = link.invokeID
        let eventID = durable ? nextEffectID(rec) : nil
        postToParent(e, parent: link.parent, eventID: eventID)
    }

    func postToParent(_ event: Event, parent: String, eventID: String?) {
        let sent = core.sendStamps.add(1, ordering: .relaxed).newValue
        outgoing(
            core.shard(for: parent),
            .childEvent(instanceID: parent, event: event, eventID: eventID, sent: sent))
    }

    /// Handles ``ShardMessage/invokeChild(_:)`` in the child's shard.
    func startChild(_ s: ChildStart) {
        let link = ParentLink(parent: s.parent, invokeID: s.invokeID, startEventID: s.eventID)
        if let existing = instances[s.id] {
            // Recovery re-posts starts it cannot know were delivered.
            if s.eventID != nil && existing.parentLink == link { return }
            if existing.status.isRunning {
                guard existing.parentLink?.parent == s.parent else {
                    refuseChild(
                        s,
                        "cannot invoke '\(s.invokeID)': an instance with id '\(s.id)' is running and is not its child"
                    )
                    return
                }
                // An earlier invocation under the same invoke id (its cancel came first).
                apply(.stop, to: existing, eventID: nil)
            }
        } else if s.replayed, finishedSeqs[s.id] != nil {
            // The child finished before the restart and its done.invoke was lost with the
            // process: tell the parent it is done (its donedata is not kept).
            core.logger.warning(
                "invoked instance \(s.id) finished before the restart; reporting done.invoke.\(s.invokeID) to \(s.parent) without donedata"
            )
            postToParent(
                Event(
                    "done.invoke.\(s.invokeID)", kind: .external, origin: "#_scxml_\(s.id)",
                    originType: Event.scxmlProcessorType, invokeID: s.invokeID),
                parent: s.parent, eventID: s.eventID.map { "\($0)/done" })
            return
        }
        startInstance(id: s.id, definition: s.definition, data: s.data, correlationKey: nil, parent: link)
    }

    private func refuseChild(_ s: ChildStart, _ message: String) {
        var event = Event.platformError("error.execution", message: message)
        event.invokeID = s.invokeID
        event.origin = "#_scxml_\(s.id)"
        postToParent(event, parent: s.parent, eventID: s.eventID.map { "\($0)/refused" })
    }

    /// Whether the parent takes an event carrying an invoke id (decided on delivery, live; only
    /// events taken are journaled, so replay needs no decision). Events from a child the parent
    /// still waits for pass. Once the invoking state was exited (or the child finished), the
    /// child's events are ignored (SCXML 6.4) — except those it sent before the parent cancelled
    /// it (`sent` is older than the cancellation): they were on their way, as events already in
    /// the queue are for a single-process interpreter (W3C test 236: done.invoke still arrives
    /// after the event that made the parent leave). Events with an invoke id that did not come
    /// from a child of this instance pass.
    func acceptFromChild(_ event: Event, invokeID: String, _ rec: InstanceRecord, sent: UInt64?) -> Bool {
        guard Self.isFromChild(event, invokeID: invokeID, of: rec) else { return true }
        if rec.children[invokeID] != nil { return true }
        guard let sent else { return false }
        for (id, stamp) in rec.cancelledChildren where id == invokeID { return sent < stamp }
        return false
    }

    static func isFromChild(_ event: Event, invokeID: String, of rec: InstanceRecord) -> Bool {
        guard let origin = event.origin, origin.hasPrefix("#_scxml_"),
            origin.utf8.count == 8 + rec.id.utf8.count + 1 + invokeID.utf8.count
        else { return false }
        return origin == "#_scxml_\(childID(rec.id, invokeID))"
    }

    /// Bookkeeping for an applied event carrying an invoke id: done.invoke — or the child's
    /// shard refusing the start (a platform error; a child's own sends are external events) —
    /// ends the wait for that child.
    func childEventApplied(_ event: Event, invokeID: String, _ rec: InstanceRecord) {
        guard rec.children[invokeID] != nil, Self.isFromChild(event, invokeID: invokeID, of: rec) else {
            return
        }
        if event.kind == .platform
            || (event.name.hasPrefix("done.invoke.") && event.name.utf8.count == 12 + invokeID.utf8.count)
        {
            rec.children[invokeID] = nil
        }
    }

    // MARK: Timers

    func fire(token: UInt64, due: Int64, _ payload: TimerPayload) {
        guard let rec = instances[payload.instanceID], rec.status.isRunning else { return }
        switch payload {
        case .send(_, let sendID):
            // A timer whose token no longer matches was cancelled or replaced: not an event loss,
            // the machine asked for it.
            guard let pending = rec.timers[sendID], pending.token == token else { return }
            apply(.timer(sendID: sendID, seq: pending.seq), to: rec, eventID: nil)
        case .activityTimeout(_, let invokeID, let generation):
            guard let run = rec.activities[invokeID], run.generation == generation, run.inFlight,
                run.timeoutToken == token
            else { return }
            apply(.activityTimeout(invokeID: invokeID, generation: generation), to: rec, eventID: nil)
        case .activityRetry(_, let invokeID, let generation):
            guard let run = rec.activities[invokeID], run.generation == generation, !run.inFlight,
                run.retryToken == token
            else { return }
            apply(.activityRetry(invokeID: invokeID, generation: generation), to: rec, eventID: nil)
        }
    }

    // MARK: Activities

    private func startActivity(_ request: InvokeRequest, _ rec: InstanceRecord) {
        guard let registered = core.activity(named: request.src ?? "") else {
            emit(
                Self.activityErrorEvent(
                    request.invokeID, activity: request.src ?? "",
                    ActivityError(
                        kind: "unknownActivity",
                        message: "no activity registered as '\(request.src ?? "")'", retryable: false),
                    attempts: 0), to: rec.id, from: rec)
            return
        }
        rec.activityStarts += 1
        var run = ActivityRun(request: request, registered: registered)
        run.key = "\(rec.id)/\(request.invokeID)/\(rec.activityStarts)"
        rec.activities[request.invokeID] = run
        launchAttempt(rec, request.invokeID)
    }

    /// Starts the next attempt: the bookkeeping now, the task once it may leave the shard.
    func launchAttempt(_ rec: InstanceRecord, _ invokeID: String) {
        guard var run = rec.activities[invokeID] else { return }
        run.attempt += 1
        run.generation += 1
        run.inFlight = true
        run.retryToken = nil
        run.retryDue = nil
        rec.activities[invokeID] = run
        if replaying { return }  // recovery starts the attempts still in flight at its end
        if durable {
            // The start is recorded in the outbox with the step; the entry goes when the attempt
            // ends (result, timeout, cancellation). Recovery restarts attempts in flight from the
            // instance state, with the same idempotency key.
            let params = Value.object(JSObject(run.request.params.map { ($0.name, $0.value) }))
            batchOutbox.append(
                OutboxEntry(
                    id: Self.attemptID(run), target: rec.id, event: "activity:\(run.request.src ?? "")",
                    payload: params.jsonString() ?? "{}"))
        }
        let generation = run.generation
        reply({ [self] in spawnAttempt(rec, invokeID, generation: generation) }, or: { _ in })
    }

    /// Starts the task of the attempt in flight (if it is still the current one).
    func spawnAttempt(_ rec: InstanceRecord, _ invokeID: String, generation: Int) {
        guard rec.status.isRunning, var run = rec.activities[invokeID], run.generation == generation,
            run.inFlight, run.task == nil
        else { return }
        guard let registered = run.registered else {
            rec.activities[invokeID] = nil
            post(
                .deliver(
                    instanceID: rec.id,
                    event: Self.activityErrorEvent(
                        invokeID, activity: run.request.src ?? "",
                        ActivityError(
                            kind: "unknownActivity",
                            message: "no activity registered as '\(run.request.src ?? "")'", retryable: false),
                        attempts: run.attempt), eventID: "\(run.key)#unknown", reply: nil))
            return
        }
        var content: Value = .undefined
        if case .value(let v)? = run.request.content { content = v }
        var input = ActivityInput(
            instanceID: rec.id, invokeID: invokeID, name: run.request.src ?? "", params: run.request.params,
            content: content, attempt: run.attempt)
        input.idempotencyKey = run.key
        let body = registered.body
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
        if let timeout = registered.options.timeout {
            let due = core.clock.now() &+ timeout.nanoseconds
            run.timeoutToken = core.timers.schedule(
                at: due, .activityTimeout(instanceID: id, invokeID: invokeID, generation: generation))
            core.timerScheduled(due: due)
        }
        rec.activities[invokeID] = run
    }

    /// Returns the name of the event delivered to the machine, if any.
    private func activityFinished(
        _ rec: InstanceRecord, _ invokeID: String, _ result: Result<Value, ActivityError>
    ) -> String? {
        guard var run = rec.activities[invokeID] else { return nil }
        attemptEnded(run)
        if let t = run.timeoutToken { core.timers.cancel(t) }
        run.timeoutToken = nil
        run.task = nil
        run.inFlight = false
        switch result {
        case .success(let value):
            rec.activities[invokeID] = nil
            if let compensation = run.registered?.options.compensation {
                rec.compensations.append(
                    CompensationEntry(
                        activity: compensation, params: run.request.params + [NamedValue("result", value)]))
            }
            let event = Event("done.invoke.\(invokeID)", data: value, invokeID: invokeID)
            handle(event, rec)
            return event.name
        case .failure(let error):
            rec.activities[invokeID] = run
            return activityFailed(rec, invokeID, error)
        }
    }

    /// Schedules a retry or reports the failure; returns the event delivered, if any.
    private func activityFailed(_ rec: InstanceRecord, _ invokeID: String, _ error: ActivityError) -> String?
    {
        guard var run = rec.activities[invokeID] else { return nil }
        let policy = run.registered?.options.retry ?? RetryPolicy()
        if error.retryable && !policy.nonRetryableKinds.contains(error.kind)
            && run.attempt < policy.maximumAttempts
        {
            let due =
                (durable ? now : core.clock.now()) &+ policy.delay(afterAttempt: run.attempt).nanoseconds
            run.retryToken = core.timers.schedule(
                at: due, .activityRetry(instanceID: rec.id, invokeID: invokeID, generation: run.generation))
            run.retryDue = due
            core.timerScheduled(due: due)
            rec.activities[invokeID] = run
            if !replaying {
                core.logger.debug(
                    "activity \(run.request.src ?? "") attempt \(run.attempt) failed (\(error)); retrying",
                    metadata: ["instance": .string(rec.id)])
            }
            return nil
        }
        rec.activities[invokeID] = nil
        if !replaying { core.metrics.errors.increment() }
        let event = Self.activityErrorEvent(
            invokeID, activity: run.request.src ?? "", error, attempts: run.attempt)
        handle(event, rec)
        return event.name
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

    /// Deletes the outbox entry of the attempt in flight, if any (durable, live).
    func attemptEnded(_ run: ActivityRun) {
        if durable && !replaying && run.inFlight { batchDelivered.append(Self.attemptID(run)) }
    }

    private func cancelActivity(_ invokeID: String, _ rec: InstanceRecord) {
        guard let run = rec.activities.removeValue(forKey: invokeID) else { return }
        attemptEnded(run)
        run.task?.cancel()
        if let t = run.timeoutToken { core.timers.cancel(t) }
        if let t = run.retryToken { core.timers.cancel(t) }
    }

    // MARK: Compensation

    /// Runs the recorded compensations newest first, one at a time; then delivers
    /// `compensation.done` (data: `compensated`, the activities run in order) or
    /// `compensation.failed` (also `failed`: activity and message) to the instance.
    func runCompensations(_ rec: InstanceRecord) {
        let entries = Array(rec.compensations.reversed())
        rec.compensations.removeAll()
        rec.compensating = entries
        if replaying { return }  // recovery restarts a run still going at its end
        reply({ [self] in spawnCompensation(rec, entries) }, or: { _ in })
    }

    func spawnCompensation(_ rec: InstanceRecord, _ entries: [CompensationEntry]) {
        let id = rec.id
        let core = self.core
        let steps = entries.map { entry in (entry, core.activity(named: entry.activity)) }
        let key = "\(rec.id)/compensation/\(rec.seq)"
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
                    var input = ActivityInput(
                        instanceID: id, invokeID: "compensation", name: entry.activity, params: entry.params,
                        content: .undefined, attempt: attempt)
                    input.idempotencyKey = "\(key)/\(entry.activity)"
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
