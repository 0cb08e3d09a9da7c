/// Conditions evaluated in order against one environment: the hot loop of a rule set or a
/// router's filters.
///
/// Scanning a list with ``firstTrue(from:in:host:onError:)`` evaluates each condition the way
/// ``CompiledExpression/evaluateCondition(in:host:)`` does (same semantics, same limits per
/// condition), but without copying each ``CompiledExpression`` out of an array — which costs
/// several reference-count operations per condition and dominates when conditions are cheap.
public struct ConditionList: Sendable {
    let conds: ContiguousArray<CondCode?>
    let units: ContiguousArray<SourceText?>

    /// Creates a list; nil entries are unconditionally true.
    public init(_ expressions: [CompiledExpression?]) {
        conds = ContiguousArray(expressions.map { $0?.cond })
        units = ContiguousArray(expressions.map { $0?.unit })
    }

    /// The number of conditions.
    public var count: Int { conds.count }

    /// The index of the first condition at or after `start` that is true, or nil. A condition
    /// that raises an error is reported to `onError` (with its index, the error positioned
    /// inside that condition's text) and counts as false.
    public func firstTrue(
        from start: Int, in env: inout Environment, host: (any ExpressionHost)? = nil,
        onError: (Int, ExpressionError) -> Void
    ) -> Int? {
        guard start < conds.count else { return nil }
        return conds.withUnsafeBufferPointer { b -> Int? in
            var i = start
            while i < b.count {
                guard let cond = b[i], let unit = units[i] else { return i }
                var run = Run(limits: env.limits, host: host, unit: unit)
                do throws(ExpressionError) {
                    if try cond(&env, &run) { return i }
                } catch {
                    onError(i, error.located(in: unit))
                }
                i += 1
            }
            return nil
        }
    }
}
