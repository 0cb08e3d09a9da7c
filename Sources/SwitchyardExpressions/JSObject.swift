/// An insertion-ordered, string-keyed map with value semantics: the representation of a
/// JavaScript object.
///
/// Keys keep their insertion order, including integer-like keys (a documented deviation: a
/// JavaScript engine lists integer-like keys first, in ascending order). Lookup is linear for
/// small objects and hashed for large ones. The storage is one copy-on-write reference, so a
/// `JSObject` (and therefore a ``Value``) stays one word wide.
public struct JSObject: @unchecked Sendable, Hashable {
    // @unchecked: `Storage` is only mutated after `makeUnique()`, i.e. never while shared, so
    // values can be passed between threads like any copy-on-write collection.
    @usableFromInline final class Storage {
        var keys: [String] = []
        var values: [Value] = []
        var index: [String: Int]? = nil

        init() {}
        init(copying other: Storage) {
            keys = other.keys
            values = other.values
            index = other.index
        }

        // Never mutated: every mutation first copies a shared storage (see makeUnique()).
        nonisolated(unsafe) static let empty = Storage()
    }

    @usableFromInline var storage: Storage

    /// The number of entries above which a hash index is maintained.
    @usableFromInline static let indexThreshold = 12

    /// Creates an empty object.
    public init() { storage = Storage.empty }

    /// Creates an object from key/value pairs; later duplicates overwrite earlier ones.
    public init(_ pairs: [(String, Value)]) {
        self.init()
        for (k, v) in pairs { self[k] = v }
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
    }

    /// The number of properties.
    public var count: Int { storage.keys.count }
    /// Whether the object has no properties.
    public var isEmpty: Bool { storage.keys.isEmpty }
    /// The property names in insertion order.
    public var propertyNames: [String] { storage.keys }
    /// The properties in insertion order.
    public var properties: [(key: String, value: Value)] {
        Array(zip(storage.keys, storage.values).map { (key: $0.0, value: $0.1) })
    }

    var keys: [String] { storage.keys }

    var values: [Value] {
        get { storage.values }
        _modify {
            makeUnique()
            yield &storage.values
        }
    }

    func position(of key: String) -> Int? {
        if let index = storage.index { return index[key] }
        let keys = storage.keys
        for i in keys.indices where keys[i] == key { return i }
        return nil
    }

    /// The property value, or `nil` when the object has no such own property. Setting `nil`
    /// removes the property.
    public subscript(key: String) -> Value? {
        get {
            guard let i = position(of: key) else { return nil }
            return storage.values[i]
        }
        set {
            makeUnique()
            let s = storage
            if let i = position(of: key) {
                if let newValue {
                    s.values[i] = newValue
                } else {
                    s.keys.remove(at: i)
                    s.values.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                s.keys.append(key)
                s.values.append(newValue)
                if s.index != nil {
                    s.index![key] = s.keys.count - 1
                } else if s.keys.count > JSObject.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private func rebuildIndex() {
        let s = storage
        if s.keys.count > JSObject.indexThreshold {
            var d = [String: Int](minimumCapacity: s.keys.count)
            for (i, k) in s.keys.enumerated() { d[k] = i }
            s.index = d
        } else {
            s.index = nil
        }
    }

    /// Objects are equal when they have the same properties in the same order.
    public static func == (lhs: JSObject, rhs: JSObject) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.storage.keys == rhs.storage.keys && lhs.storage.values == rhs.storage.values)
    }

    /// Hashes keys and values in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.keys)
        hasher.combine(storage.values)
    }
}
