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
    }
    let entries: ContiguousArray<Entry>
    let units: [SourceText]

    /// Creates a list; nil entries are unconditionally true.
    public init(_ expressions: [CompiledExpression?]) {
        let always = SourceText("true")
        units = expressions.map { $0?.unit ?? always }
        entries = ContiguousArray(
            zip(expressions, units).map { e, u in
                Entry(cond: e?.cond ?? { _, _ in true }, unit: u)
            })
    }

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
        return entries.withUnsafeBufferPointer { b -> Int? in
            var i = start
            while i < b.count {
                var run = Run(limits: env.limits, host: host, unit: b[i].unit)
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
