/// A value of the expression language.
///
/// `Value` is a compact enum that mirrors the ECMAScript value types the language supports.
/// Arrays and objects have **value semantics** (a deliberate deviation from JavaScript's
/// reference aliasing): assigning an array to a second variable and mutating one of them leaves
/// the other unchanged. This keeps every datamodel `Sendable`, `Codable` and snapshot-exact.
public enum Value: Sendable, Hashable {
    /// JavaScript `undefined`.
    case undefined
    /// JavaScript `null`.
    case null
    /// A boolean.
    case bool(Bool)
    /// A number (IEEE 754 double, like every JavaScript number).
    case number(Double)
    /// A string.
    case string(String)
    /// An array (value semantics).
    case array([Value])
    /// An object: an insertion-ordered string-keyed map (value semantics).
    case object(JSObject)
    /// A function created by a function expression or declaration.
    case function(FunctionValue)
    /// A regular expression (`/a+/g`): immutable, compared by identity.
    case regex(RegexValue)
}

extension Value {
    /// JavaScript `ToBoolean`.
    public var truthy: Bool {
        switch self {
        case .undefined, .null: return false
        case .bool(let b): return b
        case .number(let d): return !(d == 0 || d.isNaN)
        case .string(let s): return !s.isEmpty
        case .array, .object, .function, .regex: return true
        }
    }

    /// The result of the `typeof` operator.
    public var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "object"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array, .object, .regex: return "object"
        case .function: return "function"
        }
    }

    /// JavaScript `ToString`, as used by string concatenation and `<log>`.
    ///
    /// Arrays are joined with `,` (with `null`/`undefined` elements as empty strings), objects
    /// print as `[object Object]`, functions as their source text, regular expressions as
    /// `/source/flags`.
    public var jsString: String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return JSNumber.toString(d)
        case .string(let s): return s
        case .array(let a):
            var out = ""
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                switch v {
                case .undefined, .null: break
                default: out += v.jsString
                }
            }
            return out
        case .object: return "[object Object]"
        case .function(let f): return f.source
        case .regex(let r): return r.description
        }
    }

    /// JavaScript `ToNumber`.
    public var jsNumber: Double {
        switch self {
        case .undefined: return .nan
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let d): return d
        case .string(let s): return JSNumber.parse(s)
        case .array, .object, .function, .regex: return JSNumber.parse(jsString)
        }
    }

    /// Whether this is `undefined` or `null`.
    @inlinable public var isNullish: Bool {
        switch self {
        case .undefined, .null: return true
        default: return false
        }
    }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    /// Creates a number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// Creates a number.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// Creates a string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates a boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates an array.
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    /// Creates an object with the keys in the written order.
    public init(dictionaryLiteral elements: (String, Value)...) {
        var o = JSObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
    /// `nil` is `null`.
    public init(nilLiteral: ()) { self = .null }
}

extension Value: CustomStringConvertible {
    /// A debugging rendering: JSON where possible, `undefined`, `NaN`, `Infinity` otherwise.
    public var description: String { displayString }

    /// The value as the CLI prints it: JSON, except `undefined`, `NaN`, `Infinity`, `-Infinity`,
    /// functions and regular expressions, which print as themselves.
    public var displayString: String {
        switch self {
        case .undefined: return "undefined"
        case .number(let d) where !d.isFinite: return JSNumber.toString(d)
        case .function(let f): return f.source
        case .regex(let r): return r.description
        default: return jsonString() ?? "undefined"
        }
    }
}
