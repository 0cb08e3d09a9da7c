/// A problem found in a document, positioned at file, line and column.
///
/// Rendered as `path:line:col: error: message`, followed by the offending source line and a
/// caret under the column when the source text is known.
public struct Diagnostic: Hashable, Sendable, Codable, Error, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Hashable, Sendable, Codable {
        case error
        case warning
        case note
    }

    /// Error, warning or note.
    public var severity: Severity
    /// What is wrong, in one sentence.
    public var message: String
    /// Where: file, line and column.
    public var location: SourceLocation
    /// The full text of the source line at `location.line`, for the caret snippet.
    public var sourceLine: String?

    public init(
        _ severity: Severity, _ message: String, at location: SourceLocation, sourceLine: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
    }

    /// `path:line:col: severity: message` without the snippet.
    public var headline: String { "\(location): \(severity.rawValue): \(message)" }

    /// The headline plus, when the source line is known, the line and a caret under the column.
    public var rendered: String {
        guard let line = sourceLine, location.column > 0 else { return headline }
        // Keep tabs so the caret lines up under tab-indented source.
        var caret = ""
        for (i, ch) in line.unicodeScalars.enumerated() where i < location.column - 1 {
            caret.unicodeScalars.append(ch == "\t" ? "\t" : " ")
        }
        return "\(headline)\n\(line)\n\(caret)^"
    }

    /// The rendered form (headline and caret snippet).
    public var description: String { rendered }
}

/// A load that failed: every diagnostic found, errors first in document order.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    /// Every diagnostic, errors first in document order.
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    /// Only the errors.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    /// All diagnostics rendered, one after another.
    public var description: String { diagnostics.map(\.rendered).joined(separator: "\n") }
}
