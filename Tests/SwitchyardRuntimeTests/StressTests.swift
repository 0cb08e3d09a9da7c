import Switchyard
import Testing

/// Every event is processed exactly once or dead-lettered, with many producers at once: the
/// issue's full size, 10,000 instances and 1,000,000 events from 8 producers (a few seconds in a
/// debug build).
@Suite struct StressTests {
    @Test func concurrentProducersEveryEventProcessedOnceOrDeadLettered() async throws {
        let instances = 10_000
        let producers = 8
        let perProducer = 125_000
        let engine = Engine(options: EngineOptions(shards: 8, mailboxCapacity: 4096))
        try engine.register(counterMachine(), as: "counter")
        for i in 0..<instances { try await engine.start("counter", id: "c\(i)") }
        await withTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                group.addTask {
                    var batch: [(instanceID: String, event: Event)] = []
                    for k in 0..<perProducer {
                        // Every 997th event goes to an instance that does not exist.
                        let id = k % 997 == 0 ? "ghost\(p)" : "c\((k * 7 + p) % instances)"
                        batch.append((id, Event("tick")))
                        if batch.count == 256 {
                            await engine.enqueue(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    await engine.enqueue(batch)
                }
            }
        }
        await engine.quiesce()
        let total = producers * perProducer
        let ghosts = producers * ((perProducer + 996) / 997)
        let stats = engine.statistics
        #expect(stats.eventsProcessed == total - ghosts)
        #expect(stats.deadLetters == ghosts)
        #expect(engine.deadLetters.allSatisfy { if case .noSuchInstance = $0.reason { true } else { false } })
        var sum = 0.0
        for i in 0..<instances {
            if case .number(let n)? = await engine.snapshot("c\(i)")?.value(of: "n") { sum += n }
        }
        #expect(Int(sum) == total - ghosts)
        await engine.shutdown()
    }
}
