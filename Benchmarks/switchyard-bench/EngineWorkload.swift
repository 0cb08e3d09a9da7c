import Dispatch
import Foundation
import Switchyard
import Synchronization

/// Engine workloads:
/// - `engine [--instances N] [--events N] [--producers N] [--shards N] [--batch N]`: events per
///   second through the engine (all cores), N producers sending batches to counter instances.
/// - `engine-router [--handlers N] [--count N]`: published events per second through a router
///   with N handlers (exact, prefix and `*` topics, some with filters).
/// - `engine-timers [--count N]`: timer operations per second with N pending: insert N, cancel
///   half, fire the rest in order.
enum EngineWorkload {
    static let counter = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="counting">
          <datamodel><data id="n" expr="0"/></datamodel>
          <state id="counting">
            <transition event="tick"><assign location="n" expr="n + 1"/></transition>
            <transition event="finish" target="done"/>
          </state>
          <final id="done"/>
        </scxml>
        """

    static func run(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        let instances = try args.int("instances", default: 10_000)
        let events = try args.int("events", default: 1_000_000)
        let producers = try args.int("producers", default: 8)
        let shards = try args.int("shards", default: 4 * max(1, Int(sysconfProcessors())))
        let batchSize = try args.int("batch", default: 512)
        let definition = try loadCounter()
        let (rate, processed, dead, counted) = try blocking { () async throws -> (Double, Int, Int, Int) in
            let engine = Engine(options: EngineOptions(shards: shards, mailboxCapacity: 16_384))
            try engine.register(definition, as: "counter")
            for i in 0..<instances { try await engine.start("counter", id: "c\(i)") }
            let ids = (0..<instances).map { "c\($0)" }
            let perProducer = events / producers
            let t0 = monotonicSeconds()
            await sendTicks(
                engine, to: ids, perProducer: perProducer, producers: producers, batchSize: batchSize)
            await engine.quiesce()
            let dt = monotonicSeconds() - t0
            let stats = engine.statistics
            // Exactly once: the instances' own counters add up to the events sent.
            var counted = 0.0
            for id in ids {
                if case .number(let n)? = await engine.snapshot(id)?.value(of: "n") { counted += n }
            }
            await engine.shutdown()
            return (
                Double(perProducer * producers) / dt, stats.eventsProcessed, stats.deadLetters, Int(counted)
            )
        }
        print(
            "engine: \(instances) instances, \(events) events, \(producers) producers, \(shards) shards: "
                + "processed=\(processed) dead=\(dead) counted-by-instances=\(counted)")
        guard processed + dead == (events / producers) * producers, counted == processed else {
            throw BenchError("event accounting mismatch")
        }
        print("engine rate=\(Int(rate))")
    }

    /// `producers` concurrent tasks each send `perProducer` `tick` events, spread over `ids`, in
    /// batches of `batchSize` (the engine and durable workloads).
    static func sendTicks(
        _ engine: Engine, to ids: [String], perProducer: Int, producers: Int, batchSize: Int
    ) async {
        await withTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                group.addTask {
                    let tick = Event("tick")
                    var batch: [(instanceID: String, event: Event)] = []
                    batch.reserveCapacity(batchSize)
                    for k in 0..<perProducer {
                        batch.append((ids[(k &* 7919 &+ p) % ids.count], tick))
                        if batch.count == batchSize {
                            await engine.enqueue(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    await engine.enqueue(batch)
                }
            }
        }
    }

    static func runRouter(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        let handlers = try args.int("handlers", default: 1_000)
        let count = try args.int("count", default: 1_000_000)
        let rate = try blocking { () async throws -> Double in
            let engine = Engine(clock: ManualClock(), options: EngineOptions(shards: 2))
            let seen = Atomic<Int>(0)
            for i in 0..<handlers {
                let topic: String
                var filter: String?
                switch i % 10 {
                case 0: topic = "group\(i % 50).*"
                case 1:
                    topic = "topic\(i % 200)"
                    filter = "_event.data.amount > 10"
                default: topic = "topic\(i % 200)"
                }
                try engine.on(topic, filter: filter, priority: i % 7) { _ in
                    seen.add(1, ordering: .relaxed)
                    return .continue
                }
            }
            try engine.on("*", priority: -1) { _ in .continue }
            let events = (0..<200).map {
                Event("topic\($0)", data: .object(JSObject([("amount", .number(Double($0)))])))
            }
            let t0 = monotonicSeconds()
            for k in 0..<count { await engine.publish(events[k % events.count]) }
            let dt = monotonicSeconds() - t0
            print(
                "engine-router: \(handlers) handlers, \(count) events, handler calls=\(seen.load(ordering: .relaxed))"
            )
            return Double(count) / dt
        }
        print(String(format: "engine-router: %.0f ns per dispatch", 1e9 / rate))
        print("engine-router rate=\(Int(rate))")
    }

    static func runTimers(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        let count = try args.int("count", default: 1_000_000)
        var queue = TimerQueue<Int>()
        var rng = SplitMix(seed: 42)
        var tokens: [UInt64] = []
        tokens.reserveCapacity(count)
        let t0 = monotonicSeconds()
        for i in 0..<count { tokens.append(queue.schedule(at: Int64(rng.next() % 86_400_000_000_000), i)) }
        let t1 = monotonicSeconds()
        var i = 0
        while i < count {
            queue.cancel(tokens[i])
            i += 2
        }
        let t2 = monotonicSeconds()
        var fired = 0
        var last = Int64.min
        while let t = queue.popDue(now: .max) {
            precondition(t.due >= last)
            last = t.due
            fired += 1
        }
        let t3 = monotonicSeconds()
        let cancelled = (count + 1) / 2
        print(
            String(
                format: "engine-timers: %d pending; insert %.0f ns, cancel %.0f ns, fire %.0f ns per timer",
                count, (t1 - t0) * 1e9 / Double(count), (t2 - t1) * 1e9 / Double(cancelled),
                (t3 - t2) * 1e9 / Double(max(1, fired))))
        print("engine-timers rate=\(Int(Double(count + cancelled + fired) / (t3 - t0)))")
    }

    static func loadCounter() throws -> MachineDefinition {
        do {
            return try MachineDefinition.load(bytes: Array(counter.utf8))
        } catch {
            throw BenchError(error.description)
        }
    }
}

/// Runs async work from the synchronous benchmark driver (the main thread is not part of the
/// cooperative pool, so blocking it is fine).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            let value = try await body()
            result.withLock { $0 = .success(value) }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    guard let r = result.withLock({ $0 }) else { throw BenchError("no result") }
    return try r.get()
}

func sysconfProcessors() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
