/// An insertion-ordered, string-keyed map with value semantics: the representation of a
/// JavaScript object.
///
/// Keys keep their insertion order, including integer-like keys (a documented deviation: a
/// JavaScript engine lists integer-like keys first, in ascending order). Lookup is linear for
/// small objects and hashed for large ones.
public struct JSObject: Sendable, Hashable {
    @usableFromInline var keys: [String] = []
    @usableFromInline var values: [Value] = []
    @usableFromInline var index: [String: Int]? = nil

    /// The number of index entries above which a hash index is maintained.
    @usableFromInline static let indexThreshold = 12

    /// Creates an empty object.
    public init() {}

    /// Creates an object from key/value pairs; later duplicates overwrite earlier ones.
    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// The number of properties.
    public var count: Int { keys.count }
    /// Whether the object has no properties.
    public var isEmpty: Bool { keys.isEmpty }
    /// The property names in insertion order.
    public var propertyNames: [String] { keys }
    /// The properties in insertion order.
    public var properties: [(key: String, value: Value)] {
        Array(zip(keys, values).map { (key: $0.0, value: $0.1) })
    }

    @usableFromInline func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in keys.indices where keys[i] == key { return i }
        return nil
    }

    /// The property value, or `nil` when the object has no such own property. Setting `nil`
    /// removes the property.
    public subscript(key: String) -> Value? {
        get {
            guard let i = position(of: key) else { return nil }
            return values[i]
        }
        set {
            if let i = position(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index![key] = keys.count - 1
                } else if keys.count > JSObject.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        if keys.count > JSObject.indexThreshold {
            var d = [String: Int](minimumCapacity: keys.count)
            for (i, k) in keys.enumerated() { d[k] = i }
            index = d
        } else {
            index = nil
        }
    }

    /// Objects are equal when they have the same properties in the same order.
    public static func == (lhs: JSObject, rhs: JSObject) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }

    /// Hashes keys and values in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }
}
