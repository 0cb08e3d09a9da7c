import Switchyard
import SwitchyardTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A gate a custom action blocks on, so the shard's mailbox fills deterministically.
final class Gate: Sendable {
    let entered = Atomic<Bool>(false)
    let open = Atomic<Bool>(false)
}

@Suite struct MailboxTests {
    @Test func fullMailboxRefusesTrySendAndSuspendsSend() async throws {
        let (engine, _) = manualEngine(shards: 1, capacity: 4)
        let gate = Gate()
        try engine.registerAction("block") { _, _ in
            gate.entered.store(true, ordering: .sequentiallyConsistent)
            while !gate.open.load(ordering: .sequentiallyConsistent) { usleep(1000) }
        }
        let m = try machine(
            """
            <state id="s">
              <transition event="block"><sy:action name="block"/></transition>
              <transition event="tick"><assign location="n" expr="n + 1"/></transition>
            </state>
            """, initial: "s", data: #"<data id="n" expr="0"/>"#)
        try engine.register(m, as: "m")
        try await engine.start("m", id: "x")
        try engine.tryEnqueue(Event("block"), to: "x")
        while !gate.entered.load(ordering: .sequentiallyConsistent) {
            try await Task.sleep(for: .milliseconds(1))
        }
        var accepted = 0
        var busy = 0
        for _ in 0..<10 {
            do {
                try engine.tryEnqueue(Event("tick"), to: "x")
                accepted += 1
            } catch EngineError.busy {
                busy += 1
            }
        }
        #expect(accepted == 4)
        #expect(busy == 6)
        let waiter = Task { await engine.enqueue(Event("tick"), to: "x") }
        try await Task.sleep(for: .milliseconds(20))
        gate.open.store(true, ordering: .sequentiallyConsistent)
        await waiter.value
        await engine.quiesce()
        #expect(await engine.snapshot("x")?.value(of: "n") == .number(5))
        #expect(engine.deadLetters.isEmpty)
    }
}
