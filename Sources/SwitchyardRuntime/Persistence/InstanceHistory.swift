import Foundation
public import SwitchyardExpressions

/// The audit history of one instance, built from its journal: what happened, when, and which
/// states it left and entered. Export it with ``jsonString()``.
public struct InstanceHistory: Sendable, Codable, Hashable {
    /// One journal record.
    public struct Entry: Sendable, Codable, Hashable {
        /// Journal record number (1 = start).
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
        /// States that became active with this record.
        public var entered: [String]
        /// States that stopped being active with this record.
        public var exited: [String]
    }

    public var instanceID: String
    public var definition: String
    /// The version it ran (nil when the store's definition is no longer registered).
    public var version: Int?
    public var definitionHash: String
    /// `running`, `finished` or `stopped`.
    public var status: String
    public var finalState: String?
    public var entries: [Entry]

    init(row: StoredInstance, records: [JournalRecord], version: Int?) {
        instanceID = row.id
        definition = row.definitionName
        self.version = version
        definitionHash = row.definitionHash
        status = row.status
        finalState = row.finalState
        var previous: [String] = []
        // An id reused after an instance finished: the history is the current instance's.
        let first = records.lastIndex { $0.kind == .start } ?? records.startIndex
        entries = records[first...].map { r in
            let configuration = r.configuration.split(separator: " ").map(String.init)
            let before = Set(previous)
            let after = Set(configuration)
            var data: Value?
            switch try? JournalCodec.decode(kind: r.kind, payload: r.payload, event: r.event) {
            case .event(let e)?, .compensationFinished(let e)?: data = e.data == .undefined ? nil : e.data
            case .start(let p)?: data = .object(JSObject(p.data.map { ($0.name, $0.value) }))
            default: data = nil
            }
            let entry = Entry(
                seq: r.seq, time: r.time, timestamp: Self.timestamp(r.time), kind: r.kind.rawValue,
                event: r.event,
                eventID: r.eventID, data: data, configuration: configuration,
                entered: configuration.filter { !before.contains($0) },
                exited: previous.filter { !after.contains($0) })
            previous = configuration
            return entry
        }
    }

    /// Pretty-printed JSON with sorted keys.
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
