public import SwitchyardCore
public import SwitchyardRules
public import SwitchyardSCXML

/// Resolves the rule set of each `<sy:route>` while a machine is compiled.
///
/// - `rules="name"`: a rule set registered here (passed to ``init(_:options:loaderOptions:)``),
///   else a `<sy:rules name="name">` declared as a child of the document's `<scxml>`.
///   Registered rule sets take precedence, so a host can replace a document's own rules.
/// - `src="file.rules.xml"`: a rule-set file, relative to the document's directory.
///
/// An unknown name, an unreadable file or an invalid rule set is a load error positioned at the
/// attribute (followed by the rule set's own diagnostics).
public struct RuleSetRouting: RoutingTableResolver {
    /// Rule sets registered from Swift, by name.
    public var ruleSets: [String: RuleSet]
    /// Options for inline and file rule sets.
    public var options: RuleSetOptions
    /// Limits for reading rule-set files.
    public var loaderOptions: LoaderOptions

    /// Creates a resolver with rule sets registered from Swift (a later set of the same name
    /// replaces an earlier one).
    public init(
        _ ruleSets: [RuleSet] = [], options: RuleSetOptions = .init(), loaderOptions: LoaderOptions = .init()
    ) {
        var byName: [String: RuleSet] = [:]
        for set in ruleSets { byName[set.name] = set }
        self.ruleSets = byName
        self.options = options
        self.loaderOptions = loaderOptions
    }

    /// The rule set `element` (a `<sy:route>`) names; see the type's documentation.
    public func routingTable(
        for element: ForeignElement, in document: SCXMLDocument
    ) throws(DiagnosticList) -> any RoutingTable {
        if let src = element.attribute("src") {
            var path = src.value
            if !path.hasPrefix("/"), let source = document.sourcePath, let slash = source.lastIndex(of: "/") {
                path = String(source[...slash]) + path
            }
            do throws(DiagnosticList) {
                return try RuleSet.load(path: path, options: options, loaderOptions: loaderOptions)
            } catch {
                let head = Diagnostic(
                    .error, "cannot load rule set '\(src.value)' (\(path))", at: src.location)
                throw DiagnosticList([head] + error.diagnostics)
            }
        }
        guard let name = element.attribute("rules") else {
            throw DiagnosticList([Diagnostic(.error, "<sy:route> names no rule set", at: element.location)])
        }
        if let set = ruleSets[name.value] { return set }
        let inline = document.extensionElements.filter {
            $0.namespace == SCXMLNamespace.switchyard && $0.name == "rules"
        }
        if let declaration = inline.first(where: { $0.attribute("name")?.value == name.value }) {
            return try RuleSet(element: declaration, options: options)
        }
        let known = (inline.compactMap { $0.attribute("name")?.value } + ruleSets.keys.sorted())
        let hint =
            known.isEmpty
            ? "no rule sets are declared or registered" : "known: " + known.joined(separator: ", ")
        throw DiagnosticList([
            Diagnostic(.error, "no rule set named '\(name.value)' (\(hint))", at: name.location)
        ])
    }
}
