/// A priority queue of timers with O(log n) insert, O(1) cancel and O(log n) pop.
///
/// A binary min-heap ordered by (due time, scheduling sequence) holds small fixed-size entries;
/// the payloads live in a dictionary keyed by the timer's token. Cancelling removes the payload
/// only (lazy cancellation): the stale heap entry is skipped when it reaches the top, and the heap
/// is rebuilt when stale entries outnumber live ones, so memory stays proportional to the live
/// timers. Timers due at the same instant fire in the order they were scheduled.
///
/// Not thread-safe; the engine's `TimerService` puts it behind a lock.
public struct TimerQueue<Payload> {
    @usableFromInline struct Entry {
        @usableFromInline var due: Int64
        @usableFromInline var token: UInt64
        @inlinable init(due: Int64, token: UInt64) {
            self.due = due
            self.token = token
        }
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var live: [UInt64: Payload] = [:]
    @usableFromInline var nextToken: UInt64 = 1

    @inlinable public init() {}

    /// Number of timers scheduled and neither fired nor cancelled.
    @inlinable public var count: Int { live.count }

    /// Whether no timer is pending.
    @inlinable public var isEmpty: Bool { live.isEmpty }

    /// Schedules `payload` at instant `due`; returns the token that cancels it. Tokens increase
    /// monotonically, so they double as the scheduling sequence.
    @inlinable public mutating func schedule(at due: Int64, _ payload: Payload) -> UInt64 {
        let token = nextToken
        nextToken += 1
        live[token] = payload
        heap.append(Entry(due: due, token: token))
        siftUp(heap.count - 1)
        return token
    }

    /// Cancels the timer; returns its payload when it was still pending.
    @discardableResult @inlinable
    public mutating func cancel(_ token: UInt64) -> Payload? {
        guard let payload = live.removeValue(forKey: token) else { return nil }
        if heap.count > 64 && heap.count > 2 * live.count { compact() }
        return payload
    }

    /// The due instant of the earliest pending timer.
    @inlinable public mutating func nextDue() -> Int64? {
        dropStale()
        return heap.first?.due
    }

    /// Removes and returns the earliest timer if it is due at or before `now`.
    @inlinable public mutating func popDue(now: Int64) -> (token: UInt64, due: Int64, payload: Payload)? {
        dropStale()
        guard let top = heap.first, top.due <= now else { return nil }
        removeTop()
        guard let payload = live.removeValue(forKey: top.token) else { return nil }
        return (top.token, top.due, payload)
    }

    @inlinable mutating func dropStale() {
        while let top = heap.first, live[top.token] == nil { removeTop() }
    }

    @inlinable mutating func compact() {
        heap.removeAll { live[$0.token] == nil }
        // Floyd's heap construction: O(n).
        var i = heap.count / 2 - 1
        while i >= 0 {
            siftDown(i)
            i -= 1
        }
    }

    @inlinable static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.due < b.due || (a.due == b.due && a.token < b.token)
    }

    @inlinable mutating func removeTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    @inlinable mutating func siftUp(_ start: Int) {
        var i = start
        let e = heap[i]
        while i > 0 {
            let p = (i - 1) / 2
            guard Self.less(e, heap[p]) else { break }
            heap[i] = heap[p]
            i = p
        }
        heap[i] = e
    }

    @inlinable mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let e = heap[i]
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && Self.less(heap[l + 1], heap[l]) { c = l + 1 }
            guard Self.less(heap[c], e) else { break }
            heap[i] = heap[c]
            i = c
        }
        heap[i] = e
    }
}
