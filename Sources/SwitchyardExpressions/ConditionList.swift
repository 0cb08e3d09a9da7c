/// Conditions evaluated in order against one environment: the hot loop of a rule set or a
/// router's filters.
///
/// Scanning a list with ``firstTrue(from:in:host:onError:)`` evaluates each condition the way
/// ``CompiledExpression/evaluateCondition(in:host:)`` does (same semantics, same limits per
/// condition), but without copying each ``CompiledExpression`` out of an array — which costs
/// several reference-count operations per condition and dominates when conditions are cheap.
public struct ConditionList: Sendable {
    /// One condition; `unit` is kept alive by `units`.
    struct Entry {
        let cond: CondCode
        unowned(unsafe) let unit: SourceText
        /// The root of the condition's fast form in `program`, or -1.
        let fast: Int32
    }
    let entries: ContiguousArray<Entry>
    let units: [SourceText]
    /// Fast forms of the conditions that have one (see ``FastCondition``).
    let program: FastProgram

    /// Creates a list; nil entries are unconditionally true.
    public init(_ expressions: [CompiledExpression?]) {
        let always = SourceText("true")
        units = expressions.map { $0?.unit ?? always }
        // Built without `Optional<CondCode>` (`e?.cond ?? ...`): a closure passed through a
        // generic Optional is re-abstracted, and every call would then go through two thunks.
        var entries = ContiguousArray<Entry>()
        entries.reserveCapacity(expressions.count)
        var program = FastProgram()
        for (e, u) in zip(expressions, units) {
            if let e {
                let fast = e.fast.map { program.append($0) } ?? -1
                entries.append(Entry(cond: e.cond, unit: u, fast: fast))
            } else {
                entries.append(Entry(cond: ConditionList.always, unit: u, fast: -1))
            }
        }
        program.finish()
        self.entries = entries
        self.program = program
    }

    static let always: CondCode = { _, _ in true }

    /// The number of conditions.
    public var count: Int { entries.count }

    /// The index of the first condition at or after `start` that is true, or nil. A condition
    /// that raises an error is reported to `onError` (with its index, the error positioned
    /// inside that condition's text) and counts as false.
    public func firstTrue(
        from start: Int, in env: inout Environment, host: (any ExpressionHost)? = nil,
        onError: (Int, ExpressionError) -> Void
    ) -> Int? {
        guard start < entries.count else { return nil }
        if program.isEmpty {
            return scan(
                from: start, in: &env, host: host, onError: onError, useFast: false, summarize: { _ in },
                fast: { _ in -1 })
        }
        // The slots the fast forms read are summarised once per scan (no retains per condition),
        // and again after a closure ran (it may have changed variables).
        let p = program
        return withUnsafeTemporaryAllocation(of: SlotSummary.self, capacity: p.slotCount) { summary in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, p.slotCount * p.words)) { bits in
                p.ops.withUnsafeBufferPointer { ops in
                    scan(
                        from: start, in: &env, host: host, onError: onError, useFast: true,
                        summarize: { p.summarize($0, summary, bits) },
                        fast: { i in FastProgram.evaluate(ops, i, summary, bits, p.words) })
                }
            }
        }
    }

    private func scan(
        from start: Int, in env: inout Environment, host: (any ExpressionHost)?,
        onError: (Int, ExpressionError) -> Void, useFast: Bool,
        summarize: (UnsafeBufferPointer<Value>) -> Void, fast: (Int) -> Int8
    ) -> Int? {
        entries.withUnsafeBufferPointer { b -> Int? in
            // One run state for the scan, reset before each condition to exactly what a fresh
            // `Run` holds (full step budget, no frames), so each condition runs as on its own.
            var run = Run(limits: env.limits, host: host, unit: b[start].unit)
            var summarized = false
            var i = start
            while i < b.count {
                if useFast, b[i].fast >= 0 {
                    if !summarized {
                        env.slots.withUnsafeBufferPointer { summarize($0) }
                        summarized = true
                    }
                    let r = fast(Int(b[i].fast))
                    if r == 1 { return i }
                    if r == 0 {
                        i += 1
                        continue
                    }
                }
                summarized = false
                if i != start {
                    run.unit = b[i].unit
                    run.steps = run.limits.maxSteps
                    run.base = 0
                    run.callDepth = 0
                    if run.frames != nil { run.frames = nil }
                }
                do throws(ExpressionError) {
                    if try b[i].cond(&env, &run) { return i }
                } catch {
                    onError(i, error.located(in: b[i].unit))
                }
                i += 1
            }
            return nil
        }
    }
}
