/// The names a host declares, each mapped to a slot index in an ``Environment``.
///
/// Compiling against a symbol table resolves identifiers to slots once, so evaluation reads
/// variables by index. Read-only names (SCXML system variables such as `_event`) can be read by
/// expressions but not assigned.
public struct SymbolTable: Sendable, Hashable, Codable {
    private var slots: [String: Int] = [:]
    private var readOnly: [Bool] = []
    /// The declared names, in slot order.
    public private(set) var names: [String] = []

    /// Creates an empty table.
    public init() {}

    /// Declares `name` (or returns its existing slot; a re-declaration keeps the original
    /// read-only flag).
    @discardableResult
    public mutating func declare(_ name: String, readOnly: Bool = false) -> Int {
        if let s = slots[name] { return s }
        let s = names.count
        names.append(name)
        self.readOnly.append(readOnly)
        slots[name] = s
        return s
    }

    /// The slot of `name`, or nil when it is not declared.
    public func slot(of name: String) -> Int? { slots[name] }

    /// Whether expressions may not assign the slot.
    public func isReadOnly(_ slot: Int) -> Bool { slot >= 0 && slot < readOnly.count && readOnly[slot] }

    /// The number of declared names.
    public var count: Int { names.count }
}
