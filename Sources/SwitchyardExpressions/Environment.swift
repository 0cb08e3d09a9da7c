/// The runtime variable store: one value per slot of its ``SymbolTable``.
///
/// `Environment` is a value type, so copying it takes a snapshot. The symbol table used to
/// compile an expression must be a prefix of (or equal to) the environment's table: slots are
/// indices, and names declared later are found by name at run time. `Codable` round-trips exactly
/// (see ``Value``), so an environment can be snapshotted and restored.
public struct Environment: Sendable, Hashable, Codable {
    /// The names and their slots.
    public var symbols: SymbolTable {
        didSet {
            if slots.count < symbols.count {
                slots += Array(repeating: .undefined, count: symbols.count - slots.count)
            }
        }
    }
    /// The limits evaluations in this environment run under.
    public var limits: Limits
    @usableFromInline var slots: [Value]

    /// Creates an environment with every declared variable `undefined`.
    public init(symbols: SymbolTable, limits: Limits = .default) {
        self.symbols = symbols
        self.limits = limits
        self.slots = Array(repeating: .undefined, count: symbols.count)
    }

    /// Host access to a slot; ignores the read-only flag.
    public subscript(slot: Int) -> Value {
        get { slot < slots.count ? slots[slot] : .undefined }
        set {
            if slot >= slots.count { slots += Array(repeating: .undefined, count: slot + 1 - slots.count) }
            slots[slot] = newValue
        }
    }

    /// The number held by a slot; nil when the slot holds another kind of value or does not
    /// exist. For flat evaluation by embedders in this package.
    @inlinable @inline(__always) package func number(at slot: Int) -> Double? {
        guard slot < slots.count, case .number(let d) = slots[slot] else { return nil }
        return d
    }

    /// Stores a number in an existing slot (the caller checked that it exists, e.g. with
    /// ``number(at:)`` or because it compiled against the environment's symbol table).
    @inlinable @inline(__always) package mutating func setNumber(_ d: Double, at slot: Int) {
        if slot < slots.count { slots[slot] = .number(d) } else { self[slot] = .number(d) }
    }

    /// The value of a declared name, or nil when the name is not declared.
    public func value(named name: String) -> Value? {
        guard let s = symbols.slot(of: name) else { return nil }
        return self[s]
    }

    /// Declares a name at run time (e.g. a `<foreach>` item) and sets its value; returns the
    /// slot. An existing name keeps its slot and gets the new value.
    @discardableResult
    public mutating func declare(_ name: String, readOnly: Bool = false, value: Value = .undefined) -> Int {
        let s = symbols.declare(name, readOnly: readOnly)
        self[s] = value
        return s
    }
}
