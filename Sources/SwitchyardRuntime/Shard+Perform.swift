import Logging
import SwitchyardCore
import SwitchyardExpressions

/// Applying inputs to instances and performing their actions. Every instance runs through its
/// ``InstanceExecutor``; this file decides, in one place (``perform(_:_:)``), what each action
/// does in the shard's three modes:
///
/// | mode | posts and replies | timers | activity and compensation tasks, router, logs |
/// | --- | --- | --- | --- |
/// | in memory | now | armed | started now |
/// | durable | after the batch's commit; events also in the outbox | armed | after the commit |
/// | replaying (recovery) | collected, posted once recovery ends; receivers drop repeats | armed | not performed again |
extension Shard {
    /// How the shard performs actions right now.
    enum Mode {
        case memory, durable, replaying
    }

    var mode: Mode { replaying ? .replaying : (durable ? .durable : .memory) }

    // MARK: Start

    func start(_ request: StartRequest) -> Result<StartOutcome, EngineError> {
        if let existing = instances[request.id] {
            if existing.executor.status.isRunning {
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

    /// Creates the instance and runs its first macrostep (journal record 1 of its run).
    @discardableResult
    func startInstance(
        id: String, definition: RegisteredDefinition, data: [NamedValue], correlationKey: String?,
        parent: ParentLink? = nil, replaySeq: Int64? = nil
    ) -> InstanceSlot {
        let slot = InstanceSlot(
            InstanceExecutor(
                id: id, definition: definition, data: data, correlationKey: correlationKey, parent: parent,
                environment: environment))
        let previous = instances[id]
        instances[id] = slot
        let payload = StartPayload(
            definitionHash: definition.hash, definitionName: definition.name, data: data,
            correlationKey: correlationKey, parent: parent?.parent, invokeID: parent?.invokeID)
        var record = replaySeq
        if mode == .durable {
            // A new instance reusing the id of a finished one continues its journal numbering.
            let base = previous?.executor.seq ?? finishedSeqs.removeValue(forKey: id) ?? 0
            record = base + 1
            slot.snapshotBase = base
            dirtyRows.insert(id)
            if !core.isStored(definition.hash) { pendingDefinitions.append(definition) }
        }
        apply(.start(payload), to: slot, eventID: parent?.startEventID, record: record)
        return slot
    }

    // MARK: Inputs

    /// Applies one input to an instance and performs its actions: the unit the journal records.
    /// Callers check ``InstanceExecutor/accepts(_:)``. `record` is the journal record number
    /// during a replay (the next one is taken in durable mode).
    func apply(_ input: InstanceInput, to slot: InstanceSlot, eventID: String?, record: Int64? = nil) {
        let journaling = mode == .durable
        var number = record
        if journaling, number == nil { number = slot.executor.seq + 1 }
        let handledBefore = slot.executor.eventsHandled
        let actions = slot.executor.apply(input, eventID: eventID, now: now, record: number)
        processedSinceFlush += slot.executor.eventsHandled &- handledBefore
        if !actions.isEmpty { perform(actions, slot) }
        if journaling {
            var name = slot.executor.lastEventName
            if case .event(let event) = input { name = event.name }
            journal(slot, input, eventID: eventID, eventName: name)
        }
    }

    /// Performs an instance's actions in order (see the table above).
    func perform(_ actions: [InstanceAction], _ slot: InstanceSlot) {
        let id = slot.id
        for action in actions {
            switch action {
            case .post(let event, let target, let eventID):
                outgoing(
                    core.shard(for: target),
                    .deliver(instanceID: target, event: event, eventID: eventID, reply: nil))
            case .postToParent(let event, let parent, let eventID):
                postToParent(event, parent: parent, eventID: eventID)
            case .schedule(let key, let due):
                if let old = slot.timerTokens[key] { core.timers.cancel(old) }
                slot.timerTokens[key] = core.timers.schedule(at: due, TimerPayload(instanceID: id, key: key))
                core.timerScheduled(due: due)
            case .cancelTimer(let key):
                if let token = slot.timerTokens.removeValue(forKey: key) { core.timers.cancel(token) }
            case .startActivity(let invokeID, let generation):
                // A replay does not start attempts: recovery restarts those still in flight at its end.
                if mode == .replaying { continue }
                if mode == .durable, let run = slot.executor.activities[invokeID] {
                    // The start is recorded in the outbox with the step; the entry goes when the
                    // attempt ends. Recovery restarts attempts in flight with the same key.
                    let params = Value.object(JSObject(run.request.params.map { ($0.name, $0.value) }))
                    batchOutbox.append(
                        OutboxEntry(
                            id: InstanceExecutor.attemptID(run), target: id,
                            event: "activity:\(run.request.src ?? "")", payload: params.jsonString() ?? "{}"))
                }
                reply({ [self] in spawnAttempt(slot, invokeID, generation: generation) }, or: { _ in })
            case .endAttempt(let invokeID, let attemptID, let cancel):
                if let running = slot.tasks.removeValue(forKey: invokeID) {
                    if cancel { running.task.cancel() }
                    let timeout = TimerKey.activityTimeout(invokeID: invokeID, generation: running.generation)
                    if let token = slot.timerTokens.removeValue(forKey: timeout) { core.timers.cancel(token) }
                }
                if mode == .durable { batchDelivered.append(attemptID) }
            case .startChild(var start):
                start.replayed = mode == .replaying
                if mode == .durable && !core.isStored(start.definition.hash) {
                    // Stored with the step that invokes, so recovery can start the child again.
                    pendingDefinitions.append(start.definition)
                }
                outgoing(core.shard(for: start.id), .invokeChild(start))
            case .childFailed(let invokeID, let message, let eventID):
                if mode == .replaying {
                    // It loaded when the step ran live (the error event, if any, was journaled
                    // then); the document may have changed since. The link is not restored.
                    core.logger.error(
                        "recovery: cannot reload the document invoked as '\(invokeID)': \(message)",
                        metadata: ["instance": .string(id)])
                } else {
                    outgoing(
                        self,
                        .deliver(
                            instanceID: id, event: Event.platformError("error.execution", message: message),
                            eventID: eventID, reply: nil))
                }
            case .cancelChild(let childID, let parent, let startEventID):
                outgoing(
                    core.shard(for: childID),
                    .cancelChild(childID: childID, parent: parent, startEventID: startEventID))
            case .basicHTTP(let event, let url, let eventID):
                let request = BasicHTTPRequest(event: event, url: url, sender: id, idempotencyKey: eventID)
                switch mode {
                case .memory:
                    postBasicHTTP(request, outboxID: nil)
                case .durable:
                    // POSTed once the step is durable; the outbox entry covers a crash before the
                    // answer (recovery POSTs it again, with the same idempotency key).
                    if let eventID {
                        batchOutbox.append(
                            OutboxEntry(
                                id: eventID, target: Self.basicHTTPTarget + url, event: event.name,
                                payload: JournalCodec.encode(.event(event))))
                    }
                    postsHTTPAfterCommit.append(request)
                case .replaying:
                    continue
                }
            case .route(let event, let eventID):
                switch mode {
                case .memory:
                    _ = core.routeInternal(event)
                case .durable:
                    // Routed once the step is durable; the outbox entry covers a crash before
                    // that, and a replay routes nothing (handlers see the event once).
                    if let eventID {
                        batchOutbox.append(
                            OutboxEntry(
                                id: eventID, target: Self.routerTarget, event: event.name,
                                payload: JournalCodec.encode(.event(event))))
                    }
                    routesAfterCommit.append((event, eventID))
                case .replaying:
                    continue
                }
            case .log(let label, let message):
                if mode == .replaying { continue }
                core.logger.info(
                    "\(label.map { "\($0): " } ?? "")\(message)", metadata: ["instance": .string(id)])
            case .deadLetter(let event, let reason):
                if mode == .replaying { continue }
                core.deadLetter(event, instanceID: nil, reason: reason)
            case .runCompensations(let entries, let key):
                // A replay does not run them: recovery restarts a run still going at its end.
                if mode == .replaying { continue }
                reply({ [self] in spawnCompensation(slot, entries, key: key) }, or: { _ in })
            case .notify(let notice):
                notify(notice, slot)
            case .finished(let status):
                let finishedAt = slot.executor.finishedAt ?? now
                if core.options.finishedRetention != nil { finishedOrder.append((id, finishedAt)) }
                if durable { dirtyRows.insert(id) }
                core.directory?.remove(id)
                if mode != .replaying { core.instanceFinished(id, status: status) }
            }
        }
    }

    /// The outbox target of an event a step published through the router.
    static let routerTarget = "#_router"
    /// The outbox target prefix (followed by the URL) of a step's Basic HTTP send.
    static let basicHTTPTarget = "#_basichttp "

    /// POSTs a Basic HTTP send in the background. A failure gives the sender
    /// `error.communication`; either way its outbox entry (if any) is then removed.
    func postBasicHTTP(_ request: BasicHTTPRequest, outboxID: String?) {
        core.postBasicHTTP(request, outboxID: outboxID)
    }

    private func notify(_ notice: InstanceNotice, _ slot: InstanceSlot) {
        let replaying = mode == .replaying
        switch notice {
        case .started(let definition):
            core.directory?.insert(slot.id)
            if !replaying { core.instanceStarted(slot.id, definition: definition) }
        case .eventReceived(let event):
            if !replaying { core.notify { $0.eventReceived(instanceID: slot.id, event: event) } }
        case .microsteps(let trace):
            core.metrics.transitions.increment(by: trace.reduce(0) { $0 + $1.transitions.count })
            if !replaying && core.hasListeners {
                for t in trace { core.notify { $0.microstep(instanceID: slot.id, trace: t) } }
            }
        case .effect(let effect):
            if !replaying { core.notify { $0.effectExecuted(instanceID: slot.id, effect: effect) } }
        case .macrostepError(let error):
            if !replaying {
                core.metrics.errors.increment()
                core.logger.warning("instance \(slot.id): \(error.description)")
            }
        case .timerFired(let due):
            if !replaying { core.timerFired(due: due) }
        case .activityFailed:
            if !replaying { core.metrics.errors.increment() }
        }
    }

    /// Posts now, after the commit (durable), or after recovery (replay).
    func outgoing(_ shard: Shard, _ message: ShardMessage) {
        switch mode {
        case .replaying:
            recoveryOutgoing.append(PendingPost(shard: shard, message: message))
        case .durable:
            // An event to an instance goes to the outbox in the same commit as the step that
            // sent it: a crash before the post below cannot lose it (see `Engine.recover()`).
            if case .deliver(let target, let event, let eventID?, nil) = message {
                batchOutbox.append(
                    OutboxEntry(
                        id: eventID, target: target, event: event.name,
                        payload: JournalCodec.encode(.event(event))))
            }
            postsAfterCommit.append(PendingPost(shard: shard, message: message))
        case .memory:
            shard.post(message)
        }
    }

    /// Sends an event from an invoked child to its parent, with a send stamp that orders it
    /// against the parent's cancellation of the child.
    func postToParent(_ event: Event, parent: String, eventID: String?) {
        let sent = core.sendStamps.add(1, ordering: .relaxed).newValue
        outgoing(
            core.shard(for: parent),
            .childEvent(instanceID: parent, event: event, eventID: eventID, sent: sent))
    }

    // MARK: Invoked children

    /// Handles ``ShardMessage/invokeChild(_:)`` in the child's shard.
    func startChild(_ s: ChildStart) {
        let link = ParentLink(parent: s.parent, invokeID: s.invokeID, startEventID: s.eventID)
        if let existing = instances[s.id] {
            // Recovery re-posts starts it cannot know were delivered.
            if s.eventID != nil && existing.executor.parentLink == link { return }
            if existing.executor.status.isRunning {
                guard existing.executor.parentLink?.parent == s.parent else {
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

    // MARK: Timers

    func fire(token: UInt64, due: Int64, _ payload: TimerPayload) {
        guard let slot = instances[payload.instanceID] else { return }
        // A timer that no longer matches was cancelled or replaced (the machine asked for it),
        // or belongs to an attempt that already ended.
        guard slot.timerTokens[payload.key] == token else { return }
        slot.timerTokens[payload.key] = nil
        let input = payload.key.input(due: due)
        guard slot.executor.accepts(input) else { return }
        apply(input, to: slot, eventID: nil)
    }

    // MARK: Activity and compensation tasks

    /// Starts the task of the attempt in flight (if it is still the current one).
    func spawnAttempt(_ slot: InstanceSlot, _ invokeID: String, generation: Int) {
        let executor = slot.executor
        guard executor.status.isRunning, let run = executor.activities[invokeID],
            run.generation == generation,
            run.inFlight, slot.tasks[invokeID]?.generation != generation
        else { return }
        let name = run.request.src ?? ""
        guard let registered = core.activity(named: name) else {
            // Restored by recovery in a process that did not register it.
            post(
                .activityResult(
                    instanceID: executor.id, invokeID: invokeID, generation: generation,
                    .failure(
                        ActivityError(
                            kind: "unknownActivity", message: "no activity registered as '\(name)'",
                            retryable: false))))
            return
        }
        var content: Value = .undefined
        if case .value(let v)? = run.request.content { content = v }
        var input = ActivityInput(
            instanceID: executor.id, invokeID: invokeID, name: name, params: run.request.params,
            content: content, attempt: run.attempt)
        input.idempotencyKey = run.key
        let body = registered.body
        let id = executor.id
        let core = self.core
        core.activeTasks.add(1, ordering: .relaxed)
        core.unstartedTasks.add(1, ordering: .relaxed)
        let task = Task { [self] in
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
            let key = TimerKey.activityTimeout(invokeID: invokeID, generation: generation)
            slot.timerTokens[key] = core.timers.schedule(at: due, TimerPayload(instanceID: id, key: key))
            core.timerScheduled(due: due)
        }
        slot.tasks[invokeID] = ActivityTask(generation: generation, task: task)
    }

    /// Runs compensations one at a time, each with its activity's retry policy (backoff between
    /// attempts, the per-attempt timeout, non-retryable kinds), then reports the outcome to the
    /// instance as `compensation.done` or `compensation.failed`.
    func spawnCompensation(_ slot: InstanceSlot, _ entries: [CompensationEntry], key: String) {
        let id = slot.id
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
                var input = ActivityInput(
                    instanceID: id, invokeID: "compensation", name: entry.activity, params: entry.params,
                    content: .undefined, attempt: 1)
                input.idempotencyKey = "\(key)/\(entry.activity)"
                switch await CompensationRunner.run(registered, input, clock: core.clock) {
                case .success: done.append(.string(entry.activity))
                case .failure(let error): failed.append(Self.failure(entry.activity, error.description))
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
