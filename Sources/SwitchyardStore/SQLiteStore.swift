import Foundation
import GRDB
@_spi(StoreImplementation) public import SwitchyardRuntime
import Synchronization

/// The embedded `InstanceStore`: one SQLite file in WAL mode, through GRDB.
///
/// - **Group commit.** Concurrent `commit(_:)` calls (one per engine shard and batch) are
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

        /// How much of the file is checked when it is opened.
        public enum IntegrityCheck: Sendable {
            /// Compare the file's length with the page count in its header: catches truncation
            /// in O(1). Damage inside pages is still reported (as `corrupt`) when recovery reads
            /// them — recovery reads every journal and instance row. The default.
            case header
            /// Also run SQLite's `PRAGMA quick_check` (reads the whole file).
            case full
            /// No check beyond the schema version.
            case none
        }

        public var synchronous: Synchronous
        /// The check made when opening.
        public var integrityCheck: IntegrityCheck
        /// How long a write waits for another process's lock before failing.
        public var busyTimeout: Duration

        public init(
            synchronous: Synchronous = .normal, integrityCheck: IntegrityCheck = .header,
            busyTimeout: Duration = .seconds(5)
        ) {
            self.synchronous = synchronous
            self.integrityCheck = integrityCheck
            self.busyTimeout = busyTimeout
        }
    }

    /// The schema version this code writes.
    public static let schemaVersion = 2

    /// The database file.
    public let path: String
    private let pool: DatabasePool
    private struct Queue {
        var pending: [(StoreBatch, CheckedContinuation<Result<Void, StoreError>, Never>)] = []
        var writing = false
    }
    private let queue = Mutex(Queue())
    /// Files with an open store in this process, and how many stores each.
    private static let openFiles = Mutex<[String: Int]>([:])
    private let registryKey: String

    private static func release(_ key: String) {
        openFiles.withLock { files in
            files[key, default: 1] -= 1
            if files[key] == 0 { files[key] = nil }
        }
    }

    deinit { Self.release(registryKey) }

    /// Opens the database at `path`, creating it (and its schema) when the file does not exist.
    ///
    /// - Throws: `StoreError` — `corrupt` when the file is not a Switchyard database, is
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
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        // Reading the header opens and closes a descriptor on the file. Closing any descriptor
        // releases *all* of this process's POSIX locks on the file — including those of another
        // open store on it — which can corrupt the database. So only the first store of a file
        // in this process checks it; later ones rely on that check.
        let first = Self.openFiles.withLock { files in
            defer { files[key, default: 0] += 1 }
            return files[key, default: 0] == 0
        }
        registryKey = key
        do {
            if options.integrityCheck != .none && first { try Self.checkLength(path) }
        } catch {
            Self.release(key)
            throw error
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
            Self.release(key)
            throw Self.translate(error, path: path, doing: "open")
        }
        try migrateSchema(checkIntegrity: options.integrityCheck == .full)
    }

    /// Refuses a main file shorter than the page count its header records (a truncated copy)
    /// when no write-ahead log beside it can supply the missing pages.
    /// The header's count is valid when its "version-valid-for" number equals the change counter
    /// (SQLite file format, section 1.3.7); older files without it are not checked here.
    private static func checkLength(_ path: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // new file
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 100), header.count == 100 else {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > 0 {
                throw StoreError(
                    .corrupt, "\(path) is truncated (\(size) bytes, shorter than a database header)")
            }
            return
        }
        let bytes = [UInt8](header)
        guard bytes.starts(with: Array("SQLite format 3\u{0}".utf8)) else { return }  // SQLite reports it
        func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        if pageSize == 1 { pageSize = 65_536 }
        let changeCounter = u32(24)
        let pageCount = u32(28)
        let validFor = u32(92)
        guard pageCount > 0, validFor == changeCounter else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // A process stopped in the middle of a checkpoint leaves the header (page 1) ahead of
        // the file's length; its write-ahead log still holds the pages and SQLite completes
        // the file on open. Only a file without a log is judged by its length.
        let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        if size < pageCount * pageSize && log == 0 {
            throw StoreError(
                .corrupt,
                "\(path) is truncated: \(size) bytes, its header records \(pageCount) pages of \(pageSize) bytes"
            )
        }
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
                            INSERT INTO switchyard_meta VALUES ('schema_version', '1');
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
                                configuration TEXT NOT NULL);
                            -- Rows are appended in commit order (cheap, sequential pages); the index
                            -- finds an instance's records and enforces one record per number.
                            CREATE UNIQUE INDEX journal_instance_seq ON journal (instance_id, seq);
                            CREATE TABLE outbox (
                                id TEXT PRIMARY KEY, target TEXT NOT NULL, event TEXT NOT NULL,
                                payload TEXT NOT NULL);
                            """)
                    try Self.migrations[0](db)
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
                // Older files are migrated in place, one version at a time, in this transaction.
                if number >= 1 {
                    for step in number..<Self.schemaVersion { try Self.migrations[step - 1](db) }
                }
                let present = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                for required in ["definitions", "instances", "journal", "outbox", "dead_letters"]
                where !present.contains(required) {
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

    /// `migrations[n - 1]` takes a file from schema version `n` to `n + 1` (a new file is created
    /// at version 1 and migrated like an old one, so both end with the same schema).
    private static let migrations: [@Sendable (Database) throws -> Void] = [
        // 1 → 2: dead letters survive a restart.
        { db in
            try db.execute(
                sql: """
                    CREATE TABLE dead_letters (
                        id INTEGER PRIMARY KEY, event TEXT NOT NULL, payload TEXT NOT NULL, instance_id TEXT,
                        reason TEXT NOT NULL, detail TEXT NOT NULL, at INTEGER NOT NULL);
                    UPDATE switchyard_meta SET value = '2' WHERE key = 'schema_version';
                    """)
        }
    ]

    /// Maps a GRDB/SQLite error to a `StoreError` naming the file.
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
    @_spi(StoreImplementation) public func commit(_ batch: StoreBatch) async throws(StoreError) {
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
        if !batch.outbox.isEmpty {
            let s = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO outbox (id, target, event, payload) VALUES (?, ?, ?, ?)")
            for o in batch.outbox { try s.execute(arguments: [o.id, o.target, o.event, o.payload]) }
        }
        if !batch.delivered.isEmpty {
            let s = try db.cachedStatement(sql: "DELETE FROM outbox WHERE id = ?")
            for id in batch.delivered { try s.execute(arguments: [id]) }
        }
        if !batch.deadLetters.isEmpty {
            let s = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO dead_letters (id, event, payload, instance_id, reason, detail, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for l in batch.deadLetters {
                try s.execute(arguments: [
                    Int64(bitPattern: l.id), l.event, l.payload, l.instanceID, l.reason, l.detail, l.at,
                ])
            }
        }
        if !batch.removedDeadLetters.isEmpty {
            let s = try db.cachedStatement(sql: "DELETE FROM dead_letters WHERE id = ?")
            for id in batch.removedDeadLetters { try s.execute(arguments: [Int64(bitPattern: id)]) }
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

    @_spi(StoreImplementation) public func loadForRecovery() async throws(StoreError) -> RecoveryData {
        do {
            return try await pool.read { db in
                let definitions = try Self.fetchDefinitions(db)
                var instances: [RecoveringInstance] = []
                // Instance id -> (index in `instances`, snapshot_seq).
                var index: [String: (Int, Int64)] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT * FROM instances WHERE status = 'running' ORDER BY id")
                {
                    let instance = try Self.instance(row)
                    index[instance.id] = (instances.count, instance.snapshotSeq)
                    instances.append(RecoveringInstance(row: instance, tail: [], eventIDs: []))
                }
                // One sequential scan in commit order (an instance's records are in `seq` order
                // within it); only the columns replay needs.
                let statement = try db.makeStatement(
                    sql:
                        "SELECT instance_id, seq, kind, event_id, time, payload, event FROM journal ORDER BY rowid"
                )
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    let id: String = row[0]
                    guard let (i, snapshotSeq) = index[id] else { continue }
                    let seq: Int64 = row[1]
                    let eventID: String? = row[3]
                    let kindText: String = row[2]
                    // A start record begins a new run of the id: the ids of earlier runs are not
                    // this run's (the live engine forgets them when a run ends).
                    if kindText == JournalKind.start.rawValue { instances[i].eventIDs.removeAll() }
                    if let eventID { instances[i].eventIDs.append(eventID) }
                    guard seq > snapshotSeq else { continue }
                    guard let kind = JournalKind(rawValue: kindText) else {
                        throw StoreError(
                            .invalidRecord, "journal record \(id)#\(seq) has unknown kind '\(kindText)'")
                    }
                    instances[i].tail.append(
                        JournalRecord(
                            instanceID: id, seq: seq, kind: kind, eventID: eventID, event: row[6],
                            time: row[4],
                            payload: row[5], configuration: ""))
                }
                var finished: [(id: String, lastSeq: Int64)] = []
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, last_seq FROM instances WHERE status != 'running'")
                {
                    finished.append((row[0], row[1]))
                }
                let outbox = try Row.fetchAll(
                    db, sql: "SELECT id, target, event, payload FROM outbox ORDER BY rowid"
                )
                .map { OutboxEntry(id: $0[0], target: $0[1], event: $0[2], payload: $0[3]) }
                let letters = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT id, event, payload, instance_id, reason, detail, at FROM dead_letters ORDER BY id"
                )
                .map { row -> StoredDeadLetter in
                    let id: Int64 = row[0]
                    return StoredDeadLetter(
                        id: UInt64(bitPattern: id), event: row[1], payload: row[2], instanceID: row[3],
                        reason: row[4], detail: row[5], at: row[6])
                }
                return RecoveryData(
                    definitions: definitions, instances: instances, finished: finished, outbox: outbox,
                    deadLetters: letters)
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
