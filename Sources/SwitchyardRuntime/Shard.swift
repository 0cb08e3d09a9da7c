import Logging
import SwitchyardCore
import SwitchyardExpressions
import Synchronization

/// A message in a shard's mailbox.
enum ShardMessage: Sendable {
    /// An event for an instance. `eventID` makes delivery idempotent; `reply`, when present, is
    /// told the outcome (and a refusal is not dead-lettered: the sender knows).
    case deliver(instanceID: String, event: Event, eventID: String?, reply: DeliveryReply?)
    case start(StartRequest, CheckedContinuation<Result<StartOutcome, EngineError>, Never>?)
    case query(String, CheckedContinuation<InstanceSnapshot?, Never>)
    case stop(String, CheckedContinuation<Bool, Never>?)
    case compensate(String, CheckedContinuation<Bool, Never>?)
    case timer(token: UInt64, due: Int64, payload: TimerPayload)
    case activityResult(instanceID: String, invokeID: String, generation: Int, Result<Value, ActivityError>)
    case compensationFinished(instanceID: String, event: Event)
    case recover(
        [RecoveringInstance], finished: [(id: String, lastSeq: Int64)],
        CheckedContinuation<ShardRecovery, Never>)
    case migrate(String, MigrationRequest, CheckedContinuation<Result<MigrationReport, EngineError>, Never>)
    case prune(before: Int64, CheckedContinuation<Int, Never>)
    /// An event from an invoked child to its parent; `sent` orders it against the parent's
    /// cancellation of the child.
    case childEvent(instanceID: String, event: Event, eventID: String?, sent: UInt64)
    /// Starts an instance for a parent's `<invoke type="scxml">`.
    case invokeChild(ChildStart)
    /// Recovery: a restored child asks its parent whether it still waits for it; if not (the
    /// cancellation was lost in a crash), the parent's shard cancels it.
    case childCheck(childID: String, parent: String, invokeID: String, startEventID: String?)
    /// Stops an invoked child because its invoking state was exited (or the parent ended).
    case cancelChild(childID: String, parent: String, startEventID: String?)

    /// The event this message carries, for dead-lettering it when the engine shuts down.
    var deadLetter: (Event, String?)? {
        switch self {
        case .deliver(let id, let e, _, let reply) where reply == nil: (e, id)
        case .childEvent(let id, let e, _, _): (e, id)
        default: nil
        }
    }
}

/// Where a shard reports the outcome of a ``ShardMessage/deliver(instanceID:event:eventID:reply:)``.
final class DeliveryReply: Sendable {
    let continuation: CheckedContinuation<Result<DeliveryReceipt, EngineError>, Never>
    init(_ c: CheckedContinuation<Result<DeliveryReceipt, EngineError>, Never>) { continuation = c }
}

/// What ``Engine/start(_:id:data:correlationKey:onConflict:onFinished:)`` (or a trigger) asks
/// a shard to do.
struct StartRequest: Sendable {
    var definition: RegisteredDefinition
    var id: String
    var data: [NamedValue]
    var correlationKey: String?
    var onConflict: ConflictPolicy
    var onFinished: ReusePolicy
    /// Set for trigger starts: a failure is dead-lettered with this event.
    var trigger: (event: Event, handler: HandlerID)?
    /// For trigger starts: deliver the triggering event after the first macrostep of a newly
    /// started instance (see the `deliver:` parameter of ``Engine/trigger(_:filter:priority:start:instanceID:onConflict:onFinished:deliver:)``).
    var deliverTriggerEvent = false
}

/// What a parent's `<invoke type="scxml">` asks the child's shard to start.
struct ChildStart: Sendable {
    /// `<parent id>.<invoke id>`.
    var id: String
    var parent: String
    var invokeID: String
    var definition: RegisteredDefinition
    /// The invoke's params and namelist values.
    var data: [NamedValue]
    /// The stable id of this start (durable mode).
    var eventID: String?
    /// Posted by recovery (the parent's step was replayed), not by a live step.
    var replayed: Bool
}

/// What one shard reports after ``ShardMessage/recover(_:_:)``.
struct ShardRecovery: Sendable {
    var instances = 0
    var records = 0
    var failures: [RecoveryFailure] = []
    /// Events replayed steps sent to other instances; the engine posts them once every shard
    /// has recovered (receivers drop the ones they already journaled).
    var outgoing: [PendingPost] = []
}

/// A message to post to a shard later.
struct PendingPost: @unchecked Sendable {
    // `Shard` is Sendable; the tuple wrapper only needs to cross one await.
    var shard: Shard
    var message: ShardMessage
}

/// A serial executor for a fixed subset of the instances (chosen by a hash of their id): one
/// mailbox and one worker task on the cooperative pool. Every message for an instance goes
/// through its shard's mailbox, so an instance handles one event at a time, in arrival order,
/// and its state needs no lock.
///
/// **Durable mode** (the engine has a store). The worker takes a batch of messages, processes
/// them, and commits the batch's journal records (and due snapshots) in one store transaction
/// before anything leaves the shard: replies to senders, events to other instances, activity
/// starts. A crash before the commit loses only inputs nobody was told were accepted; a crash
/// after it is repaired by replaying the journal (see `Shard+Durability.swift`).
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
    var instances: [String: InstanceSlot] = [:]
    /// What this shard's executors consult (registries, settings, the custom action handler).
    let environment: ExecutorEnvironment
    var processedSinceFlush = 0
    /// Instances that ended, in the order they ended (only with
    /// ``EngineOptions/finishedRetention``); `finishedHead` is the first not yet looked at.
    var finishedOrder: [(id: String, at: Int64)] = []
    var finishedHead = 0

    // Durable mode (worker only).
    let store: (any InstanceStore)?
    /// The logical "now" of the input being processed: the batch's clock reading live, the
    /// journal record's time during replay.
    var now: Int64 = 0
    /// True while recovery replays journal records: nothing leaves the shard, nothing is
    /// journaled again.
    var replaying = false
    var batchJournal: [JournalRecord] = []
    /// Instances whose row must be written with this batch (start, status change, snapshot).
    var dirtyRows: Set<String> = []
    var snapshotDue: Set<String> = []
    /// Replies and task starts waiting for the batch's commit (and what to do if it fails).
    var afterCommit: [(() -> Void, (EngineError) -> Void)] = []
    /// Definitions of instances started in this batch that the store has not seen yet.
    var pendingDefinitions: [RegisteredDefinition] = []
    /// Stored finished instances: id → last journal record (see ``RecoveryData/finished``).
    var finishedSeqs: [String: Int64] = [:]
    var postsAfterCommit: [PendingPost] = []
    /// Events steps published through the router, routed once the batch is durable.
    var routesAfterCommit: [(Event, String?)] = []
    /// Basic HTTP POSTs of the batch's steps, made once the batch is durable.
    var postsHTTPAfterCommit: [BasicHTTPRequest] = []
    /// Outbox entries of this batch, and outbox ids this batch's receivers handled.
    var batchOutbox: [OutboxEntry] = []
    var batchDelivered: [String] = []
    var recoveryOutgoing: [PendingPost] = []
    /// Set when a commit failed: the shard's memory is ahead of its journal, so it refuses
    /// everything until the engine is restarted and recovers from the store.
    var storeFailure: StoreError?

    init(index: Int, core: EngineCore, capacity: Int) {
        self.index = index
        self.core = core
        self.capacity = capacity
        self.store = core.store
        environment = ExecutorEnvironment(
            stableIDs: core.store != nil, historyLength: core.options.historyLength,
            interpreterOptions: core.interpreterOptions,
            actionHandler: ExecutorActionHandler { [unowned core] name in core.action(named: name) },
            instanceDirectory: core.directory,
            activity: { [unowned core] name in core.activity(named: name) },
            childDefinition: { [unowned core] request, parent in core.childDefinition(request, parent: parent)
            },
            nextSendStamp: { [unowned core] in core.sendStamps.add(1, ordering: .relaxed).newValue },
            basicHTTP: core.options.basicHTTP)
    }

    var durable: Bool { store != nil }

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

    /// The worker loop: take the whole mailbox, process it, commit it (durable mode), repeat;
    /// sleep when empty.
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
            now = core.clock.now()
            environment.observing = core.hasListeners
            for m in batch { process(m) }
            if durable { await commitBatch() }
            if finishedHead < finishedOrder.count { pruneExpired() }
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
        if let failure = storeFailure {
            refuse(message, .storeUnavailable(failure.message))
            return
        }
        switch message {
        case .deliver(let id, let event, let eventID, let reply):
            // An engine-internal event (stable id, nobody waiting) may have an outbox entry:
            // whatever happens to it now, it has been handled.
            if durable, reply == nil, let eventID { batchDelivered.append(eventID) }
            deliver(event, to: id, eventID: eventID, reply: reply)
        case .childEvent(let id, let event, let eventID, let sent):
            deliver(event, to: id, eventID: eventID, reply: nil, sent: sent)
        case .start(let request, let continuation):
            let result = start(request)
            if case .failure(let error) = result, let trigger = request.trigger {
                core.deadLetter(
                    trigger.event, instanceID: request.id,
                    reason: .triggerFailed(handler: trigger.handler, message: error.description))
            }
            if case .success(.started) = result, request.deliverTriggerEvent, let trigger = request.trigger,
                let slot = instances[request.id]
            {
                if slot.executor.status.isRunning {
                    apply(.event(trigger.event), to: slot, eventID: nil)
                } else {
                    // It finished in its initial macrostep.
                    core.deadLetter(
                        trigger.event, instanceID: request.id, reason: .instanceFinished(request.id))
                }
            }
            if let continuation {
                reply(
                    { continuation.resume(returning: result) },
                    or: { continuation.resume(returning: .failure($0)) })
            }
        case .query(let id, let continuation):
            continuation.resume(returning: instances[id]?.executor.snapshot)
        case .stop(let id, let continuation):
            var stopped = false
            if let slot = instances[id], slot.executor.status.isRunning {
                apply(.stop, to: slot, eventID: nil)
                stopped = true
            }
            if let continuation {
                reply(
                    { continuation.resume(returning: stopped) },
                    or: { _ in continuation.resume(returning: false) })
            }
        case .compensate(let id, let continuation):
            var ok = false
            if let slot = instances[id] {
                let actions = slot.executor.compensate(now: now)
                perform(actions, slot)
                ok = true
            }
            if let continuation {
                reply(
                    { continuation.resume(returning: ok) }, or: { _ in continuation.resume(returning: false) }
                )
            }
        case .timer(let token, let due, let payload):
            fire(token: token, due: due, payload)
        case .activityResult(let id, let invokeID, let generation, let result):
            let input = InstanceInput.activityResult(invokeID: invokeID, generation: generation, result)
            // Stale results (cancelled, timed out or superseded attempts) are dropped.
            guard let slot = instances[id], slot.executor.accepts(input) else { return }
            apply(input, to: slot, eventID: nil)
        case .compensationFinished(let id, let event):
            guard let slot = instances[id], slot.executor.status.isRunning else {
                core.deadLetter(event, instanceID: id, reason: .instanceFinished(id))
                return
            }
            apply(.compensationFinished(event), to: slot, eventID: nil)
        case .recover(let list, let finished, let continuation):
            registerFinished(finished)
            continuation.resume(returning: recover(list))
        case .migrate(let id, let request, let continuation):
            let result = migrate(id, request)
            reply(
                { continuation.resume(returning: result) },
                or: { continuation.resume(returning: .failure($0)) })
        case .prune(let before, let continuation):
            var removed = 0
            for (id, slot) in instances
            where !slot.executor.status.isRunning && (slot.executor.finishedAt ?? .max) < before {
                instances[id] = nil
                removed += 1
            }
            continuation.resume(returning: removed)
        case .invokeChild(let start):
            startChild(start)
        case .childCheck(let childID, let parent, let invokeID, let startEventID):
            var wanted = false
            if let slot = instances[parent], slot.executor.status.isRunning,
                let link = slot.executor.children[invokeID]
            {
                wanted = link.id == childID && link.startEventID == startEventID
            }
            if !wanted {
                core.logger.warning(
                    "recovery: instance \(childID) is no longer wanted by \(parent); stopping it")
                outgoing(
                    core.shard(for: childID),
                    .cancelChild(childID: childID, parent: parent, startEventID: startEventID))
            }
        case .cancelChild(let id, let parent, let startEventID):
            guard let slot = instances[id], slot.executor.status.isRunning,
                let link = slot.executor.parentLink,
                link.parent == parent,
                startEventID == nil || link.startEventID == startEventID
            else { return }  // already finished or stopped, or another invocation under the id
            apply(.stop, to: slot, eventID: nil)
        }
    }

    /// Forgets the instances that ended more than ``EngineOptions/finishedRetention`` ago
    /// (oldest first; O(1) per instance looked at).
    private func pruneExpired() {
        guard let retention = core.options.finishedRetention else { return }
        let cutoff = core.clock.now() &- retention.nanoseconds
        var pruned = 0
        while finishedHead < finishedOrder.count, finishedOrder[finishedHead].at < cutoff {
            let (id, at) = finishedOrder[finishedHead]
            finishedHead += 1
            // Skip an id that was started again since.
            guard let slot = instances[id], !slot.executor.status.isRunning, slot.executor.finishedAt == at
            else { continue }
            instances[id] = nil
            // A durable engine keeps the row: later events are `instanceFinished`, and a new
            // instance under the id continues its journal numbering.
            if durable { finishedSeqs[id] = slot.executor.seq }
            pruned += 1
        }
        if finishedHead == finishedOrder.count {
            finishedOrder.removeAll(keepingCapacity: true)
            finishedHead = 0
        } else if finishedHead >= 1024 && finishedHead * 2 >= finishedOrder.count {
            finishedOrder.removeFirst(finishedHead)
            finishedHead = 0
        }
        if pruned > 0 { core.prunedCount.add(pruned, ordering: .relaxed) }
    }

    /// Answers a message the shard will not process.
    private func refuse(_ message: ShardMessage, _ error: EngineError) {
        switch message {
        case .deliver(let id, let event, _, let r):
            if let r {
                r.continuation.resume(returning: .failure(error))
            } else {
                core.deadLetter(event, instanceID: id, reason: .storeFailed(error.description))
            }
        case .start(_, let c): c?.resume(returning: .failure(error))
        case .query(let id, let c): c.resume(returning: instances[id]?.executor.snapshot)
        case .stop(_, let c), .compensate(_, let c): c?.resume(returning: false)
        case .recover(_, _, let c): c.resume(returning: ShardRecovery())
        case .migrate(_, _, let c): c.resume(returning: .failure(error))
        case .prune(_, let c): c.resume(returning: 0)
        case .childEvent(let id, let event, _, _):
            core.deadLetter(event, instanceID: id, reason: .storeFailed(error.description))
        case .timer, .activityResult, .compensationFinished, .invokeChild, .cancelChild, .childCheck: break
        }
    }

    private func deliver(
        _ event: Event, to id: String, eventID: String?, reply r: DeliveryReply?, sent: UInt64? = nil
    ) {
        guard let slot = instances[id] else {
            // A durable engine knows the stored instances that finished before it started.
            let finished = finishedSeqs[id] != nil
            if let r {
                answer(r, .failure(finished ? .notRunning(id) : .noSuchInstance(id)))
            } else {
                core.deadLetter(
                    event, instanceID: id, reason: finished ? .instanceFinished(id) : .noSuchInstance(id))
            }
            return
        }
        guard slot.executor.status.isRunning else {
            if let r {
                answer(r, .failure(.notRunning(id)))
            } else {
                core.deadLetter(event, instanceID: id, reason: .instanceFinished(id))
            }
            return
        }
        if let eventID, slot.executor.eventIDs.contains(eventID) {
            if let r {
                let receipt = DeliveryReceipt(
                    duplicate: true, sequence: nil, configuration: slot.executor.interpreter.configurationIDs,
                    handled: nil)
                answer(r, .success(receipt))
            }
            return
        }
        if let invokeID = event.invokeID,
            !slot.executor.accepts(childEvent: event, invokeID: invokeID, sent: sent)
        {
            // From a cancelled child: ignored, not journaled (SCXML 6.4).
            core.logger.debug(
                "ignored \(event.name) from cancelled child '\(invokeID)'",
                metadata: ["instance": .string(id)])
            if let r {
                let receipt = DeliveryReceipt(
                    duplicate: false, sequence: nil,
                    configuration: slot.executor.interpreter.configurationIDs,
                    handled: false)
                answer(r, .success(receipt))
            }
            return
        }
        apply(.event(event), to: slot, eventID: eventID)
        if let r {
            let receipt = DeliveryReceipt(
                duplicate: false, sequence: durable ? slot.executor.seq : nil,
                configuration: slot.executor.interpreter.configurationIDs,
                handled: slot.executor.lastEventHandled)
            answer(r, .success(receipt))
        }
    }

    private func answer(_ r: DeliveryReply, _ result: Result<DeliveryReceipt, EngineError>) {
        reply(
            { r.continuation.resume(returning: result) },
            or: { r.continuation.resume(returning: .failure($0)) })
    }

    private func shutDownInstances() {
        for (_, slot) in instances where slot.executor.status.isRunning {
            for (_, running) in slot.tasks { running.task.cancel() }
        }
    }
}
