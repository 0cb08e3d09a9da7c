/// A position in a source file: 1-based line and column (columns count Unicode scalars).
///
/// Every node of the SCXML model carries one, and every diagnostic is rendered from one as
/// `path:line:col`.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file the node came from, as given to the loader (`"<memory>"` for bytes without a name).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column number, in Unicode scalars.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A location for nodes built in code (the Swift DSL, tests) rather than loaded from a file.
    public static let synthesized = SourceLocation(file: "<code>", line: 0, column: 0)

    /// `file:line:col`.
    public var description: String { "\(file):\(line):\(column)" }
}
