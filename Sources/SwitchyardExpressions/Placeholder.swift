// TEMPORARY signature stub of the expression API (replaced by the real module from branch `expr`).
public struct JSObject: Sendable, Hashable, Codable {
    public init() {}
    public subscript(key: String) -> Value? { get { nil } set {} }
    public var keys: [String] { [] }
}
public struct FunctionValue: Sendable, Hashable, Codable {}
public enum Value: Sendable, Hashable, Codable {
    case undefined, null, bool(Bool), number(Double), string(String), array([Value]), object(JSObject), function(FunctionValue)
    public static func parseJSON(_ text: String) throws(ExpressionError) -> Value { .undefined }
    public func jsonString() -> String? { nil }
    public var jsString: String { "" }
    public var truthy: Bool { false }
    public var typeName: String { "" }
}
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case syntax, reference, type, range, limit }
    public var kind: Kind
    public var message: String
    public var line: Int
    public var column: Int
    public var offset: Int
    public var description: String { message }
    public init(kind: Kind, message: String, line: Int, column: Int, offset: Int) { self.kind = kind; self.message = message; self.line = line; self.column = column; self.offset = offset }
}
public struct SymbolTable: Sendable {
    public init() {}
    @discardableResult public mutating func declare(_ name: String, readOnly: Bool = false) -> Int { 0 }
    public func slot(of name: String) -> Int? { nil }
    public func isReadOnly(_ slot: Int) -> Bool { false }
    public var count: Int { 0 }
    public var names: [String] { [] }
}
public struct Limits: Sendable, Hashable { public static let `default` = Limits() }
public struct Environment: Sendable {
    public init(symbols: SymbolTable, limits: Limits = .default) { self.symbols = symbols }
    public var symbols: SymbolTable
    public subscript(slot: Int) -> Value { get { .undefined } set {} }
    public func value(named: String) -> Value? { nil }
    @discardableResult public mutating func declare(_ name: String, readOnly: Bool = false, value: Value = .undefined) -> Int { 0 }
}
public protocol ExpressionHost: AnyObject {
    func callHostFunction(_ name: String, arguments: [Value]) throws(ExpressionError) -> Value
}
public struct CompileOptions: Sendable {
    public var hostFunctions: Set<String>
    public init(hostFunctions: Set<String> = []) { self.hostFunctions = hostFunctions }
}
public struct CompiledExpression: Sendable {
    public static func compile(_ source: String, symbols: SymbolTable, options: CompileOptions = .init()) throws(ExpressionError) -> CompiledExpression { CompiledExpression() }
    public func evaluate(in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError) -> Value { .undefined }
    public func evaluateCondition(in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError) -> Bool { false }
}
public struct CompiledScript: Sendable {
    public static func compile(_ source: String, symbols: inout SymbolTable, options: CompileOptions = .init()) throws(ExpressionError) -> CompiledScript { CompiledScript() }
    public func run(in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError) {}
}
public struct CompiledLocation: Sendable {
    public static func compile(_ source: String, symbols: SymbolTable, options: CompileOptions = .init()) throws(ExpressionError) -> CompiledLocation { CompiledLocation() }
    public func assign(_ value: Value, in env: inout Environment, host: (any ExpressionHost)? = nil) throws(ExpressionError) {}
}
