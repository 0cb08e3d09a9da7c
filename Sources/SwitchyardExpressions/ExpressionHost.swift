/// The host side of an evaluation: functions the host implements (SCXML's `In(id)`).
///
/// Only names listed in ``CompileOptions/hostFunctions`` are routed here. The host may throw an
/// ``ExpressionError``; when it carries no position, the call site's position is used.
public protocol ExpressionHost: AnyObject {
    /// Calls the host function `name` with already evaluated arguments.
    func callHostFunction(_ name: String, arguments: [Value]) throws(ExpressionError) -> Value
}
