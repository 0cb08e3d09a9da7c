import Switchyard

/// A JSON object written member by member, in the order added.
///
/// `Value` numbers are doubles, so journal numbers and clock instants (`Int64` nanoseconds, far
/// beyond 2^53 for wall-clock instants) are written here as exact integers instead; everything
/// else is written by `Value.jsonString()` (`JSON.stringify` semantics).
struct JSONObjectText {
    private var members: [String] = []

    /// Adds a member whose value is already JSON text.
    mutating func add(_ key: String, json: String) {
        members.append((Value.string(key).jsonString() ?? "\"\"") + ":" + json)
    }

    /// Adds a value; `undefined` and functions become `null`, so the member is always present.
    mutating func add(_ key: String, _ value: Value) {
        add(key, json: value.jsonString() ?? "null")
    }

    /// Adds a string, or `null`.
    mutating func add(_ key: String, _ string: String?) {
        add(key, string.map(Value.string) ?? .null)
    }

    /// Adds an exact integer, or `null`.
    mutating func add(_ key: String, _ integer: Int64?) {
        add(key, json: integer.map { "\($0)" } ?? "null")
    }

    /// Adds an array of strings.
    mutating func add(_ key: String, _ strings: [String]) {
        add(key, .array(strings.map(Value.string)))
    }

    /// The object's JSON text.
    var text: String { "{" + members.joined(separator: ",") + "}" }
}
