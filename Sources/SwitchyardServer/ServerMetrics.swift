import Foundation
import Prometheus
import Switchyard
import Synchronization

/// What `/metrics` reports, in the Prometheus text format: HTTP latency (a histogram by method,
/// route and status) from swift-prometheus, and the engine's counters and gauges read when the
/// scrape comes (events, macrosteps, timers, dead letters, instances by machine and state).
final class ServerMetrics: EngineListener, Sendable {
    let registry = PrometheusCollectorRegistry()
    private let macrosteps = Atomic<Int>(0)

    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
    ]

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "switchyard", metricName: "http_request_duration", unitName: "seconds",
                helpText: "HTTP request latency by method, route and status"),
            labels: [("method", method), ("route", route), ("status", String(status))],
            buckets: Self.buckets
        ).record(duration)
    }

    /// The route template of a path (`/v1/instances/{id}/events`), so labels stay few.
    static func route(_ path: String) -> String {
        let s = path.split(separator: "/").map(String.init)
        guard s.first == "v1", s.count >= 2 else { return s.count <= 1 ? path : "other" }
        var out = ["v1", s[1]]
        if s.count >= 3 { out.append(s[1] == "machines" ? "{name}" : s[1] == "rules" ? "{name}" : "{id}") }
        if s.count >= 4 { out.append(s[3]) }
        if s.count >= 5 { out.append("…") }
        return "/" + out.joined(separator: "/")
    }

    // MARK: EngineListener

    func journalCommitted(instanceID: String, sequence: Int64, status: InstanceStatus) {
        macrosteps.add(1, ordering: .relaxed)
    }

    // MARK: Engine figures

    func engineText(engine: Engine, store: SQLiteStore) async -> String {
        let stats = engine.statistics
        var lines: [String] = []
        func counter(_ name: String, _ help: String, _ value: Int) {
            lines.append("# HELP switchyard_\(name) \(help)")
            lines.append("# TYPE switchyard_\(name) counter")
            lines.append("switchyard_\(name) \(value)")
        }
        func gauge(_ name: String, _ help: String, _ value: Int) {
            lines.append("# HELP switchyard_\(name) \(help)")
            lines.append("# TYPE switchyard_\(name) gauge")
            lines.append("switchyard_\(name) \(value)")
        }
        counter("events_processed_total", "Events instances processed", stats.eventsProcessed)
        counter(
            "journal_commits_total", "Instance journal commits (one per macrostep batch)",
            macrosteps.load(ordering: .relaxed))
        counter("instances_started_total", "Instances started", stats.instancesStarted)
        counter("timers_fired_total", "Timers that fired", stats.timersFired)
        counter(
            "timers_fired_late_total", "Timers that fired more than 1 s after they were due",
            stats.timersFiredLate)
        gauge("timers_pending", "Timers waiting to fire", engine.pendingTimerCount)
        counter("dead_letters_total", "Events parked as dead letters", stats.deadLetters)
        gauge("dead_letters", "Dead letters waiting", engine.deadLetters.count)
        lines.append("# HELP switchyard_instances Instances by machine and status (running ones by state)")
        lines.append("# TYPE switchyard_instances gauge")
        if let rows = try? await store.instances() {
            var counts: [String: Int] = [:]
            for row in rows {
                if row.status == "running", let snap = await engine.snapshot(row.id) {
                    let leaf = snap.configuration.last ?? ""
                    counts[
                        "machine=\"\(esc(row.definitionName))\",status=\"running\",state=\"\(esc(leaf))\"",
                        default: 0] += 1
                } else {
                    counts[
                        "machine=\"\(esc(row.definitionName))\",status=\"\(row.status)\",state=\"\"",
                        default: 0] += 1
                }
            }
            for (labels, n) in counts.sorted(by: { $0.key < $1.key }) {
                lines.append("switchyard_instances{\(labels)} \(n)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
