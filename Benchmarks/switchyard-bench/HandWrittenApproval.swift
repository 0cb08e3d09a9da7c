/// The benchmark approval machine written by hand as a Swift enum and a switch: the physical
/// limit an interpreter can approach. Same states, guards and counter updates as
/// `Benchmarks/machines/approval7.scxml`.
struct HandWrittenApproval {
    enum State { case draft, review, secondReview, changesRequested, approved, rejected, archived }
    enum Input: Int { case submit, approve, reject, changes, resubmit, archive, reopen, restart, unknown }

    var state: State = .draft
    var amount = 5000.0
    var entries = 1.0
    var exits = 0.0
    var reviews = 0.0

    mutating func enter(_ s: State) {
        state = s
        switch s {
        case .review, .secondReview: reviews += 1
        default: entries += 1
        }
    }

    @inline(never) mutating func handle(_ input: Input) {
        switch (state, input) {
        case (.draft, .submit):
            exits += 1
            enter(.review)
        case (.review, .approve) where amount < 10000:
            exits += 1
            enter(.approved)
        case (.review, .approve) where amount >= 10000:
            exits += 1
            enter(.secondReview)
        case (.review, .reject), (.secondReview, .reject):
            exits += 1
            enter(.rejected)
        case (.review, .changes):
            exits += 1
            enter(.changesRequested)
        case (.secondReview, .approve):
            exits += 1
            enter(.approved)
        case (.changesRequested, .resubmit):
            exits += 1
            enter(.review)
        case (.approved, .archive):
            exits += 1
            enter(.archived)
        case (.rejected, .reopen), (.archived, .restart):
            exits += 1
            enter(.draft)
        default: break
        }
    }

    static func input(_ name: String) -> Input {
        switch name {
        case "submit": .submit
        case "approve": .approve
        case "reject": .reject
        case "changes": .changes
        case "resubmit": .resubmit
        case "archive": .archive
        case "reopen": .reopen
        case "restart": .restart
        default: .unknown
        }
    }

    /// Events per second, mapping event names to inputs per event as a real dispatcher would.
    static func rate(events: [String], count: Int) -> Double {
        var m = HandWrittenApproval()
        var best = 0.0
        for _ in 0..<3 {
            let t0 = threadCPUSeconds()
            var i = 0
            for _ in 0..<count {
                m.handle(input(events[i]))
                i += 1
                if i == events.count { i = 0 }
            }
            best = max(best, Double(count) / (threadCPUSeconds() - t0))
        }
        precondition(m.entries > 0)
        return best
    }
}
