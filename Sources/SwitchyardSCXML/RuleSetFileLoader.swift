public import SwitchyardCore

/// A rule-set file parsed into plain Swift values: its root `<sy:rules>` element with a source
/// location on every element and attribute value, and the document text for caret snippets.
///
/// The element tree is the same `ForeignElement` an inline `<sy:rules>` in an SCXML document
/// produces (`SCXMLDocument.extensionElements`), so one builder (module `SwitchyardRules`)
/// turns either into a rule set.
public struct RuleSetFile: Sendable, Hashable {
    /// The root element, `<rules>` in namespace `SCXMLNamespace.switchyard`.
    public var root: ForeignElement
    /// The file name used in diagnostics.
    public var file: String
    /// The lines of the document (without terminators), for caret snippets.
    public var lines: [String]

    /// Creates a loaded file.
    public init(root: ForeignElement, file: String, lines: [String]) {
        self.root = root
        self.file = file
        self.lines = lines
    }

    /// The text of 1-based line `line`, or nil when out of range.
    public func sourceLine(_ line: Int) -> String? {
        line >= 1 && line <= lines.count ? lines[line - 1] : nil
    }
}

/// Loads rule-set files (`*.rules.xml`, root `<sy:rules xmlns:sy="urn:switchyard:scxml:1">`) with
/// the same safe libxml2 settings and limits as ``SCXMLLoader``: no network, no entity
/// substitution or DTD loading, refused entity declarations, bounded size and depth.
///
/// The loader checks only that the file is well-formed XML with the right root; the rules
/// themselves are validated by `RuleSet` (module `SwitchyardRules`), which reports positioned
/// diagnostics against the locations kept here.
public struct RuleSetFileLoader: Sendable {
    /// Size and depth limits (`maxResourceBytes` and `baseDirectory` are unused).
    public var options: LoaderOptions

    /// Creates a loader with the given limits.
    public init(options: LoaderOptions = .init()) {
        self.options = options
    }

    /// Reads and parses the file at `path` (diagnostics name the path as given).
    public func load(path: String) throws(DiagnosticList) -> RuleSetFile {
        switch BoundedFile.read(path: path, limit: options.maxDocumentBytes) {
        case .success(let bytes): return try load(bytes: bytes, file: path)
        case .failure(let e):
            let message =
                e.tooLarge
                ? "the document is larger than the limit of \(options.maxDocumentBytes) bytes"
                : "cannot read the document: \(e.message)"
            throw DiagnosticList([
                Diagnostic(.error, message, at: SourceLocation(file: path, line: 1, column: 1))
            ])
        }
    }

    /// Parses a rule-set document held in memory; `file` names it in diagnostics.
    public func load(bytes: [UInt8], file: String) throws(DiagnosticList) -> RuleSetFile {
        let source = SourceText(file: file, bytes: bytes)
        func fail(_ message: String, at location: SourceLocation) -> DiagnosticList {
            DiagnosticList([Diagnostic(.error, message, at: location, sourceLine: source.line(location.line))]
            )
        }
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard bytes.count <= options.maxDocumentBytes else {
            throw fail(
                "the document is larger than the limit of \(options.maxDocumentBytes) bytes", at: start)
        }
        let scan = bytes.withUnsafeBufferPointer { StartTagScanner(bytes: $0, maxDepth: options.maxDepth) }
        switch scan.problem {
        case .entityDeclaration(let offset, let name)?:
            throw fail(
                "the DOCTYPE declares entity '\(name)': entity declarations are not supported (they can expand without bound)",
                at: source.location(of: offset))
        case .tooDeep(let offset, let limit)?:
            throw fail(
                "elements are nested deeper than the limit of \(limit)", at: source.location(of: offset))
        case nil:
            break
        }
        let parsed = XMLParser.parse(source, scan: scan)
        guard let root = parsed.root else {
            throw DiagnosticList(
                parsed.diagnostics.map { d in
                    var d = d
                    if d.sourceLine == nil { d.sourceLine = source.line(d.location.line) }
                    return d
                })
        }
        guard root.name == "rules", root.namespace == SCXMLNamespace.switchyard else {
            throw fail(
                "the root element must be <rules> in namespace '\(SCXMLNamespace.switchyard)', not <\(root.qualifiedName)>",
                at: root.location)
        }
        let builder = ModelBuilder(source: source, options: options, baseDirectory: ".")
        var lines: [String] = []
        lines.reserveCapacity(source.lineStarts.count)
        for i in 1...source.lineStarts.count { lines.append(source.line(i) ?? "") }
        return RuleSetFile(root: builder.foreignElement(root), file: file, lines: lines)
    }
}
