public import SwitchyardCore
import SwitchyardExpressions

/// A validated, compiled rule of a ``RuleSet``.
public struct Rule: Sendable {
    /// The rule's name, unique in its set.
    public let name: String
    /// Its priority (higher first).
    public let priority: Int
    /// Its position in the document (0-based), which breaks priority ties.
    public let documentIndex: Int
    /// Where the route goes.
    public let target: String
    /// The condition as written; nil for an unconditional rule.
    public let when: ExpressionSource?
    /// Where the rule was declared.
    public let location: SourceLocation

    let condition: CompiledCondition?
    let parameters: CompiledParameters
}

/// A condition compiled twice: whole (for ``RuleSet/decide(_:)``) and operand by operand along
/// its `&&`/`||` structure (for ``RuleSet/explain(_:)``).
struct CompiledCondition: Sendable {
    let whole: CompiledExpression
    let tree: ConditionNode
    let source: ExpressionSource
}

/// The `&&`/`||` structure of a condition with each operand compiled on its own.
indirect enum ConditionNode: Sendable {
    case all([ConditionNode])
    case any([ConditionNode])
    case operand(CompiledExpression, ExpressionOutline.Span)
}

/// A route's parameters: constant when no parameter has an expression (built once at load time).
enum CompiledParameters: Sendable {
    case constant(JSObject)
    case computed([(name: String, value: ParameterCode)])
}

/// One parameter's value.
enum ParameterCode: Sendable {
    case value(Value)
    case expression(CompiledExpression, ExpressionSource)
}
