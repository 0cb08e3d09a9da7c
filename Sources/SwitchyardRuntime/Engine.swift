public import SwitchyardCore
import SwitchyardExpressions

/// Runs many statechart instances: registered machine definitions, instances addressed by id,
/// an event router with prioritised handlers, correlation and triggers, timers, Swift actions
/// and activities, and a dead-letter list.
///
/// **Concurrency.** Instances are spread over ``EngineOptions/shards`` serial executors by a
/// hash of their id. Each executor is one task on the cooperative pool that drains a mailbox, so
/// an instance processes one event at a time, in arrival order (run to completion), and
/// different shards run in parallel. Every method is safe to call from any task.
///
/// **Mailboxes are bounded.** When a shard's mailbox holds ``EngineOptions/mailboxCapacity``
/// messages, ``enqueue(_:to:)``, ``publish(_:)`` and ``start(_:id:data:correlationKey:onConflict:onFinished:)``
/// *suspend the sender* until the shard catches up; ``tryEnqueue(_:to:)`` instead throws
/// ``EngineError/busy``. Nothing is dropped: an event is processed, refused with an error to
/// its sender, or parked in the dead-letter list with a reason.
///
/// **Time.** Timers run on the engine's ``EngineClock``. With a ``SystemClock`` a timer task
/// fires them; with a ``ManualClock`` nothing fires until ``advance(by:)``, which makes tests
/// exact.
public final class Engine: Sendable {
    let core: EngineCore

    /// Creates an in-memory engine and starts its shard workers.
    public init(clock: any EngineClock = SystemClock(), options: EngineOptions = .init()) {
        core = EngineCore(clock: clock, options: options, store: nil)
        core.startWorkers()
    }

    /// Creates a durable engine on `store` (see ``InstanceStore``; `SQLiteStore` is the embedded
    /// default). Register definitions, actions and activities, then call ``recover()`` before
    /// starting instances or sending events.
    ///
    /// The clock's instants are stored (timer due times), so it must keep its epoch across
    /// restarts: the default ``WallClock`` does; a ``SystemClock`` (monotonic) does not.
    public init(
        store: any InstanceStore, clock: any EngineClock = WallClock(), options: EngineOptions = .init()
    ) {
        core = EngineCore(clock: clock, options: options, store: store)
        core.startWorkers()
    }

    deinit { core.close() }

    /// The engine's clock.
    public var clock: any EngineClock { core.clock }

    // MARK: Registration

    /// Registers a compiled machine under `name`.
    ///
    /// - Parameters:
    ///   - machine: the compiled definition.
    ///   - name: the name instances are started by (its first version).
    ///   - correlation: an expression over `_event` (e.g. `_event.data.documentId`) that yields
    ///     the correlation key of the instance a published event belongs to. Instances get their
    ///     key from the event of the trigger that started them, or from `correlationKey:` at
    ///     ``start(_:id:data:correlationKey:onConflict:onFinished:)``.
    public func register(_ machine: MachineDefinition, as name: String, correlation: String? = nil)
        throws(EngineError)
    {
        let filter = try correlation.map { (c) throws(EngineError) in try EventFilter(c) }
        try core.register(RegisteredDefinition(name: name, machine: machine, correlation: filter))
    }

    /// Registers a new version of a registered definition: instances started from now on use
    /// it; running instances stay on the version they started with (move them explicitly with
    /// ``migrate(_:to:stateMapping:transform:)``). Registering the current content again is a
    /// no-op. Returns the version number.
    @discardableResult
    public func upgrade(_ machine: MachineDefinition, as name: String, correlation: String? = nil)
        throws(EngineError) -> Int
    {
        let filter = try correlation.map { (c) throws(EngineError) in try EventFilter(c) }
        let current = core.definition(named: name)
        let def = try core.register(
            RegisteredDefinition(name: name, machine: machine, correlation: filter ?? current?.correlation),
            upgrade: true)
        return def.version
    }

    /// Every registered version: name, version and content hash, ordered by name and version.
    public var definitionVersions: [(name: String, version: Int, hash: String)] {
        core.allVersions.map { ($0.name, $0.version, $0.hash) }
    }

    /// Registers a Swift action run by `<sy:action name="name">`. The action runs synchronously
    /// inside the macrostep with the evaluated `<sy:param>`s and read/write access to the data
    /// model; throwing raises `error.execution`. `compensate` and `compensation` are reserved.
    public func registerAction(_ name: String, _ body: @escaping ActionBody) throws(EngineError) {
        try core.registerAction(name, body)
    }

    /// Registers an async Swift activity started by `<invoke type="activity" src="name">`.
    ///
    /// Its result is delivered as `done.invoke.<invokeid>` (data: the returned value). A failure
    /// that is not retried is delivered as `error.activity.<invokeid>` with data `kind`,
    /// `message`, `retryable`, `attempts` and `activity`. Exiting the invoking state cancels it.
    public func registerActivity(
        _ name: String, options: ActivityOptions = .init(), _ body: @escaping ActivityBody
    ) throws(EngineError) {
        try core.registerActivity(name, RegisteredActivity(body: body, options: options))
    }

    /// Adds a router handler.
    ///
    /// - Parameters:
    ///   - topic: `document.submitted`, `document.*` or `*`.
    ///   - filter: an expression over `_event`; the handler sees only events it is true for. A
    ///     filter that throws dead-letters the event with ``DeadLetterReason/filterError(handler:message:)``
    ///     (other handlers still see it).
    ///   - priority: higher runs first; equal priorities run in registration order.
    ///   - body: runs synchronously on the publishing task; return ``HandlerResult/stop`` to hide
    ///     the event from lower-priority handlers.
    @discardableResult
    public func on(
        _ topic: String, filter: String? = nil, priority: Int = 0,
        _ body: @escaping @Sendable (Event) -> HandlerResult
    ) throws(EngineError) -> HandlerID {
        let pattern = try TopicPattern(topic)
        let f = try filter.map { (s) throws(EngineError) in try EventFilter(s) }
        return core.router.add(pattern: pattern, filter: f, priority: priority, action: .closure(body))
    }

    /// Adds a machine trigger: a matching event starts an instance of `definition` whose id is
    /// the value of `instanceID`, an expression over `_event` (e.g. `'doc-' + _event.data.documentId`).
    /// The instance's data model is initialised from the event's data object (each property
    /// overrides the `<data>` of the same name). A trigger never stops propagation. When the
    /// start fails (conflict/reuse policy), the event is dead-lettered with
    /// ``DeadLetterReason/triggerFailed(handler:message:)``.
    ///
    /// - Parameters:
    ///   - topic: the events that start instances (`document.submitted`, `document.*`, `*`).
    ///   - filter: an expression over `_event` that must be true.
    ///   - priority: among all handlers, higher runs first.
    ///   - definition: the registered name to start.
    ///   - instanceID: an expression over `_event` giving the new instance's id.
    ///   - onConflict: what to do when an instance with the id is running.
    ///   - onFinished: what to do when an instance with the id has finished.
    ///   - deliver: when true, an instance the trigger *starts* also receives the triggering
    ///     event, right after its initial macrostep (before any other message for it). Default
    ///     false: the event only starts the instance (its data initialises the data model). An
    ///     instance kept by ``ConflictPolicy/useExisting`` does not get it from the trigger
    ///     (correlation delivers to running instances).
    @discardableResult
    public func trigger(
        _ topic: String, filter: String? = nil, priority: Int = 0, start definition: String,
        instanceID: String, onConflict: ConflictPolicy = .useExisting,
        onFinished: ReusePolicy = .allowDuplicate, deliver: Bool = false
    ) throws(EngineError) -> HandlerID {
        guard core.definition(named: definition) != nil else { throw .unknownDefinition(definition) }
        let pattern = try TopicPattern(topic)
        let f = try filter.map { (s) throws(EngineError) in try EventFilter(s) }
        let idExpression = try EventFilter(instanceID)
        let trigger = Trigger(
            definition: definition, idExpression: idExpression, onConflict: onConflict,
            onFinished: onFinished,
            deliver: deliver)
        return core.router.add(pattern: pattern, filter: f, priority: priority, action: .trigger(trigger))
    }

    /// Removes a handler or trigger; returns whether it existed.
    @discardableResult
    public func removeHandler(_ id: HandlerID) -> Bool { core.router.remove(id) }

    /// Adds an observer. Listeners cannot be removed; keep them cheap.
    public func addListener(_ listener: any EngineListener) { core.addListener(listener) }

    // MARK: Instances

    /// Starts an instance of a registered definition and runs its first macrostep.
    ///
    /// - Parameters:
    ///   - definition: the registered name (its newest version).
    ///   - id: the instance id.
    ///   - data: initial values overriding `<data>` declarations of the same name.
    ///   - correlationKey: the key correlated events carry (see ``register(_:as:correlation:)``).
    ///   - onConflict: what to do when an instance with `id` is running.
    ///   - onFinished: what to do when an instance with `id` has finished or was stopped.
    @discardableResult
    public func start(
        _ definition: String, id: String, data: [NamedValue] = [], correlationKey: String? = nil,
        onConflict: ConflictPolicy = .useExisting, onFinished: ReusePolicy = .allowDuplicate
    ) async throws(EngineError) -> StartOutcome {
        guard core.recovered.load(ordering: .acquiring) else { throw .notRecovered }
        guard let def = core.definition(named: definition) else { throw .unknownDefinition(definition) }
        if let correlationKey {
            core.setCorrelation(definition: definition, key: correlationKey, instanceID: id)
        }
        let request = StartRequest(
            definition: def, id: id, data: data, correlationKey: correlationKey, onConflict: onConflict,
            onFinished: onFinished, trigger: nil)
        let shard = core.shard(for: id)
        let result = await withCheckedContinuation {
            (c: CheckedContinuation<Result<StartOutcome, EngineError>, Never>) in
            Task { await shard.postWaiting([.start(request, c)]) }
        }
        return try result.get()
    }

    /// Enqueues an event for the instance with this id: waits only while its shard's mailbox is
    /// full, not until the event is processed. An unknown or finished instance dead-letters the
    /// event. Use ``deliverAndWait(_:to:eventID:)`` to learn the outcome (and, with a store, that
    /// it is journaled).
    public func enqueue(_ event: Event, to instanceID: String) async {
        await core.shard(for: instanceID).postWaiting([
            .deliver(instanceID: instanceID, event: event, eventID: nil, reply: nil)
        ])
    }

    /// Delivers an event and waits until the instance has processed it — and, with a store,
    /// until it is durably journaled — then reports the outcome: whether a transition took it
    /// (``DeliveryReceipt/handled``), the configuration after it, its journal record.
    ///
    /// - Parameters:
    ///   - event: the event.
    ///   - instanceID: the instance to deliver it to.
    ///   - eventID: makes delivery idempotent: if this instance has already journaled an event
    ///     with this id, nothing is applied and the receipt says `duplicate` (a client that lost
    ///     the answer in a crash can simply resend). Without a store the ids are remembered in
    ///     memory for the instance's current run.
    /// - Throws: ``EngineError/noSuchInstance(_:)``, ``EngineError/notRunning(_:)``,
    ///   ``EngineError/notRecovered``, ``EngineError/storeUnavailable(_:)``,
    ///   ``EngineError/shutDown``. A refused event is not dead-lettered: the caller knows.
    @discardableResult
    public func deliverAndWait(_ event: Event, to instanceID: String, eventID: String? = nil)
        async throws(EngineError)
        -> DeliveryReceipt
    {
        guard core.recovered.load(ordering: .acquiring) else { throw .notRecovered }
        let shard = core.shard(for: instanceID)
        let result = await withCheckedContinuation {
            (c: CheckedContinuation<Result<DeliveryReceipt, EngineError>, Never>) in
            let message = ShardMessage.deliver(
                instanceID: instanceID, event: event, eventID: eventID, reply: DeliveryReply(c))
            Task { await shard.postWaiting([message]) }
        }
        return try result.get()
    }

    /// Enqueues several events, grouped per shard (cheaper than one call per event), waiting only
    /// for mailbox room. Events for the same instance keep their order.
    public func enqueue(_ events: [(instanceID: String, event: Event)]) async {
        var groups: [Int: [ShardMessage]] = [:]
        for (id, event) in events {
            groups[core.shard(for: id).index, default: []].append(
                .deliver(instanceID: id, event: event, eventID: nil, reply: nil))
        }
        for (index, messages) in groups { await core.shards[index].postWaiting(messages) }
    }

    /// Enqueues an event without ever waiting: refused when the shard's mailbox is full.
    /// - Throws: ``EngineError/busy`` when full, ``EngineError/shutDown`` after shutdown.
    public func tryEnqueue(_ event: Event, to instanceID: String) throws(EngineError) {
        try core.shard(for: instanceID).tryPost(
            .deliver(instanceID: instanceID, event: event, eventID: nil, reply: nil))
    }

    /// Publishes an event to the router: correlated instances receive it first, then handlers
    /// and triggers in priority order. Handlers run on the calling task; it returns once every
    /// copy for an instance is enqueued (as ``enqueue(_:to:)``: not until they are processed).
    /// An event nobody accepts is dead-lettered (``DeadLetterReason/noRoute``).
    @discardableResult
    public func publish(_ event: Event) async -> PublishOutcome {
        let (outcome, posts) = core.route(event)
        for (shard, message) in posts { await shard.postWaiting([message]) }
        if core.store != nil { await core.flushDeadLetters() }
        return outcome
    }

    /// A snapshot of the instance; nil when the engine holds no instance with the id — never
    /// started, pruned, or (durable engine) finished before the last restart: recovery loads
    /// only unfinished instances; read a finished one's record with ``history(of:)``.
    public func snapshot(_ id: String) async -> InstanceSnapshot? {
        let shard = core.shard(for: id)
        return await withCheckedContinuation { c in shard.post(.query(id, c)) }
    }

    /// Whether the instance is running and the state is active.
    public func isActive(_ id: String, state: String) async -> Bool {
        guard let s = await snapshot(id), s.status.isRunning else { return false }
        return s.isActive(state)
    }

    /// Stops a running instance: cancels its timers and activities; later events to it are
    /// dead-lettered. Returns false when it was not running.
    @discardableResult
    public func stop(_ id: String) async -> Bool {
        let shard = core.shard(for: id)
        return await withCheckedContinuation { c in shard.post(.stop(id, c)) }
    }

    /// Runs the instance's recorded compensations, newest first (see ``ActivityOptions/compensation``
    /// and `<sy:compensation>`); the instance then receives `compensation.done` or
    /// `compensation.failed`. Returns false when there is no such instance.
    @discardableResult
    public func compensate(_ id: String) async -> Bool {
        let shard = core.shard(for: id)
        return await withCheckedContinuation { c in shard.post(.compensate(id, c)) }
    }

    // MARK: Dead letters

    /// The dead-letter list, oldest first. With a store the list is durable: a restarted engine
    /// lists (and can replay) what an earlier process parked — at most
    /// ``EngineOptions/deadLetterCapacity`` letters, like the live list.
    public var deadLetters: [DeadLetter] { core.deadLetters }

    /// Removes the matching dead letters and sends them again: to their instance when they had
    /// one, else through the router. Returns how many were replayed. A replayed event that
    /// still finds no taker is dead-lettered again (with a new id).
    @discardableResult
    public func replayDeadLetters(where predicate: @Sendable (DeadLetter) -> Bool = { _ in true }) async
        -> Int
    {
        let taken = core.takeDeadLetters(where: predicate)
        for letter in taken {
            if let id = letter.instanceID {
                await enqueue(letter.event, to: id)
            } else {
                await publish(letter.event)
            }
        }
        if core.store != nil { await core.flushDeadLetters() }
        return taken.count
    }

    /// Discards the matching dead letters (all by default), also from the store; returns how
    /// many were removed.
    @discardableResult
    public func discardDeadLetters(where predicate: @Sendable (DeadLetter) -> Bool = { _ in true }) async
        -> Int
    {
        let count = core.takeDeadLetters(where: predicate).count
        if core.store != nil { await core.flushDeadLetters() }
        return count
    }

    // MARK: Time and life cycle

    /// Waits until every mailbox is empty and no activity or compensation is running (pending
    /// timers do not count). An activity still running after the engine has been idle for 20 ms
    /// of wall time is taken to wait on the outside world and is not waited for; one whose task
    /// has not started yet is always waited for.
    public func quiesce() async { await core.quiesce() }

    /// With a ``ManualClock``: moves time forward by `duration`, firing every timer that falls
    /// due on the way at its due instant (earliest first; equal instants in scheduling order)
    /// and letting the engine settle after each.
    public func advance(by duration: Duration) async throws(EngineError) {
        guard let manual = core.clock as? ManualClock else { throw .notManualClock }
        await core.quiesce()
        let target = manual.now() &+ duration.nanoseconds
        while let next = core.timers.nextDue(), next <= target {
            manual.advance(to: next)
            core.fireDue(now: manual.now())
            await core.quiesce()
        }
        manual.advance(to: target)
    }

    /// The number of timers pending in the engine (delayed sends, state timeouts, activity
    /// timeouts and retries).
    public var pendingTimerCount: Int { core.timers.count }

    /// Counters since the engine started.
    public var statistics: EngineStatistics { core.statistics }

    /// Lets the shards finish their mailboxes, then stops them and the timer task, and returns
    /// once they have ended (the store is no longer used by the engine). Later sends are
    /// dead-lettered with ``DeadLetterReason/shutDown``.
    public func shutdown() async {
        await core.quiesce()
        core.close()
        await core.waitForWorkers()
        if core.store != nil { await core.flushDeadLetters() }
    }
}

// MARK: - Durability

extension Engine {
    /// Restores every unfinished instance from the store: its newest snapshot, then the journal
    /// records after it, replayed through the interpreter. Call it once, after registering
    /// definitions, actions and activities, before starting or sending.
    ///
    /// - Timers: pending delayed sends and state timeouts are re-armed at their stored due
    ///   time; timers that fell due while the engine was down fire at once, earliest first —
    ///   by the time `recover()` returns they have been processed.
    /// - Effects already carried out are not repeated: events to other instances carry stable
    ///   ids and receivers drop the ones they journaled; activities in flight at the crash are
    ///   started again with the same ``ActivityInput/idempotencyKey``; `<log>` lines are not
    ///   written again.
    /// - Definitions: an instance resumes on the version it started with — the version
    ///   registered in this process with the same content, or else the stored document.
    ///
    /// Without a store it does nothing.
    @discardableResult
    public func recover() async throws(EngineError) -> RecoveryReport {
        guard let store = core.store else {
            return RecoveryReport(instances: 0, replayedRecords: 0, pendingTimers: 0, failures: [])
        }
        guard !core.recovered.load(ordering: .acquiring) else {
            return RecoveryReport(
                instances: 0, replayedRecords: 0, pendingTimers: core.timers.count, failures: [])
        }
        let data: RecoveryData
        do {
            data = try await store.loadForRecovery()
        } catch {
            throw .storeUnavailable(error.message)
        }
        var failures = core.adoptStored(data.definitions)
        failures += core.restoreDeadLetters(data.deadLetters)
        // Definitions registered in this process that the store lacks.
        let missing = core.allVersions.filter { !core.isStored($0.hash) }
        if !missing.isEmpty {
            do {
                try await store.commit(StoreBatch(definitions: missing.map(core.storedDefinition)))
            } catch {
                throw .storeUnavailable(error.message)
            }
            core.markStored(missing.map(\.hash))
        }
        var groups: [Int: [RecoveringInstance]] = [:]
        for item in data.instances { groups[core.shard(for: item.row.id).index, default: []].append(item) }
        var finishedGroups: [Int: [(id: String, lastSeq: Int64)]] = [:]
        for item in data.finished { finishedGroups[core.shard(for: item.id).index, default: []].append(item) }
        var instances = 0
        var records = 0
        var outgoing: [PendingPost] = []
        // Shards replay their instances in parallel.
        let shards = core.shards
        let reports = await withTaskGroup(of: ShardRecovery.self) { group in
            for shard in shards {
                let list = groups[shard.index] ?? []
                let finished = finishedGroups[shard.index] ?? []
                group.addTask {
                    await withCheckedContinuation { (c: CheckedContinuation<ShardRecovery, Never>) in
                        shard.post(.recover(list, finished: finished, c))
                    }
                }
            }
            var all: [ShardRecovery] = []
            for await report in group { all.append(report) }
            return all
        }
        for report in reports {
            instances += report.instances
            records += report.records
            failures += report.failures
            outgoing += report.outgoing
        }
        core.recovered.store(true, ordering: .releasing)
        // Events the replayed steps sent are all in the outbox (written in the same commits),
        // unless their receivers have handled them; the outbox also holds what steps covered by
        // snapshots sent just before the crash. Deliver it, oldest first; receivers drop ids
        // they have journaled.
        for p in outgoing {
            if case .deliver(_, _, _?, nil) = p.message { continue }
            p.shard.post(p.message)
        }
        // Activity starts in the outbox are restarted from the instances' state above.
        var routed: [String] = []
        for entry in data.outbox where !entry.event.hasPrefix("activity:") {
            do {
                guard
                    case .event(let event) = try JournalCodec.decode(
                        kind: .event, payload: entry.payload, event: entry.event)
                else { continue }
                if let request = EngineCore.basicHTTPRequest(entry, event: event) {
                    // A step's Basic HTTP send that was not answered before the crash.
                    core.postBasicHTTP(request, outboxID: entry.id)
                    continue
                }
                if entry.target == Shard.routerTarget {
                    // A step's `#_router` send that was not routed before the crash.
                    let (_, posts) = core.route(event, eventID: entry.id)
                    for (shard, message) in posts { shard.post(message) }
                    routed.append(entry.id)
                    continue
                }
                core.shard(for: entry.target).post(
                    .deliver(instanceID: entry.target, event: event, eventID: entry.id, reply: nil))
            } catch {
                failures.append(
                    RecoveryFailure(
                        instanceID: entry.target, message: "outbox entry \(entry.id): \(error.message)"))
            }
        }
        if !routed.isEmpty {
            do {
                try await store.commit(StoreBatch(delivered: routed))
            } catch {
                throw .storeUnavailable(error.message)
            }
        }
        core.fireDue(now: core.clock.now())
        await core.quiesce()
        return RecoveryReport(
            instances: instances, replayedRecords: records, pendingTimers: core.timers.count,
            failures: failures)
    }

    /// Moves a running instance to another version of its definition (default: the newest
    /// registered under its name). Its configuration and history are carried over by state id
    /// — renamed through `stateMapping` (old id → new id) — its data model through `transform`,
    /// and its pending timers and activities unchanged. With a store the migration is journaled
    /// with a snapshot.
    ///
    /// - Throws: ``EngineError/migrationRefused(_:_:)`` when an active state (or a remembered
    ///   history state) does not exist in the target version, or `transform` throws; the
    ///   instance then stays as it was.
    @discardableResult
    public func migrate(
        _ instanceID: String, to version: Int? = nil, stateMapping: [String: String] = [:],
        transform: MigrationTransform? = nil
    ) async throws(EngineError) -> MigrationReport {
        guard core.recovered.load(ordering: .acquiring) else { throw .notRecovered }
        guard let current = await snapshot(instanceID) else { throw .noSuchInstance(instanceID) }
        let target: RegisteredDefinition
        if let version {
            guard
                let def = core.allVersions.first(where: {
                    $0.name == current.definition && $0.version == version
                })
            else { throw .unknownVersion(current.definition, version) }
            target = def
        } else {
            guard let def = core.definition(named: current.definition) else {
                throw .unknownDefinition(current.definition)
            }
            target = def
        }
        let request = MigrationRequest(definition: target, stateMapping: stateMapping, transform: transform)
        let shard = core.shard(for: instanceID)
        let result = await withCheckedContinuation {
            (c: CheckedContinuation<Result<MigrationReport, EngineError>, Never>) in
            shard.post(.migrate(instanceID, request, c))
        }
        return try result.get()
    }

    /// Forgets instances that finished or were stopped more than `age` ago: in memory, and with
    /// a store, their rows and journals. Returns how many stored instances were deleted (without
    /// a store: how many in memory).
    @discardableResult
    public func pruneFinished(olderThan age: Duration) async throws(EngineError) -> Int {
        let before = core.clock.now() &- age.nanoseconds
        var inMemory = 0
        for shard in core.shards {
            inMemory += await withCheckedContinuation { c in shard.post(.prune(before: before, c)) }
        }
        guard let store = core.store else { return inMemory }
        do {
            return try await store.pruneFinished(before: before)
        } catch {
            throw .storeUnavailable(error.message)
        }
    }

    /// The full history of an instance id from the store's journal: every input with its time,
    /// the event the machine processed, the configuration after it and the states entered and
    /// exited — for audit. Also for finished instances, until they are pruned. An id started
    /// again after it finished has one ``InstanceHistory/Run`` per start, all reachable in
    /// ``InstanceHistory/runs``; the history's own properties describe the latest run.
    public func history(of instanceID: String) async throws(EngineError) -> InstanceHistory {
        guard let store = core.store else { throw .storeUnavailable("the engine has no store") }
        let records: [JournalRecord]?
        let row: StoredInstance?
        do {
            records = try await store.journal(of: instanceID)
            row = try await store.instance(instanceID)
        } catch {
            throw .storeUnavailable(error.message)
        }
        guard let records, let row else { throw .noSuchInstance(instanceID) }
        return InstanceHistory(row: row, records: records, version: { core.definition(hash: $0)?.version })
    }
}
