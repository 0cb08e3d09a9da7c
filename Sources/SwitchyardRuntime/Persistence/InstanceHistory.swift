import Foundation
public import SwitchyardExpressions

/// The audit history of one instance id, built from its journal: what happened, when, and which
/// states it left and entered — for every run of the id. Export it with ``jsonString()``.
///
/// An id can be started again once its instance has finished or was stopped (or replaced with
/// ``ConflictPolicy/terminateExisting``); the journal numbering continues, so each ``Run``
/// begins at its own `start` record. ``runs`` holds them all, oldest first; the properties
/// ``definition``, ``status``, ``entries`` and the like describe the latest run, the one the
/// instance row (and ``Engine/snapshot(_:)``) is about.
public struct InstanceHistory: Sendable, Codable, Hashable {
    /// One journal record.
    public struct Entry: Sendable, Codable, Hashable {
        /// Journal record number (1 = the first run's start; numbering continues across runs).
        public var seq: Int64
        /// Engine clock nanoseconds when it was processed.
        public var time: Int64
        /// ISO 8601, when `time` is a wall-clock instant (``WallClock``); nil for other clocks.
        public var timestamp: String?
        /// `start`, `event`, `timer`, `activityResult`, ...
        public var kind: String
        /// The event the machine processed, if any.
        public var event: String?
        /// The idempotency id the event carried.
        public var eventID: String?
        /// The event's data (or the start data).
        public var data: Value?
        /// Active states after the record, in document order.
        public var configuration: [String]
        /// States that became active with this record (a run's first record enters its whole
        /// configuration).
        public var entered: [String]
        /// States that stopped being active with this record.
        public var exited: [String]
        /// For a `timer` record: when the timer was due (engine clock nanoseconds). `time` is
        /// when it fired — later when it fell due while the engine was down and fired at
        /// recovery. Nil for other records (and timer records written before it was kept).
        public var due: Int64? = nil
        /// `due` as ISO 8601, when it is a wall-clock instant.
        public var dueTimestamp: String? = nil

        /// How long after its due time a timer fired (zero when on time; nil for other records).
        public var lateBy: Duration? { due.map { .nanoseconds(max(0, time - $0)) } }
    }

    /// One run of the id: its `start` record and every record up to the next run's start.
    public struct Run: Sendable, Codable, Hashable {
        /// 1 for the oldest run still in the journal, then 2, 3, ...
        public var number: Int
        /// The `seq` of the run's `start` record.
        public var startSeq: Int64
        /// The definition name it was started from.
        public var definition: String
        /// The version it ran last (after any migration); nil when the store no longer has the
        /// definition.
        public var version: Int?
        /// Content hash of that version.
        public var definitionHash: String
        /// `running`, `finished` or `stopped`. Only the latest run can be `running`; an earlier
        /// one ended with a `stop` record (stopped) or in a final state (finished).
        public var status: String
        /// For a finished run: the top-level final state reached.
        public var finalState: String?
        /// The run's records in order, from its `start` record.
        public var entries: [Entry]
    }

    /// The instance id.
    public var instanceID: String
    /// Every run in the journal, oldest first; never empty. The last is the current one.
    public var runs: [Run]

    /// The latest run: the instance the id names now.
    public var latestRun: Run { runs[runs.count - 1] }
    /// Run `number` (1-based, as ``Run/number``), or nil when there is no such run.
    public func run(_ number: Int) -> Run? {
        runs.indices.contains(number - 1) ? runs[number - 1] : nil
    }

    /// The latest run's definition name.
    public var definition: String { latestRun.definition }
    /// The version the latest run runs (nil when the store's definition is no longer registered).
    public var version: Int? { latestRun.version }
    /// The latest run's definition hash.
    public var definitionHash: String { latestRun.definitionHash }
    /// The latest run's status: `running`, `finished` or `stopped`.
    public var status: String { latestRun.status }
    /// The latest run's final state, when it finished.
    public var finalState: String? { latestRun.finalState }
    /// The latest run's records (earlier runs' records are in ``runs``).
    public var entries: [Entry] { latestRun.entries }

    /// Splits `records` (the id's whole journal, in `seq` order) into runs at each `start`
    /// record. The latest run takes its definition and status from `row`; an earlier run takes
    /// its definition from its start record (and any `migrate` record after it) and its status
    /// from its last record. `version` maps a definition hash to its version number.
    init(row: StoredInstance, records: [JournalRecord], version: (String) -> Int?) {
        instanceID = row.id
        var starts = records.indices.filter { records[$0].kind == .start }
        // A journal without a start record (not written by this engine) is one run.
        if starts.first != records.startIndex { starts.insert(records.startIndex, at: 0) }
        var runs: [Run] = []
        for (n, first) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : records.endIndex
            let slice = records[first..<end]
            var name = row.definitionName
            var hash = row.definitionHash
            for r in slice {
                switch try? JournalCodec.decode(kind: r.kind, payload: r.payload, event: r.event) {
                case .start(let p)?:
                    name = p.definitionName
                    hash = p.definitionHash
                case .migrate(_, let to)?: hash = to
                default: break
                }
            }
            var status = "finished"
            var finalState: String?
            if end == records.endIndex {
                name = row.definitionName
                hash = row.definitionHash
                status = row.status
                finalState = row.finalState
            } else if slice.last?.kind == .stop {
                status = "stopped"
            } else if let last = slice.last?.configuration, !last.isEmpty {
                // It ended in a final state; its last record names it (see `Shard.journal`).
                finalState = last
            }
            runs.append(
                Run(
                    number: n + 1, startSeq: slice.first?.seq ?? 0, definition: name,
                    version: version(hash), definitionHash: hash, status: status, finalState: finalState,
                    entries: Self.entries(slice)))
        }
        self.runs = runs
    }

    /// The records of one run as entries; states entered and exited are relative to the
    /// previous record of the same run.
    static func entries(_ records: ArraySlice<JournalRecord>) -> [Entry] {
        var previous: [String] = []
        return records.map { r in
            let configuration = r.configuration.split(separator: " ").map(String.init)
            let before = Set(previous)
            let after = Set(configuration)
            var data: Value?
            var due: Int64?
            switch try? JournalCodec.decode(kind: r.kind, payload: r.payload, event: r.event) {
            case .event(let e)?, .compensationFinished(let e)?: data = e.data == .undefined ? nil : e.data
            case .start(let p)?: data = .object(JSObject(p.data.map { ($0.name, $0.value) }))
            case .timer(_, _, let d)?: due = d
            default: data = nil
            }
            var entry = Entry(
                seq: r.seq, time: r.time, timestamp: Self.timestamp(r.time), kind: r.kind.rawValue,
                event: r.event,
                eventID: r.eventID, data: data, configuration: configuration,
                entered: configuration.filter { !before.contains($0) },
                exited: previous.filter { !after.contains($0) })
            entry.due = due
            entry.dueTimestamp = due.flatMap(Self.timestamp)
            previous = configuration
            return entry
        }
    }

    /// Pretty-printed JSON with sorted keys: `instanceID` and `runs`, every run with its entries.
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// An instant as ISO 8601 when it is a wall-clock instant, else as nanoseconds.
    public static func timestampText(_ nanoseconds: Int64) -> String {
        timestamp(nanoseconds) ?? "\(nanoseconds) ns"
    }

    /// Instants after 2000-01-01 are taken to be wall-clock nanoseconds.
    static func timestamp(_ nanoseconds: Int64) -> String? {
        guard nanoseconds > 946_684_800_000_000_000 else { return nil }
        let date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
