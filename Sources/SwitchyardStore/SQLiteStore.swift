import Foundation
import GRDB
public import SwitchyardRuntime
import Synchronization

/// The embedded ``InstanceStore``: one SQLite file in WAL mode, through GRDB.
///
/// - **Group commit.** Concurrent ``commit(_:)`` calls (one per engine shard and batch) are
///   merged: the first caller becomes the writer and writes everything queued, in one
///   transaction, until the queue is empty; the others wait for it. Throughput therefore does
///   not fall to one sync per event.
/// - **Durability.** ``Options/Synchronous/normal`` (the default) survives a crash of the
///   process — the case the crash test checks; the last transactions may be lost on power
///   failure. ``Options/Synchronous/full`` syncs every commit and survives power loss too.
/// - **Damage is an error, never an empty start.** Opening checks that the file is a
///   Switchyard database of a known schema version and runs SQLite's `quick_check`; an existing
///   empty file (a truncated database) is refused too.
public final class SQLiteStore: InstanceStore {
    /// Settings.
    public struct Options: Sendable {
        /// SQLite's `synchronous` setting in WAL mode.
        public enum Synchronous: String, Sendable {
            /// Sync at checkpoints only (crash-safe, not power-loss-safe). Default.
            case normal = "NORMAL"
            /// Sync at every commit.
            case full = "FULL"
        }

        public var synchronous: Synchronous
        /// Run `PRAGMA quick_check` when opening (O(database size); on by default).
        public var checkIntegrityOnOpen: Bool
        /// How long a write waits for another process's lock before failing.
        public var busyTimeout: Duration

        public init(
            synchronous: Synchronous = .normal, checkIntegrityOnOpen: Bool = true,
            busyTimeout: Duration = .seconds(5)
        ) {
            self.synchronous = synchronous
            self.checkIntegrityOnOpen = checkIntegrityOnOpen
            self.busyTimeout = busyTimeout
        }
    }

    /// The schema version this code writes.
    public static let schemaVersion = 1

    /// The database file.
    public let path: String
    private let pool: DatabasePool
    private struct Queue {
        var pending: [(StoreBatch, CheckedContinuation<Result<Void, StoreError>, Never>)] = []
        var writing = false
    }
    private let queue = Mutex(Queue())

    /// Opens the database at `path`, creating it (and its schema) when the file does not exist.
    ///
    /// - Throws: ``StoreError`` — `corrupt` when the file is not a Switchyard database, is
    ///   damaged, or exists but is empty; `incompatibleSchema` when a newer version wrote it;
    ///   `io` when it cannot be opened.
    public init(path: String, options: Options = .init()) throws(StoreError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw StoreError(.io, "\(path) is a directory, not a database file") }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size == 0 {
                throw StoreError(
                    .corrupt,
                    "\(path) exists but is empty — a truncated database? Refusing to start from nothing; remove the file to create a new store"
                )
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(Double(options.busyTimeout.nanoseconds) / 1e9)
        let synchronous = options.synchronous.rawValue
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw Self.translate(error, path: path, doing: "open")
        }
        try migrateSchema(checkIntegrity: options.checkIntegrityOnOpen)
    }

    /// Creates the schema of a new file, or checks an existing one.
    private func migrateSchema(checkIntegrity: Bool) throws(StoreError) {
        let path = self.path
        do {
            try pool.write { db in
                let tables = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if tables.isEmpty {
                    try db.execute(
                        sql: """
                            CREATE TABLE switchyard_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                            INSERT INTO switchyard_meta VALUES ('schema_version', '\(Self.schemaVersion)');
                            CREATE TABLE definitions (
                                hash TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,
                                document TEXT NOT NULL, registered_at INTEGER NOT NULL);
                            CREATE INDEX definitions_name ON definitions (name, version);
                            CREATE TABLE instances (
                                id TEXT PRIMARY KEY, definition_name TEXT NOT NULL, definition_hash TEXT NOT NULL,
                                status TEXT NOT NULL, final_state TEXT, snapshot TEXT,
                                snapshot_seq INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT 0,
                                started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER);
                            CREATE INDEX instances_status ON instances (status, finished_at);
                            CREATE TABLE journal (
                                instance_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
                                event_id TEXT, event TEXT, time INTEGER NOT NULL, payload TEXT NOT NULL,
                                configuration TEXT NOT NULL,
                                PRIMARY KEY (instance_id, seq)) WITHOUT ROWID;
                            """)
                    return
                }
                guard tables.contains("switchyard_meta") else {
                    throw StoreError(
                        .corrupt,
                        "\(path) is an SQLite database but not a Switchyard store (tables: \(tables.sorted().joined(separator: ", ")))"
                    )
                }
                let version = try String.fetchOne(
                    db, sql: "SELECT value FROM switchyard_meta WHERE key = 'schema_version'")
                guard let version, let number = Int(version) else {
                    throw StoreError(.corrupt, "\(path) has no schema version")
                }
                if number > Self.schemaVersion {
                    throw StoreError(
                        .incompatibleSchema,
                        "\(path) has schema version \(number); this build reads version \(Self.schemaVersion) — upgrade Switchyard"
                    )
                }
                for required in ["definitions", "instances", "journal"] where !tables.contains(required) {
                    throw StoreError(.corrupt, "\(path) lacks its '\(required)' table")
                }
            }
            if checkIntegrity {
                let result = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
                if result != ["ok"] {
                    throw StoreError(
                        .corrupt, "\(path) is damaged: \(result.prefix(3).joined(separator: "; "))")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.translate(error, path: path, doing: "open")
        }
    }

    /// Maps a GRDB/SQLite error to a ``StoreError`` naming the file.
    static func translate(_ error: any Error, path: String, doing what: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if let db = error as? DatabaseError {
            let message = db.message ?? "\(db.resultCode)"
            if db.extendedResultCode == .SQLITE_IOERR_SHORT_READ {
                return StoreError(.corrupt, "\(path) is truncated (\(message))")
            }
            switch db.resultCode {
            case .SQLITE_NOTADB:
                return StoreError(.corrupt, "\(path) is not a database (\(message))")
            case .SQLITE_CORRUPT:
                return StoreError(.corrupt, "\(path) is damaged (\(message))")
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL,
                .SQLITE_NOMEM, .SQLITE_AUTH:
                return StoreError(.io, "cannot \(what) \(path): \(message)")
            default:
                // Anything else while opening an existing file (short reads of a truncated file,
                // format errors) means the file is not what it should be.
                if what == "open" {
                    return StoreError(.corrupt, "\(path) is damaged or truncated (\(message))")
                }
                return StoreError(.io, "cannot \(what) \(path): \(message)")
            }
        }
        return StoreError(.io, "cannot \(what) \(path): \(error)")
    }

    // MARK: Writing

    /// Writes the batch, merged with every batch queued meanwhile, in one transaction.
    public func commit(_ batch: StoreBatch) async throws(StoreError) {
        guard !batch.isEmpty else { return }
        let result = await withCheckedContinuation {
            (c: CheckedContinuation<Result<Void, StoreError>, Never>) in
            let lead = queue.withLock { q -> Bool in
                q.pending.append((batch, c))
                if q.writing { return false }
                q.writing = true
                return true
            }
            if lead { drain() }
        }
        try result.get()
    }

    /// Writes queued batches until the queue is empty (runs on the committing thread; SQLite
    /// serialises writers anyway, and the batch's callers are waiting for exactly this).
    private func drain() {
        while true {
            let work = queue.withLock { q in
                let w = q.pending
                q.pending = []
                if w.isEmpty { q.writing = false }
                return w
            }
            if work.isEmpty { return }
            let result: Result<Void, StoreError>
            do {
                try pool.write { db in
                    for (batch, _) in work { try Self.write(batch, db) }
                }
                result = .success(())
            } catch {
                result = .failure(Self.translate(error, path: path, doing: "write"))
            }
            for (_, c) in work { c.resume(returning: result) }
        }
    }

    private static func write(_ batch: StoreBatch, _ db: Database) throws {
        if !batch.definitions.isEmpty {
            let s = try db.cachedStatement(
                sql:
                    "INSERT OR IGNORE INTO definitions (hash, name, version, document, registered_at) VALUES (?, ?, ?, ?, ?)"
            )
            for d in batch.definitions {
                try s.execute(arguments: [d.hash, d.name, d.version, d.document, d.registeredAt])
            }
        }
        if !batch.instances.isEmpty {
            let keep = try db.cachedStatement(
                sql: """
                    INSERT INTO instances (id, definition_name, definition_hash, status, final_state, last_seq,
                        started_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET definition_name = excluded.definition_name,
                        definition_hash = excluded.definition_hash, status = excluded.status,
                        final_state = excluded.final_state, last_seq = excluded.last_seq,
                        started_at = excluded.started_at, updated_at = excluded.updated_at,
                        finished_at = excluded.finished_at
                    """)
            let replace = try db.cachedStatement(
                sql: """
                    INSERT INTO instances (id, definition_name, definition_hash, status, final_state, last_seq,
                        started_at, updated_at, finished_at, snapshot, snapshot_seq)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET definition_name = excluded.definition_name,
                        definition_hash = excluded.definition_hash, status = excluded.status,
                        final_state = excluded.final_state, last_seq = excluded.last_seq,
                        started_at = excluded.started_at, updated_at = excluded.updated_at,
                        finished_at = excluded.finished_at, snapshot = excluded.snapshot,
                        snapshot_seq = excluded.snapshot_seq
                    """)
            for w in batch.instances {
                let r = w.row
                var arguments: StatementArguments = [
                    r.id, r.definitionName, r.definitionHash, r.status, r.finalState, r.lastSeq, r.startedAt,
                    r.updatedAt, r.finishedAt,
                ]
                switch w.snapshotWrite {
                case .keep:
                    try keep.execute(arguments: arguments)
                case .replace(let text, let seq):
                    arguments += [text, seq]
                    try replace.execute(arguments: arguments)
                case .clear(let base):
                    arguments += [nil as String?, base]
                    try replace.execute(arguments: arguments)
                }
            }
        }
        if !batch.journal.isEmpty {
            let s = try db.cachedStatement(
                sql: """
                    INSERT INTO journal (instance_id, seq, kind, event_id, event, time, payload, configuration)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for j in batch.journal {
                try s.execute(arguments: [
                    j.instanceID, j.seq, j.kind.rawValue, j.eventID, j.event, j.time, j.payload,
                    j.configuration,
                ])
            }
        }
    }

    // MARK: Reading

    public func loadForRecovery() async throws(StoreError) -> RecoveryData {
        do {
            return try await pool.read { db in
                let definitions = try Self.fetchDefinitions(db)
                var instances: [RecoveringInstance] = []
                var index: [String: Int] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT * FROM instances WHERE status = 'running' ORDER BY id")
                {
                    let instance = try Self.instance(row)
                    index[instance.id] = instances.count
                    instances.append(RecoveringInstance(row: instance, tail: [], eventIDs: []))
                }
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT j.instance_id, j.seq, j.kind, j.event_id, j.event, j.time, j.payload, j.configuration,
                            j.seq > i.snapshot_seq AS in_tail
                        FROM journal j JOIN instances i ON i.id = j.instance_id
                        WHERE i.status = 'running' AND (j.seq > i.snapshot_seq OR j.event_id IS NOT NULL)
                        ORDER BY j.instance_id, j.seq
                        """)
                while let row = try cursor.next() {
                    let id: String = row[0]
                    guard let i = index[id] else { continue }
                    let eventID: String? = row[3]
                    if let eventID { instances[i].eventIDs.append(eventID) }
                    let inTail: Bool = row[8]
                    if inTail { instances[i].tail.append(try Self.record(row)) }
                }
                var finished: [(id: String, lastSeq: Int64)] = []
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, last_seq FROM instances WHERE status != 'running'")
                {
                    finished.append((row[0], row[1]))
                }
                return RecoveryData(definitions: definitions, instances: instances, finished: finished)
            }
        } catch {
            throw Self.translate(error, path: path, doing: "read")
        }
    }

    public func journal(of instanceID: String) async throws(StoreError) -> [JournalRecord]? {
        do {
            return try await pool.read { db in
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM instances WHERE id = ?", arguments: [instanceID]) != nil
                else { return nil }
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT instance_id, seq, kind, event_id, event, time, payload, configuration
                        FROM journal WHERE instance_id = ? ORDER BY seq
                        """, arguments: [instanceID]
                ).map(Self.record)
            }
        } catch {
            throw Self.translate(error, path: path, doing: "read")
        }
    }

    public func instances() async throws(StoreError) -> [StoredInstance] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: Self.instanceQuery + " ORDER BY id").map(Self.instance)
            }
        } catch {
            throw Self.translate(error, path: path, doing: "read")
        }
    }

    public func instance(_ id: String) async throws(StoreError) -> StoredInstance? {
        do {
            return try await pool.read { db in
                try Row.fetchOne(db, sql: Self.instanceQuery + " WHERE id = ?", arguments: [id]).map(
                    Self.instance)
            }
        } catch {
            throw Self.translate(error, path: path, doing: "read")
        }
    }

    public func definitions() async throws(StoreError) -> [StoredDefinition] {
        do {
            return try await pool.read { db in try Self.fetchDefinitions(db) }
        } catch {
            throw Self.translate(error, path: path, doing: "read")
        }
    }

    public func pruneFinished(before instant: Int64) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                let ids = try String.fetchAll(
                    db, sql: "SELECT id FROM instances WHERE status != 'running' AND finished_at < ?",
                    arguments: [instant])
                for id in ids {
                    try db.execute(sql: "DELETE FROM journal WHERE instance_id = ?", arguments: [id])
                    try db.execute(sql: "DELETE FROM instances WHERE id = ?", arguments: [id])
                }
                return ids.count
            }
        } catch {
            throw Self.translate(error, path: path, doing: "prune")
        }
    }

    // MARK: Rows

    /// Instance rows with `last_seq` read from the journal (rows are written only at start,
    /// status changes and snapshots).
    private static let instanceQuery = """
        SELECT id, definition_name, definition_hash, status, final_state, snapshot, snapshot_seq,
            MAX(last_seq, COALESCE((SELECT MAX(seq) FROM journal WHERE instance_id = instances.id), 0)) AS last_seq,
            started_at, updated_at, finished_at
        FROM instances
        """

    private static func fetchDefinitions(_ db: Database) throws -> [StoredDefinition] {
        try Row.fetchAll(
            db,
            sql: "SELECT hash, name, version, document, registered_at FROM definitions ORDER BY name, version"
        ).map { row in
            StoredDefinition(
                hash: row["hash"], name: row["name"], version: row["version"], document: row["document"],
                registeredAt: row["registered_at"])
        }
    }

    private static func instance(_ row: Row) throws -> StoredInstance {
        StoredInstance(
            id: row["id"], definitionName: row["definition_name"], definitionHash: row["definition_hash"],
            status: row["status"], finalState: row["final_state"], snapshot: row["snapshot"],
            snapshotSeq: row["snapshot_seq"], lastSeq: row["last_seq"], startedAt: row["started_at"],
            updatedAt: row["updated_at"], finishedAt: row["finished_at"])
    }

    private static func record(_ row: Row) throws -> JournalRecord {
        let kindText: String = row[2]
        guard let kind = JournalKind(rawValue: kindText) else {
            throw StoreError(.invalidRecord, "journal record has unknown kind '\(kindText)'")
        }
        return JournalRecord(
            instanceID: row[0], seq: row[1], kind: kind, eventID: row[3], event: row[4], time: row[5],
            payload: row[6], configuration: row[7])
    }
}
