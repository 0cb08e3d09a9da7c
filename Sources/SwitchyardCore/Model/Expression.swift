/// The source text of an expression (or a script body) as written in a document, with the exact
/// position of its first character.
///
/// The model keeps expressions as text; the interpreter compiles them. When the expression
/// language reports an error at an offset inside the text, ``location(ofLine:column:)`` maps it
/// back into the document so the diagnostic points at the right column inside the attribute.
public struct ExpressionSource: Hashable, Sendable, Codable {
    /// The expression text after XML decoding (entity references already replaced).
    public var text: String
    /// Where the first character of `text` stands in the document.
    public var location: SourceLocation
    /// Corrections for XML entity references that precede a point in the text: each pair says
    /// that from decoded offset `offset` (in Unicode scalars) on, the source column is shifted by
    /// `shift` more scalars (e.g. `&lt;` decodes to one scalar but takes four in the source, a
    /// shift of 3). Empty when the text was written without references.
    public var entityShifts: [EntityShift]

    /// One correction: from decoded offset `offset` on, add `shift` source columns.
    public struct EntityShift: Hashable, Sendable, Codable {
        /// The decoded offset (in Unicode scalars) where the shift starts.
        public var offset: Int
        /// How many more source scalars than decoded scalars the reference took.
        public var shift: Int
        public init(offset: Int, shift: Int) {
            self.offset = offset
            self.shift = shift
        }
    }

    public init(_ text: String, at location: SourceLocation = .synthesized, entityShifts: [EntityShift] = [])
    {
        self.text = text
        self.location = location
        self.entityShifts = entityShifts
    }

    /// Maps a 1-based line/column inside `text` to the location in the document.
    public func location(ofLine line: Int, column: Int) -> SourceLocation {
        guard location.line > 0 else { return location }
        if line <= 1 {
            // Offset (0-based scalars) from the start of the text on the first line.
            let offset = column - 1
            var shift = 0
            for s in entityShifts where s.offset <= offset { shift += s.shift }
            return SourceLocation(
                file: location.file, line: location.line, column: location.column + offset + shift)
        }
        return SourceLocation(file: location.file, line: location.line + line - 1, column: column)
    }
}
