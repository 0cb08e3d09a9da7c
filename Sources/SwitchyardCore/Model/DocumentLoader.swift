/// Loads the document named by an `<invoke src>` (resolved against `baseDirectory`).
public typealias DocumentLoader = @Sendable (_ src: String, _ baseDirectory: String?) throws -> SCXMLDocument

/// Parses an SCXML document held in a string (an `<invoke>` whose `<content expr>` evaluates to
/// markup).
public typealias DocumentParser = @Sendable (_ text: String) throws -> SCXMLDocument
