import SwitchyardRuntime
import Testing

@Suite struct TimerQueueTests {
    @Test func firesByDueTimeThenSchedulingOrder() {
        var q = TimerQueue<String>()
        _ = q.schedule(at: 30, "c")
        _ = q.schedule(at: 10, "a1")
        _ = q.schedule(at: 20, "b")
        _ = q.schedule(at: 10, "a2")
        var fired: [String] = []
        while let t = q.popDue(now: 100) { fired.append(t.payload) }
        #expect(fired == ["a1", "a2", "b", "c"])
    }

    @Test func cancelledTimersNeverFireAndCompactionKeepsOrder() {
        var q = TimerQueue<Int>()
        var tokens: [UInt64] = []
        for i in 0..<1000 { tokens.append(q.schedule(at: Int64(1000 - i), i)) }
        for (i, t) in tokens.enumerated() where i % 3 != 0 { #expect(q.cancel(t) == i) }
        #expect(q.cancel(tokens[1]) == nil)
        #expect(q.count == 334)
        #expect(q.popDue(now: 0) == nil)
        var last = Int64.min
        var n = 0
        while let t = q.popDue(now: 10_000) {
            #expect(t.payload % 3 == 0)
            #expect(t.due >= last)
            last = t.due
            n += 1
        }
        #expect(n == 334)
        #expect(q.isEmpty)
    }
}
