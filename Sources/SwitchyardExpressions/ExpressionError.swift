/// An error raised while compiling or evaluating an expression.
///
/// Every error has a kind and a position inside the expression text: 1-based `line` and
/// `column` (counted in Unicode scalars) and the 0-based scalar `offset`. A host rebases the
/// position into the enclosing document (see `ExpressionSource.location(ofLine:column:)`).
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of an error; it mirrors the JavaScript error constructors.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The text is not a valid expression or script (`SyntaxError`).
        case syntax
        /// An undeclared name was read or written (`ReferenceError`).
        case reference
        /// An operation was applied to a value of the wrong type, or a read-only variable was
        /// written (`TypeError`).
        case type
        /// A numeric argument was out of range (`RangeError`).
        case range
        /// A sandbox limit (steps, string or array length, nesting depth) was hit.
        case limit
    }

    /// What kind of error this is.
    public var kind: Kind
    /// A human-readable explanation, without the position.
    public var message: String
    /// 1-based line within the expression text (0 when unknown).
    public var line: Int
    /// 1-based column within the line, in Unicode scalars (0 when unknown).
    public var column: Int
    /// 0-based offset from the start of the text, in Unicode scalars.
    public var offset: Int

    /// Creates an error at a position.
    public init(kind: Kind, message: String, line: Int, column: Int, offset: Int) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// Internal: an error whose `offset` is a UTF-8 byte offset not yet converted (line == 0).
    init(_ kind: Kind, _ message: String, at byteOffset: Int32) {
        self.init(kind: kind, message: message, line: 0, column: 0, offset: Int(byteOffset))
    }

    /// `line:column: kind error: message`.
    public var description: String {
        "\(line):\(column): \(kind.rawValue) error: \(message)"
    }

    /// Renders the error the way compilers do: `name:line:col: error: message`, then the source
    /// line and a caret under the column.
    public func rendered(source: String, name: String = "<expr>") -> String {
        var out = "\(name):\(line):\(column): error: \(message)\n"
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        if line >= 1, line <= lines.count {
            let text = String(lines[line - 1])
            out += text + "\n"
            var pad = ""
            for (i, u) in text.unicodeScalars.enumerated() where i < column - 1 {
                pad += u == "\t" ? "\t" : " "
            }
            out += pad + "^\n"
        }
        return out
    }

    /// Converts an internal byte offset to line/column/scalar offset relative to `source`.
    /// Errors that already carry a position are returned unchanged.
    func located(in source: SourceText) -> ExpressionError {
        guard line == 0 else { return self }
        var e = self
        let (l, c, o) = source.position(ofByte: offset)
        e.line = l
        e.column = c
        e.offset = o
        return e
    }
}

/// Source text shared by compiled code for error positions.
final class SourceText: Sendable {
    let text: String
    let bytes: [UInt8]
    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// (line, column, scalar offset) of a UTF-8 byte offset.
    func position(ofByte byte: Int) -> (Int, Int, Int) {
        var line = 1
        var column = 1
        var offset = 0
        var i = 0
        let end = min(max(byte, 0), bytes.count)
        while i < end {
            let b = bytes[i]
            if b & 0xC0 != 0x80 {
                if b == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                offset += 1
            }
            i += 1
        }
        return (line, column, offset)
    }
}
