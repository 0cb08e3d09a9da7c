public import SwitchyardCore

/// Limits and settings for ``SCXMLLoader``.
public struct LoaderOptions: Sendable, Hashable {
    /// Documents larger than this are refused before parsing. Default 16 MiB.
    public var maxDocumentBytes: Int
    /// `<script src>` and `<data src>` files larger than this are not read. Default 16 MiB.
    public var maxResourceBytes: Int
    /// Element nesting deeper than this is refused before parsing. Default 256 (libxml2 refuses
    /// deeper documents in any case, since the loader never enables `XML_PARSE_HUGE`).
    public var maxDepth: Int
    /// The directory relative `src` references resolve against. Default: the directory of the
    /// loaded file, or the current directory for bytes.
    public var baseDirectory: String?

    /// Creates options; every limit has a safe default.
    public init(
        maxDocumentBytes: Int = 16 << 20, maxResourceBytes: Int = 16 << 20, maxDepth: Int = 256,
        baseDirectory: String? = nil
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxResourceBytes = maxResourceBytes
        self.maxDepth = maxDepth
        self.baseDirectory = baseDirectory
    }
}

/// A document that loaded and validated, with the warnings found on the way (for example a
/// `<data src>` that could not be read).
public struct LoadedDocument: Sendable, Hashable {
    /// The validated document.
    public var document: SCXMLDocument
    /// Warnings in document order; never an error.
    public var warnings: [Diagnostic]

    /// Wraps a validated document and its warnings.
    public init(document: SCXMLDocument, warnings: [Diagnostic] = []) {
        self.document = document
        self.warnings = warnings
    }
}

/// Loads SCXML 1.0 documents: parses with libxml2 (no network, no entity substitution, no DTD
/// loading), builds the `SCXMLDocument` model with a source location on every node, and
/// validates it.
///
/// A load either returns a fully valid document or throws every diagnostic found, errors first
/// in document order, each positioned at file, line and column with the source line for a caret
/// snippet (`Diagnostic.rendered`). A half-valid document is never returned.
///
/// ```swift
/// do {
///     let loaded = try SCXMLLoader().load(path: "machines/order.scxml")
///     print(loaded.document.states.count)
/// } catch {
///     print(error.description)  // path:line:col: error: message + snippet, per problem
/// }
/// ```
///
/// The loader is a value with no shared state; loads on different threads are independent.
public struct SCXMLLoader: Sendable {
    /// The limits and settings used by every load.
    public var options: LoaderOptions

    /// Creates a loader with the given limits.
    public init(options: LoaderOptions = .init()) {
        self.options = options
    }

    /// Reads and loads the file at `path` (diagnostics name the path as given).
    public func load(path: String) throws(DiagnosticList) -> LoadedDocument {
        let bytes: [UInt8]
        switch BoundedFile.read(path: path, limit: options.maxDocumentBytes) {
        case .success(let b): bytes = b
        case .failure(let e):
            let message =
                e.tooLarge
                ? "the document is larger than the limit of \(options.maxDocumentBytes) bytes"
                : "cannot read the document: \(e.message)"
            throw DiagnosticList([
                Diagnostic(.error, message, at: SourceLocation(file: path, line: 1, column: 1))
            ])
        }
        var options = self.options
        if options.baseDirectory == nil { options.baseDirectory = Self.directory(of: path) }
        return try SCXMLLoader(options: options).load(bytes: bytes, file: path)
    }

    /// Loads a document from bytes; `file` names it in diagnostics (for example `"<memory>"`).
    public func load(bytes: [UInt8], file: String) throws(DiagnosticList) -> LoadedDocument {
        let source = SourceText(file: file, bytes: bytes)
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard bytes.count <= options.maxDocumentBytes else {
            throw finish(
                [
                    Diagnostic(
                        .error, "the document is larger than the limit of \(options.maxDocumentBytes) bytes",
                        at: start)
                ], source: source)
        }
        let scan = bytes.withUnsafeBufferPointer { StartTagScanner(bytes: $0, maxDepth: options.maxDepth) }
        switch scan.problem {
        case .entityDeclaration(let offset, let name)?:
            throw finish(
                [
                    Diagnostic(
                        .error,
                        "the DOCTYPE declares entity '\(name)': entity declarations are not supported (they can expand without bound)",
                        at: source.location(of: offset))
                ], source: source)
        case .tooDeep(let offset, let limit)?:
            throw finish(
                [
                    Diagnostic(
                        .error, "elements are nested deeper than the limit of \(limit)",
                        at: source.location(of: offset))
                ], source: source)
        case nil:
            break
        }

        let parsed = XMLParser.parse(source, scan: scan)
        guard let root = parsed.root else { throw finish(parsed.diagnostics, source: source) }

        var builder = ModelBuilder(
            source: source, options: options, baseDirectory: options.baseDirectory ?? Self.directory(of: file)
        )
        builder.diagnostics = parsed.diagnostics
        if root.name != "scxml" {
            builder.error("the root element must be <scxml>, not <\(root.qualifiedName)>", at: root.location)
            throw finish(builder.diagnostics, source: source)
        }
        if let ns = root.namespace, ns != SCXMLNamespace.scxml {
            builder.error(
                "<scxml> must be in namespace '\(SCXMLNamespace.scxml)', not '\(ns)'", at: root.location)
            throw finish(builder.diagnostics, source: source)
        }
        if root.namespace == nil {
            builder.warning(
                "<scxml> has no namespace; add xmlns=\"\(SCXMLNamespace.scxml)\"", at: root.location)
        }
        let document = builder.buildDocument(root)
        let diagnostics = sorted(builder.diagnostics, source: source)
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw DiagnosticList(diagnostics)
        }
        return LoadedDocument(document: document, warnings: diagnostics)
    }

    private func finish(_ diagnostics: [Diagnostic], source: SourceText) -> DiagnosticList {
        DiagnosticList(sorted(diagnostics, source: source))
    }

    /// Errors first, then the rest, each in document order; source lines attached for snippets.
    private func sorted(_ diagnostics: [Diagnostic], source: SourceText) -> [Diagnostic] {
        func rank(_ d: Diagnostic) -> Int { d.severity == .error ? 0 : 1 }
        let ordered = diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if rank(x) != rank(y) { return rank(x) < rank(y) }
            if x.location.file != y.location.file { return a.offset < b.offset }
            if x.location.line != y.location.line { return x.location.line < y.location.line }
            if x.location.column != y.location.column { return x.location.column < y.location.column }
            return a.offset < b.offset
        }
        return ordered.map { pair in
            var d = pair.element
            if d.sourceLine == nil, d.location.file == source.file {
                d.sourceLine = source.line(d.location.line)
            }
            return d
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
