public import SwitchyardCore
public import SwitchyardRules
public import SwitchyardSCXML

extension RuleSet {
    /// Loads, validates and compiles the rule-set file at `path` (`*.rules.xml`).
    ///
    /// - Throws: `DiagnosticList` with every problem, each positioned at file:line:col with a
    ///   caret snippet (expression errors at their column inside the attribute).
    public static func load(
        path: String, options: RuleSetOptions = .init(), loaderOptions: LoaderOptions = .init()
    ) throws(DiagnosticList) -> RuleSet {
        let file = try RuleSetFileLoader(options: loaderOptions).load(path: path)
        return try RuleSet(element: file.root, options: options, sourceLine: file.sourceLine)
    }

    /// Loads, validates and compiles a rule-set document held in memory; `file` names it in
    /// diagnostics.
    public static func load(
        bytes: [UInt8], file: String = "<memory>", options: RuleSetOptions = .init(),
        loaderOptions: LoaderOptions = .init()
    ) throws(DiagnosticList) -> RuleSet {
        let loaded = try RuleSetFileLoader(options: loaderOptions).load(bytes: bytes, file: file)
        return try RuleSet(element: loaded.root, options: options, sourceLine: loaded.sourceLine)
    }
}
