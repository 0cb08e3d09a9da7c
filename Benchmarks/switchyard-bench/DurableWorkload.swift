import Foundation
import Switchyard
@_spi(StoreImplementation) import SwitchyardRuntime
@_spi(StoreImplementation) import SwitchyardStore

/// Durable-engine workloads (SQLite store in a temporary directory, deleted afterwards):
/// - `durable [--instances N] [--events N] [--producers N] [--sync normal|full] [--batch N]`:
///   events per second journaled and processed; producers send batches to counter instances
///   and the clock stops when every event is committed and applied.
/// - `recovery [--instances N] [--events N]`: builds a database of N instances with `events`
///   journal records each (not timed), then times opening it and `recover()`.
enum DurableWorkload {
    static func temporaryDatabase() -> (String, String) {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-bench-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (dir, dir + "/bench.sqlite")
    }

    static func run(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        let instances = try args.int("instances", default: 10_000)
        let events = try args.int("events", default: 500_000)
        let producers = try args.int("producers", default: 8)
        let batchSize = try args.int("batch", default: 256)
        let sync: SQLiteStore.Options.Synchronous = args.options["sync"] == "full" ? .full : .normal
        let definition = try EngineWorkload.loadCounter()
        let (dir, path) = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (rate, counted, records) = try blocking { () async throws -> (Double, Int, Int64) in
            let store = try SQLiteStore(path: path, options: .init(synchronous: sync))
            let engine = Engine(
                store: store, clock: ManualClock(start: 1_000_000_000),
                options: EngineOptions(mailboxCapacity: 16_384))
            try engine.register(definition, as: "counter")
            try await engine.recover()
            for i in 0..<instances { try await engine.start("counter", id: "c\(i)") }
            await engine.quiesce()
            let ids = (0..<instances).map { "c\($0)" }
            let perProducer = events / producers
            let t0 = monotonicSeconds()
            await EngineWorkload.sendTicks(
                engine, to: ids, perProducer: perProducer, producers: producers, batchSize: batchSize)
            await engine.quiesce()
            let dt = monotonicSeconds() - t0
            var counted = 0.0
            for id in ids {
                if case .number(let n)? = await engine.snapshot(id)?.value(of: "n") { counted += n }
            }
            await engine.shutdown()
            let rows = try await store.instances()
            let records = rows.reduce(Int64(0)) { $0 + $1.lastSeq }
            return (Double(perProducer * producers) / dt, Int(counted), records)
        }
        let sent = (events / producers) * producers
        print(
            "durable: \(instances) instances, \(sent) events, \(producers) producers, synchronous=\(sync.rawValue): "
                + "counted-by-instances=\(counted) journal-records=\(records)")
        // Every event applied once and journaled once (plus one start record per instance).
        guard counted == sent, records == Int64(sent + instances) else {
            throw BenchError("event accounting mismatch")
        }
        print("durable rate=\(Int(rate))")
    }

    static func runRecovery(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        let instances = try args.int("instances", default: 100_000)
        let events = try args.int("events", default: 10)
        let definition = try EngineWorkload.loadCounter()
        let (dir, path) = temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (seconds, recovered, replayed) = try blocking { () async throws -> (Double, Int, Int) in
            do {
                let store = try SQLiteStore(path: path)
                let engine = Engine(store: store, clock: ManualClock(start: 1_000_000_000))
                try engine.register(definition, as: "counter")
                try await engine.recover()
                for i in 0..<instances { try await engine.start("counter", id: "c\(i)") }
                // `events - 1` ticks: with the start record, `events` journal records each.
                var batch: [(instanceID: String, event: Event)] = []
                for _ in 1..<max(1, events) {
                    for i in 0..<instances {
                        batch.append(("c\(i)", Event("tick")))
                        if batch.count == 4096 {
                            await engine.enqueue(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                await engine.enqueue(batch)
                await engine.quiesce()
                await engine.shutdown()
            }
            if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil {
                // Phases, measured on a separate open (the file is then in the page cache).
                let p0 = monotonicSeconds()
                let probe = try SQLiteStore(path: path)
                let p1 = monotonicSeconds()
                let data = try await probe.loadForRecovery()
                let p2 = monotonicSeconds()
                print(
                    String(
                        format: "recovery phases: open+check %.2f s, read %d instances %.2f s", p1 - p0,
                        data.instances.count, p2 - p1))
            }
            let t0 = monotonicSeconds()
            let store = try SQLiteStore(path: path)
            let engine = Engine(store: store, clock: ManualClock(start: 1_000_000_000))
            try engine.register(definition, as: "counter")
            let report = try await engine.recover()
            let dt = monotonicSeconds() - t0
            guard await engine.snapshot("c0")?.value(of: "n") == .number(Double(max(0, events - 1))) else {
                throw BenchError("recovered state is wrong")
            }
            await engine.shutdown()
            return (dt, report.instances, report.replayedRecords)
        }
        print("recovery: \(recovered) instances, \(replayed) journal records replayed")
        print(String(format: "recovery seconds=%.2f", seconds))
    }
}
