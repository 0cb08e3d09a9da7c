/// Where a durable ``Engine`` keeps its instances: a write-ahead journal of every input each
/// instance processed, periodic snapshots, and the machine definitions instances run on.
///
/// The engine talks to its store only through this protocol, so a store on another database
/// (PostgreSQL, for several engine processes) can be added without touching the engine.
/// `SwitchyardStore.SQLiteStore` is the embedded default.
///
/// **Contract.**
/// - `commit(_:)` writes a whole `StoreBatch` atomically and returns only once it is
///   durable (as durable as the store's settings make it). The engine calls it from many
///   shards at once; an implementation should merge concurrent calls into one transaction
///   (group commit) rather than serialise them.
/// - Journal records of one instance are appended with increasing `seq`, never rewritten.
/// - `loadForRecovery()` returns every instance whose status is `running`, with its newest
///   snapshot and the journal records after it.
///
/// The engine-facing half (`loadForRecovery()`, `commit(_:)` and their types) is the store
/// SPI: `@_spi(StoreImplementation) import SwitchyardRuntime` to implement a store. The read
/// half (rows, journals, definitions) is public for tools.
public protocol InstanceStore: Sendable {
    /// Stored definitions and every unfinished instance, for ``Engine/recover()``.
    @_spi(StoreImplementation) func loadForRecovery() async throws(StoreError) -> RecoveryData
    /// Writes the batch in one transaction; returns when it is durable.
    @_spi(StoreImplementation) func commit(_ batch: StoreBatch) async throws(StoreError)
    /// Every journal record of an instance in `seq` order; nil when the store has no such
    /// instance.
    func journal(of instanceID: String) async throws(StoreError) -> [JournalRecord]?
    /// All instance rows, ordered by id.
    func instances() async throws(StoreError) -> [StoredInstance]
    /// One instance row.
    func instance(_ id: String) async throws(StoreError) -> StoredInstance?
    /// All stored definitions, ordered by name and version.
    func definitions() async throws(StoreError) -> [StoredDefinition]
    /// Deletes instances that finished or were stopped before `instant` (engine clock
    /// nanoseconds) together with their journals; returns how many were deleted.
    func pruneFinished(before instant: Int64) async throws(StoreError) -> Int
}

/// A store failure: the database could not be opened, read or written.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable, Hashable {
        /// The file is not a database of ours, or it is damaged or truncated.
        case corrupt
        /// The database was written by a newer, incompatible version.
        case incompatibleSchema
        /// Reading or writing failed (disk full, permissions, locked, ...).
        case io
        /// A stored record could not be decoded.
        case invalidRecord
    }

    /// The category.
    public var kind: Kind
    /// A sentence naming the file (or instance) and the cause.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// What one journal record holds.
public enum JournalKind: String, Sendable, Hashable, Codable {
    /// The instance was started (payload: definition hash and name, data, correlation key).
    case start
    /// An event was delivered (payload: the event).
    case event
    /// A delayed send fired (payload: its send id and sequence number).
    case timer
    /// An activity attempt finished (payload: invoke id, generation, value or error).
    case activityResult
    /// An activity attempt timed out.
    case activityTimeout
    /// An activity's retry delay elapsed.
    case activityRetry
    /// A compensation run finished (payload: the `compensation.done`/`.failed` event).
    case compensationFinished
    /// The instance was stopped.
    case stop
    /// The instance was migrated to another definition version (a snapshot is written with it).
    case migrate
}

/// One input an instance processed, in the order it processed them.
public struct JournalRecord: Sendable, Hashable {
    /// The instance.
    public var instanceID: String
    /// 1, 2, 3, ... per instance.
    public var seq: Int64
    /// What kind of input.
    public var kind: JournalKind
    /// The idempotency id the event carried (see ``Engine/deliverAndWait(_:to:eventID:)``), if any.
    public var eventID: String?
    /// The name of the event the machine processed for this input (nil for `start`, `stop`,
    /// `migrate`, and inputs that delivered no event, such as a scheduled retry).
    public var event: String?
    /// The engine clock's instant at which the input was processed (nanoseconds); replay uses it
    /// as "now" so timers get the same due times.
    public var time: Int64
    /// The input, as compact JSON.
    public var payload: String
    /// The configuration after the macrostep (active state ids, space-separated).
    public var configuration: String

    public init(
        instanceID: String, seq: Int64, kind: JournalKind, eventID: String?, event: String?, time: Int64,
        payload: String, configuration: String
    ) {
        self.instanceID = instanceID
        self.seq = seq
        self.kind = kind
        self.eventID = eventID
        self.event = event
        self.time = time
        self.payload = payload
        self.configuration = configuration
    }
}

/// An instance's row: what it runs, its status, and its newest snapshot.
public struct StoredInstance: Sendable, Hashable {
    /// The instance id.
    public var id: String
    /// The registered definition name.
    public var definitionName: String
    /// Content hash of the definition version it runs (see ``StoredDefinition``).
    public var definitionHash: String
    /// `running`, `finished` or `stopped`.
    public var status: String
    /// For finished instances: the top-level final state reached.
    public var finalState: String?
    /// The newest snapshot (JSON), taken after journal record `snapshotSeq`; nil before the first.
    public var snapshot: String?
    /// The journal record the snapshot includes (0 = none).
    public var snapshotSeq: Int64
    /// The last journal record written.
    public var lastSeq: Int64
    /// Engine clock instants (nanoseconds).
    public var startedAt: Int64
    public var updatedAt: Int64
    public var finishedAt: Int64?

    public init(
        id: String, definitionName: String, definitionHash: String, status: String, finalState: String?,
        snapshot: String?, snapshotSeq: Int64, lastSeq: Int64, startedAt: Int64, updatedAt: Int64,
        finishedAt: Int64?
    ) {
        self.id = id
        self.definitionName = definitionName
        self.definitionHash = definitionHash
        self.status = status
        self.finalState = finalState
        self.snapshot = snapshot
        self.snapshotSeq = snapshotSeq
        self.lastSeq = lastSeq
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }
}

/// One version of a machine definition, stored by the hash of its content so a running
/// instance can always be recovered on exactly the version it started with.
public struct StoredDefinition: Sendable, Hashable {
    /// Hex SHA-256 of `document`.
    public var hash: String
    /// The name it was registered under.
    public var name: String
    /// 1 for the first content registered under the name, then 2, 3, ...
    public var version: Int
    /// The `SCXMLDocument` as JSON.
    public var document: String
    /// When it was first registered (engine clock nanoseconds).
    public var registeredAt: Int64

    public init(hash: String, name: String, version: Int, document: String, registeredAt: Int64) {
        self.hash = hash
        self.name = name
        self.version = version
        self.document = document
        self.registeredAt = registeredAt
    }
}

/// Writes the engine makes in one transaction.
@_spi(StoreImplementation) public struct StoreBatch: Sendable {
    /// Definitions to insert (ignored when the hash is already stored).
    public var definitions: [StoredDefinition] = []
    /// Journal records to append.
    public var journal: [JournalRecord] = []
    /// Instance rows to insert or update.
    public var instances: [InstanceWrite] = []
    /// Events the batch's steps send to other instances (the outbox), written with the steps
    /// that sent them and delivered only after the commit.
    public var outbox: [OutboxEntry] = []
    /// Outbox entries whose receiver has now handled the event (journaled, dropped as a
    /// duplicate, or refused): delete them.
    public var delivered: [String] = []
    /// Dead letters parked since the last batch (kept until replayed or discarded).
    public var deadLetters: [StoredDeadLetter] = []
    /// Dead letters replayed, discarded or dropped from the full list: delete them.
    public var removedDeadLetters: [UInt64] = []

    public init(
        definitions: [StoredDefinition] = [], journal: [JournalRecord] = [], instances: [InstanceWrite] = [],
        delivered: [String] = []
    ) {
        self.definitions = definitions
        self.journal = journal
        self.instances = instances
        self.delivered = delivered
    }

    /// Whether there is nothing to write.
    public var isEmpty: Bool {
        definitions.isEmpty && journal.isEmpty && instances.isEmpty && outbox.isEmpty && delivered.isEmpty
            && deadLetters.isEmpty && removedDeadLetters.isEmpty
    }
}

/// An instance row to insert or update, and what to do with its snapshot columns.
@_spi(StoreImplementation) public struct InstanceWrite: Sendable {
    /// What happens to the stored snapshot.
    public enum Snapshot: Sendable, Hashable {
        /// Keep the stored snapshot and `snapshotSeq` (the row's other columns are written).
        case keep
        /// Store this snapshot, taken after journal record `seq`.
        case replace(String, seq: Int64)
        /// Drop the snapshot: recovery starts from the `start` record after `baseSeq` (a new
        /// instance reusing the id of a finished one continues its journal numbering).
        case clear(baseSeq: Int64)
    }

    /// The row; its `snapshot` and `snapshotSeq` are ignored in favour of ``snapshotWrite``.
    public var row: StoredInstance
    public var snapshotWrite: Snapshot

    public init(row: StoredInstance, snapshot: Snapshot) {
        self.row = row
        self.snapshotWrite = snapshot
    }
}

/// An event one instance sent another, kept until the receiver has handled it: after a crash
/// between the commit and the delivery, recovery delivers it again (the receiver drops an id it
/// has already journaled, so it is applied exactly once).
@_spi(StoreImplementation) public struct OutboxEntry: Sendable, Hashable {
    /// The event's stable id (`<sender>#<record>.<n>`), also its idempotency id at the receiver.
    public var id: String
    /// The receiving instance.
    public var target: String
    /// The event name.
    public var event: String
    /// The rest of the event, as in a journal `event` record's payload.
    public var payload: String

    public init(id: String, target: String, event: String, payload: String) {
        self.id = id
        self.target = target
        self.event = event
        self.payload = payload
    }
}

/// What ``InstanceStore/loadForRecovery()`` returns.
/// A dead letter as stored: the event as a journal payload, the reason as a kind with its
/// details, so a restarted engine lists and replays what the previous process parked.
@_spi(StoreImplementation) public struct StoredDeadLetter: Sendable, Hashable {
    /// The engine's letter number (numbering continues across restarts).
    public var id: UInt64
    /// The event name.
    public var event: String
    /// The event, encoded like a journal `event` record.
    public var payload: String
    /// The instance it was addressed to, if any.
    public var instanceID: String?
    /// The reason's kind (`noRoute`, `noSuchInstance`, ...).
    public var reason: String
    /// The reason's details (an instance id, a handler number and message, a target), as JSON.
    public var detail: String
    /// When it was parked, in engine clock nanoseconds.
    public var at: Int64

    public init(
        id: UInt64, event: String, payload: String, instanceID: String?, reason: String, detail: String,
        at: Int64
    ) {
        self.id = id
        self.event = event
        self.payload = payload
        self.instanceID = instanceID
        self.reason = reason
        self.detail = detail
        self.at = at
    }
}

@_spi(StoreImplementation) public struct RecoveryData: Sendable {
    /// Every stored definition.
    public var definitions: [StoredDefinition]
    /// Every unfinished instance.
    public var instances: [RecoveringInstance]
    /// Finished and stopped instances still stored: id and last journal record (a new
    /// instance reusing the id continues the numbering; reuse policies see them).
    public var finished: [(id: String, lastSeq: Int64)]

    /// Undelivered outbox entries, oldest first.
    public var outbox: [OutboxEntry]
    /// Dead letters not yet replayed or discarded, oldest first.
    public var deadLetters: [StoredDeadLetter]

    public init(
        definitions: [StoredDefinition], instances: [RecoveringInstance],
        finished: [(id: String, lastSeq: Int64)] = [], outbox: [OutboxEntry] = [],
        deadLetters: [StoredDeadLetter] = []
    ) {
        self.definitions = definitions
        self.instances = instances
        self.finished = finished
        self.outbox = outbox
        self.deadLetters = deadLetters
    }
}

/// An unfinished instance as stored: its row, the journal after its snapshot, and the event ids
/// of its whole journal (for idempotent delivery).
@_spi(StoreImplementation) public struct RecoveringInstance: Sendable {
    public var row: StoredInstance
    /// Journal records with `seq > row.snapshotSeq`, in order.
    public var tail: [JournalRecord]
    /// Every `eventID` in the journal of the instance's current run (since its last `start`
    /// record).
    public var eventIDs: [String]

    public init(row: StoredInstance, tail: [JournalRecord], eventIDs: [String]) {
        self.row = row
        self.tail = tail
        self.eventIDs = eventIDs
    }
}
