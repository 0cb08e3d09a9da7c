import Foundation
import Logging
import Metrics
import SwitchyardCore
import SwitchyardExpressions
import Synchronization

/// A machine definition registered with the engine: one version of a name.
struct RegisteredDefinition: Sendable {
    var name: String
    var machine: MachineDefinition
    /// Maps an event to the correlation key of the instance it belongs to.
    var correlation: EventFilter?
    /// SHA-256 of the canonical form of the document (``SCXMLDocument/canonicalized()``): the
    /// version's identity in the store. Layout and source positions do not change it.
    var hash: String
    /// 1, 2, ... per name (final once the engine has recovered from its store).
    var version: Int
    /// The machine's `SCXMLDocument` as JSON (sorted keys), what the store keeps.
    var document: String

    init(name: String, machine: MachineDefinition, correlation: EventFilter?, version: Int = 1) {
        self.name = name
        self.machine = machine
        self.correlation = correlation
        self.version = version
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // A document the loader or compiler produced is plain Codable data.
        let data = (try? encoder.encode(machine.document)) ?? Data()
        document = String(decoding: data, as: UTF8.self)
        hash = SHA256.hex((try? encoder.encode(machine.document.canonicalized())) ?? data)
    }
}

/// swift-metrics instruments (no-ops unless a metrics backend is bootstrapped).
struct EngineMetrics: Sendable {
    let events = Counter(label: "switchyard_events_processed")
    let transitions = Counter(label: "switchyard_transitions")
    let errors = Counter(label: "switchyard_errors")
    let deadLetters = Counter(label: "switchyard_dead_letters")
    let deadLettersDropped = Counter(label: "switchyard_dead_letters_dropped")
    let instancesStarted = Counter(label: "switchyard_instances_started")
    let timersFired = Counter(label: "switchyard_timers_fired")
    let timerLag = Metrics.Timer(label: "switchyard_timer_lag")
}

/// Everything the shards share. ``Engine`` is its public face; the worker tasks keep it alive
/// until they have drained their mailboxes.
final class EngineCore: Sendable {
    let clock: any EngineClock
    let options: EngineOptions
    let interpreterOptions: InterpreterOptions
    let logger: Logger
    let metrics = EngineMetrics()
    let router = EventRouter()
    let timers = TimerService()
    /// Messages posted and not yet processed.
    let pending = Atomic<Int>(0)
    /// Activity and compensation tasks running.
    let activeTasks = Atomic<Int>(0)
    /// Activity and compensation tasks created whose body has not started yet.
    let unstartedTasks = Atomic<Int>(0)
    /// Written once, at the end of `init`, before the core is shared; read-only after that.
    nonisolated(unsafe) private(set) var shards: [Shard] = []
    /// The durable store, if any.
    let store: (any InstanceStore)?
    /// Running instance ids, for `#_scxml_<id>` sends (SCXML 6.2.4: a send to a session that does
    /// not exist raises `error.communication` in the sending macrostep). Only without a store:
    /// a durable engine's replay could not see the same answer, so it dead-letters such sends.
    let directory: InstanceDirectory?
    /// Set once ``Engine/recover()`` has run (always set without a store).
    let recovered = Atomic<Bool>(false)

    /// Newest version per name.
    private let definitions = Mutex<[String: RegisteredDefinition]>([:])
    /// Every version, by content hash.
    private let versions = Mutex<[String: RegisteredDefinition]>([:])
    /// Hashes the store is known to hold.
    private let storedHashes = Mutex<Set<String>>([])
    private let correlated = Mutex<[RegisteredDefinition]>([])
    private let correlationIndex = Mutex<[String: String]>([:])
    private let actions = Mutex<[String: ActionBody]>([:])
    private let activities = Mutex<[String: RegisteredActivity]>([:])
    private let listeners = Mutex<[any EngineListener]>([])
    private let listenerFlag = Atomic<Bool>(false)
    private let letters = Mutex(DeadLetterBuffer())
    /// Dead-letter changes not yet in the store (durable engine only).
    private let letterWrites = Mutex<(add: [StoredDeadLetter], remove: [UInt64])>(([], []))
    private let droppedCount = Atomic<Int>(0)
    let prunedCount = Atomic<Int>(0)
    /// Orders events children send to their parents against the parents' cancellations.
    let sendStamps = Atomic<UInt64>(0)
    /// Compiled `<invoke type="scxml">` documents (see ``childDefinition(_:parent:)``).
    private let childDefinitions = Mutex<[ChildDefinitionKey: RegisteredDefinition]>([:])
    private let eventsProcessed = Atomic<Int>(0)
    private let deadLetterCount = Atomic<Int>(0)
    private let startedCount = Atomic<Int>(0)
    private let firedCount = Atomic<Int>(0)
    private let lateCount = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    /// The timer task waiting for a timer due before `deadline` (woken early when a sooner
    /// timer is scheduled, or at shutdown).
    private let timerWake = Mutex<(continuation: CheckedContinuation<Void, Never>, deadline: Int64)?>(nil)
    /// The shard workers and the timer task (see ``waitForWorkers()``).
    private let workers = Mutex<[Task<Void, Never>]>([])
    /// Serialises ``fireDue(now:)``: the timer task and ``Engine/advance(by:)`` post due timers
    /// in firing order, never interleaved.
    private let firing = Mutex<Int>(0)

    init(clock: any EngineClock, options: EngineOptions, store: (any InstanceStore)?) {
        self.clock = clock
        self.options = options
        self.store = store
        var logger = Logger(label: "switchyard.engine")
        logger.logLevel = options.logLevel
        self.logger = logger
        directory = store == nil ? InstanceDirectory() : nil
        if store == nil { recovered.store(true, ordering: .relaxed) }
        var io = options.interpreter
        if options.traceMicrosteps { io.tracing = true }
        interpreterOptions = io
        shards = (0..<options.shards).map { Shard(index: $0, core: self, capacity: options.mailboxCapacity) }
    }

    func startWorkers() {
        var tasks: [Task<Void, Never>] = []
        for shard in shards {
            tasks.append(
                Task { [self] in
                    await shard.run()
                    _ = self
                })
        }
        tasks.append(Task { [self] in await timerLoop() })
        workers.withLock { $0 = tasks }
    }

    /// Waits until the worker and timer tasks have ended (after ``close()``), so nothing of the
    /// engine runs on — or keeps the store open from — another thread afterwards.
    func waitForWorkers() async {
        for task in workers.withLock({ $0 }) { await task.value }
    }

    // MARK: Registries

    /// Registers the first version of a name, or (with `upgrade`) a newer version of an existing
    /// one. Returns the definition with its version number.
    @discardableResult
    func register(_ definition: RegisteredDefinition, upgrade: Bool = false) throws(EngineError)
        -> RegisteredDefinition
    {
        var def = definition
        try definitions.withLock { (d) throws(EngineError) in
            if upgrade {
                guard let current = d[def.name] else { throw .unknownDefinition(def.name) }
                if current.hash == def.hash {
                    def = current
                    return
                }
            } else {
                guard d[def.name] == nil else { throw .duplicateRegistration(def.name) }
            }
            versions.withLock { v in
                if let known = v[def.hash], known.name == def.name {
                    def.version = known.version
                } else {
                    def.version = (v.values.filter { $0.name == def.name }.map(\.version).max() ?? 0) + 1
                }
                v[def.hash] = def
            }
            d[def.name] = def
        }
        correlated.withLock { list in
            list.removeAll { $0.name == def.name }
            if def.correlation != nil { list.append(def) }
        }
        return def
    }

    func definition(named name: String) -> RegisteredDefinition? { definitions.withLock { $0[name] } }

    /// A version by content hash (registered in this process or loaded from the store).
    func definition(hash: String) -> RegisteredDefinition? { versions.withLock { $0[hash] } }

    /// Every version of every name, ordered by name and version.
    var allVersions: [RegisteredDefinition] {
        versions.withLock { Array($0.values) }.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// Merges the store's definitions at recovery: stored versions keep their numbers, versions
    /// registered in this process that the store lacks are numbered after them, and a name the
    /// process did not register gets its newest stored version as "newest".
    func adoptStored(_ stored: [StoredDefinition]) -> [RecoveryFailure] {
        var failures: [RecoveryFailure] = []
        var compiled: [RegisteredDefinition] = []
        let known = versions.withLock { $0 }
        let current = definitions.withLock { $0 }
        for s in stored where known[s.hash] == nil {
            do {
                let document = try JSONDecoder().decode(SCXMLDocument.self, from: Data(s.document.utf8))
                // An older version compiles with the rule-set resolver and Swift bindings of the
                // version registered now under its name.
                let now = (current[s.name] ?? Self.parentName(ofChild: s.name).flatMap { current[$0] })?
                    .machine
                let machine = try MachineDefinition.compile(
                    document, routing: now?.routing, bindings: now?.bindings ?? HostBindings())
                var def = RegisteredDefinition(
                    name: s.name, machine: machine, correlation: nil, version: s.version)
                def.hash = s.hash
                def.document = s.document
                compiled.append(def)
            } catch {
                failures.append(
                    RecoveryFailure(
                        instanceID: "",
                        message: "stored definition '\(s.name)' v\(s.version) does not compile: \(error)"))
            }
        }
        let storedByHash = Dictionary(stored.map { ($0.hash, $0) }, uniquingKeysWith: { a, _ in a })
        definitions.withLock { names in
            versions.withLock { v in
                for def in compiled { v[def.hash] = def }
                // Stored versions keep their numbers; the rest come after the newest stored one.
                for (hash, var def) in v where storedByHash[hash] == nil {
                    let maxStored = stored.filter { $0.name == def.name }.map(\.version).max() ?? 0
                    if def.version <= maxStored {
                        def.version = maxStored + def.version
                        v[hash] = def
                    }
                }
                for (hash, def) in v {
                    if let s = storedByHash[hash], def.version != s.version {
                        var d = def
                        d.version = s.version
                        v[hash] = d
                    }
                }
                let registeredNames = Set(names.keys)
                for (name, def) in names { names[name] = v[def.hash] ?? def }
                for def in v.values
                where !registeredNames.contains(def.name) && Self.parentName(ofChild: def.name) == nil {
                    if let current = names[def.name], current.version >= def.version { continue }
                    names[def.name] = def
                }
            }
        }
        storedHashes.withLock { $0.formUnion(stored.map(\.hash)) }
        return failures
    }

    // MARK: Invoked documents

    /// The name child definitions are stored under: `<parent definition>#invoke:<state id>`.
    static func childName(parent: String, state: String) -> String { "\(parent)#invoke:\(state)" }

    static func parentName(ofChild name: String) -> String? {
        guard let r = name.range(of: "#invoke:") else { return nil }
        return String(name[..<r.lowerBound])
    }

    /// The definition of an `<invoke type="scxml">` child: its inline `<content>` document (or
    /// markup, with ``EngineOptions/documentParser``), or `src` loaded with
    /// ``EngineOptions/documentLoader`` relative to the invoking document's directory. It is
    /// compiled with the parent definition's rule-set routing and Swift bindings, like
    /// `InstanceRunner` children, kept by content hash (so a durable engine stores it and
    /// recovery finds it), and cached. The failure is the `error.execution` message.
    func childDefinition(_ request: InvokeRequest, parent: RegisteredDefinition) -> Result<
        RegisteredDefinition, InvokeFailure
    > {
        let key: ChildDefinitionKey
        let machine: MachineDefinition
        do throws(InvokeFailure) {
            key = try ChildDefinitionKey(request, parentHash: parent.hash)
            if let known = childDefinitions.withLock({ $0[key] }) { return .success(known) }
            machine = try key.compile(
                parent: parent, loader: options.documentLoader, parser: options.documentParser,
                runner: "the engine")
        } catch {
            return .failure(error)
        }
        var def = RegisteredDefinition(
            name: Self.childName(parent: parent.name, state: request.stateID), machine: machine,
            correlation: nil)
        versions.withLock { v in
            // The same content registered before (also under another name) is that version.
            if let known = v[def.hash] {
                def = known
            } else {
                def.version = (v.values.filter { $0.name == def.name }.map(\.version).max() ?? 0) + 1
                v[def.hash] = def
            }
        }
        childDefinitions.withLock { $0[key] = def }
        return .success(def)
    }

    func isStored(_ hash: String) -> Bool { storedHashes.withLock { $0.contains(hash) } }

    func markStored(_ hashes: [String]) {
        guard !hashes.isEmpty else { return }
        storedHashes.withLock { $0.formUnion(hashes) }
    }

    func storedDefinition(_ def: RegisteredDefinition) -> StoredDefinition {
        StoredDefinition(
            hash: def.hash, name: def.name, version: def.version, document: def.document,
            registeredAt: clock.now())
    }

    func registerAction(_ name: String, _ body: @escaping ActionBody) throws(EngineError) {
        guard name != "compensate" && name != "compensation" else { throw .duplicateRegistration(name) }
        try actions.withLock { (a) throws(EngineError) in
            guard a[name] == nil else { throw .duplicateRegistration(name) }
            a[name] = body
        }
    }

    func action(named name: String) -> ActionBody? { actions.withLock { $0[name] } }

    func registerActivity(_ name: String, _ activity: RegisteredActivity) throws(EngineError) {
        try activities.withLock { (a) throws(EngineError) in
            guard a[name] == nil else { throw .duplicateRegistration(name) }
            a[name] = activity
        }
    }

    func activity(named name: String) -> RegisteredActivity? { activities.withLock { $0[name] } }

    func setCorrelation(definition: String, key: String, instanceID: String) {
        correlationIndex.withLock { $0[definition + "\u{1F}" + key] = instanceID }
    }

    // MARK: Listeners

    func addListener(_ l: any EngineListener) {
        listeners.withLock { $0.append(l) }
        listenerFlag.store(true, ordering: .releasing)
    }

    var hasListeners: Bool { listenerFlag.load(ordering: .relaxed) }

    func notify(_ body: (any EngineListener) -> Void) {
        for l in listeners.withLock({ $0 }) { body(l) }
    }

    // MARK: Shards

    @inline(__always) func shard(for id: String) -> Shard {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return shards[Int(h % UInt64(shards.count))]
    }

    /// Engine-internal delivery (never waits).
    func deliver(_ event: Event, to id: String) {
        shard(for: id).post(.deliver(instanceID: id, event: event, eventID: nil, reply: nil))
    }

    func rejected(_ message: ShardMessage) {
        if let (event, id) = message.deadLetter { deadLetter(event, instanceID: id, reason: .shutDown) }
        switch message {
        case .start(_, let c): c?.resume(returning: .failure(.shutDown))
        case .query(_, let c): c.resume(returning: nil)
        case .stop(_, let c), .compensate(_, let c): c?.resume(returning: false)
        case .deliver(_, _, _, let r?): r.continuation.resume(returning: .failure(.shutDown))
        case .recover(_, _, let c): c.resume(returning: ShardRecovery())
        case .migrate(_, _, let c): c.resume(returning: .failure(.shutDown))
        case .prune(_, let c): c.resume(returning: 0)
        default: break
        }
        pending.subtract(1, ordering: .relaxed)
    }

    func batchProcessed(messages: Int, events: Int) {
        if events > 0 {
            eventsProcessed.add(events, ordering: .relaxed)
            metrics.events.increment(by: events)
        }
        pending.subtract(messages, ordering: .releasing)
    }

    // MARK: Routing

    /// Runs the router for a published event: correlation first, then handlers by priority.
    /// Returns the outcome and the messages to post (the caller chooses how to post them).
    func route(_ event: Event, eventID: String? = nil) -> (PublishOutcome, [(Shard, ShardMessage)]) {
        var outcome = PublishOutcome(
            handlers: [], correlatedInstances: [], startedInstances: [], deadLetter: nil)
        var posts: [(Shard, ShardMessage)] = []
        var parked = false
        let correlatedDefinitions = correlated.withLock { $0 }
        for def in correlatedDefinitions {
            guard let filter = def.correlation, let key = try? Self.key(filter.value(event)) else { continue }
            if let id = correlationIndex.withLock({ $0[def.name + "\u{1F}" + key] }) {
                outcome.correlatedInstances.append(id)
                posts.append(
                    (shard(for: id), .deliver(instanceID: id, event: event, eventID: eventID, reply: nil)))
            }
        }
        dispatch: for handler in router.handlers(for: event.name) {
            if let filter = handler.filter {
                do {
                    guard try filter.test(event) else { continue }
                } catch {
                    deadLetter(
                        event, instanceID: nil,
                        reason: .filterError(handler: handler.id, message: error.message))
                    parked = true
                    continue
                }
            }
            outcome.handlers.append(handler.id)
            switch handler.action {
            case .closure(let body):
                if body(event) == .stop { break dispatch }
            case .trigger(let trigger):
                do throws(EngineError) {
                    let (shard, message, id) = try startMessage(trigger, handler: handler.id, event: event)
                    outcome.startedInstances.append(id)
                    posts.append((shard, message))
                } catch {
                    deadLetter(
                        event, instanceID: nil,
                        reason: .triggerFailed(handler: handler.id, message: error.description))
                    parked = true
                }
            }
        }
        if outcome.handlers.isEmpty && outcome.correlatedInstances.isEmpty && !parked {
            outcome.deadLetter = .noRoute
            deadLetter(event, instanceID: nil, reason: .noRoute)
        }
        return (outcome, posts)
    }

    /// A routed event from inside the engine (`<send target="#_router">`): posts without waiting.
    func routeInternal(_ event: Event) -> PublishOutcome {
        let (outcome, posts) = route(event)
        for (shard, message) in posts { shard.post(message) }
        return outcome
    }

    private func startMessage(
        _ trigger: Trigger, handler: HandlerID, event: Event
    ) throws(EngineError) -> (Shard, ShardMessage, String) {
        let (name, extraData) = try trigger.chosenDefinition(for: event)
        guard let def = definition(named: name) else { throw .unknownDefinition(name) }
        let idValue: Value
        do {
            idValue = try trigger.idExpression.value(event)
        } catch {
            throw .invalidExpression("instance id: \(error.message)")
        }
        guard let id = Self.key(idValue) else {
            throw .invalidExpression("instance id evaluated to \(idValue.typeName)")
        }
        var data: [NamedValue] = []
        if case .object(let o) = event.data {
            for (k, v) in o.properties { data.append(NamedValue(k, v)) }
        }
        var correlationKey: String?
        data += extraData
        if let c = def.correlation, let key = try? Self.key(c.value(event)) {
            setCorrelation(definition: def.name, key: key, instanceID: id)
            correlationKey = key
        }
        let request = StartRequest(
            definition: def, id: id, data: data, correlationKey: correlationKey,
            onConflict: trigger.onConflict,
            onFinished: trigger.onFinished,
            trigger: (event, handler), deliverTriggerEvent: trigger.deliver)
        return (shard(for: id), .start(request, nil), id)
    }

    /// A correlation key or instance id: strings as they are, finite numbers in JS form.
    static func key(_ v: Value) -> String? {
        switch v {
        case .string(let s) where !s.isEmpty: s
        case .number(let n) where n.isFinite: v.jsString
        default: nil
        }
    }

    // MARK: Dead letters

    func deadLetter(_ event: Event, instanceID: String?, reason: DeadLetterReason) {
        let now = clock.now()
        let capacity = options.deadLetterCapacity
        let (letter, dropped) = letters.withLock { l -> (DeadLetter, DeadLetter?) in
            let letter = DeadLetter(
                id: l.next, event: event, instanceID: instanceID, reason: reason, atNanoseconds: now)
            l.next += 1
            return (letter, l.append(letter, capacity: capacity))
        }
        if store != nil {
            letterWrites.withLock { w in
                w.add.append(DeadLetterCodec.encode(letter))
                if let dropped { w.remove.append(dropped.id) }
            }
        }
        deadLetterCount.add(1, ordering: .relaxed)
        metrics.deadLetters.increment()
        logger.debug("dead letter: \(event.name) (\(reason))")
        if hasListeners { notify { $0.deadLettered(letter) } }
        if let dropped { droppedDeadLetter(dropped, capacity: capacity) }
    }

    /// Reports a dead letter pushed out of the full list: counted, logged (the first and every
    /// 1,000th after it, to keep a flood from flooding the log) and told to listeners.
    private func droppedDeadLetter(_ letter: DeadLetter, capacity: Int) {
        let total = droppedCount.add(1, ordering: .relaxed).newValue
        metrics.deadLettersDropped.increment()
        if total == 1 || total % 1000 == 0 {
            logger.warning(
                "dead-letter list full (capacity \(capacity)): dropped the oldest, \(letter.event.name) (\(letter.reason)); \(total) dropped so far"
            )
        }
        if hasListeners { notify { $0.deadLetterDropped(letter) } }
    }

    var deadLetters: [DeadLetter] { letters.withLock { $0.list } }

    func takeDeadLetters(where predicate: (DeadLetter) -> Bool) -> [DeadLetter] {
        let taken = letters.withLock { $0.take(where: predicate) }
        if store != nil, !taken.isEmpty { letterWrites.withLock { $0.remove += taken.map(\.id) } }
        return taken
    }

    /// Dead letters parked and removed since the last commit that carried them (durable engine).
    func drainLetterWrites() -> (add: [StoredDeadLetter], remove: [UInt64]) {
        letterWrites.withLock { w in
            defer { w = ([], []) }
            return w
        }
    }

    /// Writes pending dead-letter changes now (after a publish, a replay, a discard, and at
    /// shutdown; shard commits carry them otherwise).
    func flushDeadLetters() async {
        guard let store else { return }
        let (add, remove) = drainLetterWrites()
        guard !add.isEmpty || !remove.isEmpty else { return }
        var batch = StoreBatch()
        batch.deadLetters = add
        batch.removedDeadLetters = remove
        do {
            try await store.commit(batch)
        } catch {
            logger.error("could not store \(add.count) dead letters: \(error.message)")
        }
    }

    /// Restores the dead letters a previous process stored (recovery); numbering continues.
    func restoreDeadLetters(_ stored: [StoredDeadLetter]) -> [RecoveryFailure] {
        var failures: [RecoveryFailure] = []
        var restored: [DeadLetter] = []
        for s in stored {
            do throws(StoreError) {
                restored.append(try DeadLetterCodec.decode(s))
            } catch {
                failures.append(
                    RecoveryFailure(
                        instanceID: s.instanceID ?? "", message: "dead letter \(s.id): \(error.message)"))
            }
        }
        let capacity = options.deadLetterCapacity
        letters.withLock { l in
            for letter in restored { _ = l.append(letter, capacity: capacity) }
            l.next = max(l.next, (stored.map(\.id).max() ?? 0) + 1)
        }
        return failures
    }

    // MARK: Life cycle notifications

    func instanceStarted(_ id: String, definition: String) {
        startedCount.add(1, ordering: .relaxed)
        metrics.instancesStarted.increment()
        if hasListeners { notify { $0.instanceStarted(instanceID: id, definition: definition) } }
    }

    func instanceFinished(_ id: String, status: InstanceStatus) {
        if hasListeners { notify { $0.instanceFinished(instanceID: id, status: status) } }
    }

    var statistics: EngineStatistics {
        EngineStatistics(
            eventsProcessed: eventsProcessed.load(ordering: .relaxed),
            deadLetters: deadLetterCount.load(ordering: .relaxed),
            deadLettersDropped: droppedCount.load(ordering: .relaxed),
            finishedPruned: prunedCount.load(ordering: .relaxed),
            instancesStarted: startedCount.load(ordering: .relaxed),
            timersFired: firedCount.load(ordering: .relaxed),
            timersFiredLate: lateCount.load(ordering: .relaxed))
    }

    // MARK: Timers

    func timerScheduled(due: Int64) {
        let waiting = timerWake.withLock { w -> CheckedContinuation<Void, Never>? in
            guard let current = w, due < current.deadline else { return nil }
            w = nil
            return current.continuation
        }
        waiting?.resume()
    }

    func timerFired(due: Int64) {
        firedCount.add(1, ordering: .relaxed)
        metrics.timersFired.increment()
        let lag = max(0, clock.now() - due)
        if lag > 1_000_000_000 { lateCount.add(1, ordering: .relaxed) }
        metrics.timerLag.recordNanoseconds(lag)
    }

    /// Posts every timer due at `now` to its instance's shard, in firing order.
    func fireDue(now: Int64) {
        firing.withLock { _ in
            while true {
                let due = timers.popDue(now: now)
                if due.isEmpty { return }
                for t in due {
                    shard(for: t.payload.instanceID).post(
                        .timer(token: t.token, due: t.due, payload: t.payload))
                }
            }
        }
    }

    /// Fires due timers, then sleeps on the clock until the next one is due — or until a sooner
    /// one is scheduled, or the engine closes. With a ``ManualClock`` the sleep ends when the
    /// clock is advanced to the due instant.
    private func timerLoop() async {
        while !closed.load(ordering: .relaxed) {
            fireDue(now: clock.now())
            // Without timers: wake at the latest in an hour (a new timer wakes it sooner).
            let deadline = timers.nextDue() ?? (clock.now() &+ 3_600_000_000_000)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [clock] in await clock.sleep(until: deadline) }
                group.addTask { [self] in await waitForSoonerTimer(than: deadline) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func waitForSoonerTimer(than deadline: Int64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                timerWake.withLock { $0 = (c, deadline) }
                // A timer scheduled (or a close) between reading the next due time and waiting.
                if Task.isCancelled || closed.load(ordering: .relaxed)
                    || (timers.nextDue() ?? .max) < deadline
                {
                    wakeTimerTask()
                }
            }
        } onCancel: {
            wakeTimerTask()
        }
    }

    private func wakeTimerTask() {
        let waiting = timerWake.withLock { w -> CheckedContinuation<Void, Never>? in
            defer { w = nil }
            return w?.continuation
        }
        waiting?.resume()
    }

    // MARK: Quiescence and shutdown

    /// Waits until every mailbox is empty and no activity or compensation task is running —
    /// except tasks that are still running after the engine has been idle for `settle` (they
    /// are waiting on something outside the engine). A task the cooperative pool has not started
    /// yet is always waited for: on a busy pool that can take longer than `settle`, and taking
    /// it for outside work made `quiesce` return before instant activities had run. Pending
    /// timers do not count.
    func quiesce(settle: Duration = .milliseconds(20)) async {
        var spins = 0
        var idleSince: Int64?
        let wall = SystemClock()
        while true {
            if pending.load(ordering: .acquiring) > 0 || unstartedTasks.load(ordering: .acquiring) > 0 {
                idleSince = nil
            } else if activeTasks.load(ordering: .acquiring) == 0 {
                return
            } else {
                let now = wall.now()
                if let since = idleSince {
                    if now - since >= settle.nanoseconds { return }
                } else {
                    idleSince = now
                }
            }
            spins += 1
            if spins < 64 {
                await Task.yield()
            } else {
                try? await Task.sleep(for: .microseconds(50))
            }
        }
    }

    func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        for shard in shards { shard.close() }
        wakeTimerTask()
    }
}

/// The dead-letter list: oldest first, at most ``EngineOptions/deadLetterCapacity`` letters
/// (dropping the oldest when full), amortised O(1) per letter.
struct DeadLetterBuffer {
    private var storage: [DeadLetter] = []
    private var head = 0
    var next: UInt64 = 1

    var count: Int { storage.count - head }
    var list: [DeadLetter] { Array(storage[head...]) }

    /// Appends; returns the letter dropped to make room, if any.
    mutating func append(_ letter: DeadLetter, capacity: Int) -> DeadLetter? {
        guard capacity > 0 else { return letter }
        var dropped: DeadLetter?
        if count >= capacity {
            dropped = storage[head]
            head += 1
            if head >= 1024 && head * 2 >= storage.count {
                storage.removeFirst(head)
                head = 0
            }
        }
        storage.append(letter)
        return dropped
    }

    mutating func take(where predicate: (DeadLetter) -> Bool) -> [DeadLetter] {
        if head > 0 {
            storage.removeFirst(head)
            head = 0
        }
        let taken = storage.filter(predicate)
        storage.removeAll(where: predicate)
        return taken
    }
}
