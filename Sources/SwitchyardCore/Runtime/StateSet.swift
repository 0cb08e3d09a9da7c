/// A set of state indices as a bit set; iteration is in ascending index, which is document order.
public struct StateSet: Hashable, Sendable {
    @usableFromInline var words: [UInt64]

    @inlinable public init(capacity: Int) {
        words = Array(repeating: 0, count: (capacity + 63) >> 6)
    }

    @inlinable public func contains(_ i: Int) -> Bool {
        words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    @inlinable public mutating func insert(_ i: Int) {
        words[i >> 6] |= (1 << UInt64(i & 63))
    }

    @inlinable public mutating func remove(_ i: Int) {
        words[i >> 6] &= ~(1 << UInt64(i & 63))
    }

    @inlinable public mutating func removeAll() {
        for w in words.indices { words[w] = 0 }
    }

    @inlinable public var isEmpty: Bool {
        for w in words where w != 0 { return false }
        return true
    }

    @inlinable public var count: Int {
        var n = 0
        for w in words { n += w.nonzeroBitCount }
        return n
    }

    /// Whether the two sets share an element.
    @inlinable public func intersects(_ other: StateSet) -> Bool {
        for i in 0..<min(words.count, other.words.count) where words[i] & other.words[i] != 0 { return true }
        return false
    }

    /// Whether any member lies in the closed index range.
    @inlinable public func containsAny(in range: ClosedRange<Int>) -> Bool {
        var found = false
        forEachMember(in: range) { _ in found = true }
        return found
    }

    /// Calls `body` for every member in the closed range, ascending.
    @inlinable public func forEachMember(in range: ClosedRange<Int>, _ body: (Int) -> Void) {
        let lo = range.lowerBound
        let hi = range.upperBound
        guard lo <= hi else { return }
        var wi = lo >> 6
        let last = hi >> 6
        while wi <= last {
            var w = words[wi]
            if wi == lo >> 6 { w &= ~0 << UInt64(lo & 63) }
            if wi == last {
                let top = hi & 63
                if top < 63 { w &= (1 << UInt64(top + 1)) - 1 }
            }
            while w != 0 {
                let bit = w.trailingZeroBitCount
                body(wi << 6 + bit)
                w &= w - 1
            }
            wi += 1
        }
    }

    /// Calls `body` for every member, ascending (document order).
    @inlinable public func forEachMember(_ body: (Int) -> Void) {
        for wi in words.indices {
            var w = words[wi]
            while w != 0 {
                body(wi << 6 + w.trailingZeroBitCount)
                w &= w - 1
            }
        }
    }

    /// Calls `body` for every member, descending (reverse document order: exit order).
    @inlinable public func forEachDescending(_ body: (Int) -> Void) {
        var wi = words.count - 1
        while wi >= 0 {
            var w = words[wi]
            while w != 0 {
                let bit = 63 - w.leadingZeroBitCount
                body(wi << 6 + bit)
                w &= ~(1 << UInt64(bit))
            }
            wi -= 1
        }
    }

    /// Members in ascending (document) order.
    @inlinable public var members: [Int] {
        var out: [Int] = []
        for (wi, word) in words.enumerated() {
            var w = word
            while w != 0 {
                out.append(wi << 6 + w.trailingZeroBitCount)
                w &= w - 1
            }
        }
        return out
    }
}
