/// `Codable` that round-trips exactly: plain JSON for null, booleans, finite non-negative-zero
/// numbers, strings and arrays; tagged objects for the rest — `{"$undefined": true}`,
/// `{"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}`, `{"$object": [[key, value], ...]}`
/// (keeps key order), `{"$function": "source"}`, `{"$regex": ["source", "flags"]}` (lossless:
/// decoding compiles the pattern again; `JSON.stringify` writes a regex as `{}`).
extension Value: Codable {
    private enum Tag: String, CodingKey {
        case undefined = "$undefined"
        case number = "$number"
        case object = "$object"
        case function = "$function"
        case regex = "$regex"
    }

    /// Encodes the value.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let d):
            if d.isFinite && !(d == 0 && d.sign == .minus) {
                var c = encoder.singleValueContainer()
                try c.encode(d)
            } else {
                var c = encoder.container(keyedBy: Tag.self)
                try c.encode(
                    d.isNaN ? "NaN" : d == 0 ? "-0" : d > 0 ? "Infinity" : "-Infinity", forKey: .number)
            }
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(v) }
        case .undefined:
            var c = encoder.container(keyedBy: Tag.self)
            try c.encode(true, forKey: .undefined)
        case .object(let o):
            var c = encoder.container(keyedBy: Tag.self)
            var list = c.nestedUnkeyedContainer(forKey: .object)
            for i in 0..<o.keys.count {
                var pair = list.nestedUnkeyedContainer()
                try pair.encode(o.keys[i])
                try pair.encode(o.values[i])
            }
        case .function(let f):
            var c = encoder.container(keyedBy: Tag.self)
            try c.encode(f.source, forKey: .function)
        case .regex(let r):
            var c = encoder.container(keyedBy: Tag.self)
            try c.encode([r.source, r.flags], forKey: .regex)
        }
    }

    /// Decodes a value written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer() {
            if c.decodeNil() {
                self = .null
                return
            }
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
                return
            }
            if let d = try? c.decode(Double.self) {
                self = .number(d)
                return
            }
            if let s = try? c.decode(String.self) {
                self = .string(s)
                return
            }
        }
        if var u = try? decoder.unkeyedContainer() {
            var a: [Value] = []
            while !u.isAtEnd { a.append(try u.decode(Value.self)) }
            self = .array(a)
            return
        }
        let c = try decoder.container(keyedBy: Tag.self)
        if c.contains(.undefined) {
            self = .undefined
        } else if c.contains(.number) {
            switch try c.decode(String.self, forKey: .number) {
            case "NaN": self = .number(.nan)
            case "-0": self = .number(-0.0)
            case "Infinity": self = .number(.infinity)
            case "-Infinity": self = .number(-.infinity)
            case let s:
                throw DecodingError.dataCorruptedError(
                    forKey: .number, in: c, debugDescription: "bad number \(s)")
            }
        } else if c.contains(.object) {
            var list = try c.nestedUnkeyedContainer(forKey: .object)
            var o = JSObject()
            while !list.isAtEnd {
                var pair = try list.nestedUnkeyedContainer()
                let k = try pair.decode(String.self)
                o[k] = try pair.decode(Value.self)
            }
            self = .object(o)
        } else if c.contains(.function) {
            let src = try c.decode(String.self, forKey: .function)
            do {
                self = .function(try FunctionValue(source: src))
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .function, in: c, debugDescription: "invalid function source: \(error)")
            }
        } else if c.contains(.regex) {
            let parts = try c.decode([String].self, forKey: .regex)
            guard parts.count == 2 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .regex, in: c, debugDescription: "expected [source, flags]")
            }
            do {
                self = .regex(try RegexValue(pattern: parts[0], flags: parts[1]))
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .regex, in: c, debugDescription: "invalid regular expression: \(error)")
            }
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a Value"))
        }
    }
}
