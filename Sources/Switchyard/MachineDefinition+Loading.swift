public import SwitchyardCore
public import SwitchyardSCXML

extension MachineDefinition {
    /// Loads, validates and compiles the SCXML file at `path`.
    ///
    /// - Parameters:
    ///   - path: the SCXML file.
    ///   - strict: treat expressions that do not compile as errors (see `MachineCompileOptions`).
    ///   - loaderOptions: size and depth limits for the loader.
    ///   - ruleSets: rule sets `<sy:route rules="name">` may use besides those declared in the
    ///     document (see ``RuleSetRouting``).
    ///   - bindings: Swift functions the document's expressions may call and Swift actions for
    ///     its `<sy:action>` elements (see `HostBindings`).
    /// - Throws: `DiagnosticList` with every problem, each positioned at file:line:col.
    public static func load(
        path: String, strict: Bool = false, loaderOptions: LoaderOptions = .init(), ruleSets: [RuleSet] = [],
        bindings: HostBindings = HostBindings()
    ) throws(DiagnosticList) -> MachineDefinition {
        let loaded = try SCXMLLoader(options: loaderOptions).load(path: path)
        return try compile(
            loaded.document, options: MachineCompileOptions(strict: strict), warnings: loaded.warnings,
            routing: RuleSetRouting(ruleSets, loaderOptions: loaderOptions), bindings: bindings)
    }

    /// Loads, validates and compiles a document held in memory; `file` names it in diagnostics
    /// (and is the base of relative `<sy:route src>` paths).
    public static func load(
        bytes: [UInt8], file: String = "<memory>", strict: Bool = false,
        loaderOptions: LoaderOptions = .init(), ruleSets: [RuleSet] = [],
        bindings: HostBindings = HostBindings()
    ) throws(DiagnosticList) -> MachineDefinition {
        let loaded = try SCXMLLoader(options: loaderOptions).load(bytes: bytes, file: file)
        return try compile(
            loaded.document, options: MachineCompileOptions(strict: strict), warnings: loaded.warnings,
            routing: RuleSetRouting(ruleSets, loaderOptions: loaderOptions), bindings: bindings)
    }
}

extension SCXMLLoader {
    /// A `DocumentLoader` for `<invoke src>`: accepts plain paths and `file:` URIs, relative
    /// ones resolved against the invoking document's directory.
    public var documentLoader: DocumentLoader {
        let options = self.options
        return { src, base in
            var path = src
            if path.hasPrefix("file://") {
                path = String(path.dropFirst(7))
            } else if path.hasPrefix("file:") {
                path = String(path.dropFirst(5))
            }
            if !path.hasPrefix("/"), let base { path = base + "/" + path }
            return try SCXMLLoader(options: options).load(path: path).document
        }
    }
}

extension SCXMLLoader {
    /// A `DocumentParser` for `<invoke>` content given as markup. Inline markup inherits the
    /// SCXML namespace of the document it was written in, so a root without `xmlns` gets it.
    public var documentParser: DocumentParser {
        let options = self.options
        return { text in
            var xml = text
            if let open = xml.range(of: "<scxml"),
                !xml[open.upperBound...].prefix(while: { $0 != ">" }).contains("xmlns=")
            {
                xml.replaceSubrange(open, with: "<scxml xmlns=\"\(SCXMLNamespace.scxml)\"")
            }
            return try SCXMLLoader(options: options).load(bytes: Array(xml.utf8), file: "<invoke content>")
                .document
        }
    }
}
