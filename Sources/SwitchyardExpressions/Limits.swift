/// Sandbox limits for compiling and evaluating expressions.
///
/// Hitting a limit raises an ``ExpressionError`` of kind ``ExpressionError/Kind/limit``; it never
/// hangs, crashes or allocates without bound.
public struct Limits: Sendable, Hashable, Codable {
    /// Steps allowed per evaluation. A step is one loop iteration, one function call, or a unit
    /// of work in a built-in (about 64 bytes or elements scanned or copied).
    public var maxSteps: Int
    /// Maximum length of a string value, in UTF-8 bytes.
    public var maxStringLength: Int
    /// Maximum number of elements of an array (and of properties of an object).
    public var maxArrayLength: Int
    /// Maximum nesting depth of the source (brackets, parentheses, blocks, operators) and of
    /// values (arrays and objects inside each other), and of JSON text.
    public var maxDepth: Int
    /// Maximum depth of nested function calls.
    public var maxCallDepth: Int

    /// Creates limits.
    public init(
        maxSteps: Int = 1_000_000, maxStringLength: Int = 1_000_000, maxArrayLength: Int = 100_000,
        maxDepth: Int = 100, maxCallDepth: Int = 64
    ) {
        self.maxSteps = maxSteps
        self.maxStringLength = maxStringLength
        self.maxArrayLength = maxArrayLength
        self.maxDepth = maxDepth
        self.maxCallDepth = maxCallDepth
    }

    /// The defaults: 1,000,000 steps, 1,000,000-byte strings, 100,000-element arrays, nesting
    /// depth 100, call depth 64.
    public static let `default` = Limits()
}
