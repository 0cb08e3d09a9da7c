public import SwitchyardCore
import SwitchyardExpressions

extension RuleSet {
    /// Validates and compiles a declaration.
    ///
    /// Checked (each problem a positioned error; expression errors at their column inside the
    /// attribute): expression syntax, calls of unknown functions or methods, empty or duplicate
    /// rule names, missing or empty targets (and targets outside
    /// ``RuleSetOptions/knownTargets``), duplicate parameter names, two rules with equal
    /// priority and identical conditions, and — in mode `first` — rules that can never fire
    /// because an unconditional rule runs before them.
    ///
    /// - Throws: `DiagnosticList`, errors first in document order.
    public init(_ declaration: RuleSetDeclaration, options: RuleSetOptions = .init()) throws(DiagnosticList) {
        var diagnostics: [Diagnostic] = []
        let set = RuleSetCompiler(options: options).compile(declaration, &diagnostics)
        let sorted = RuleSetCompiler.sorted(diagnostics)
        guard let set, !sorted.contains(where: { $0.severity == .error }) else {
            throw DiagnosticList(sorted)
        }
        self = set
    }

    /// Builds, validates and compiles a `<sy:rules>` element (from `RuleSetFileLoader` or
    /// `SCXMLDocument.extensionElements`). `sourceLine` supplies the text of a document line
    /// for caret snippets.
    public init(
        element: ForeignElement, options: RuleSetOptions = .init(),
        sourceLine: (Int) -> String? = { _ in nil }
    ) throws(DiagnosticList) {
        var diagnostics: [Diagnostic] = []
        let declaration = RuleSetDeclaration.build(element, &diagnostics)
        let set = RuleSetCompiler(options: options).compile(declaration, &diagnostics)
        var sorted = RuleSetCompiler.sorted(diagnostics)
        for i in sorted.indices where sorted[i].sourceLine == nil {
            sorted[i].sourceLine = sourceLine(sorted[i].location.line)
        }
        guard let set, !sorted.contains(where: { $0.severity == .error }) else {
            throw DiagnosticList(sorted)
        }
        self = RuleSet(
            name: set.name, mode: set.mode, rules: set.rules, fallback: set.fallback, symbols: set.symbols,
            limits: set.limits, warnings: sorted)
    }

    /// Every `<sy:rules>` declared inline as a child of `<scxml>`, validated and compiled, in
    /// document order.
    ///
    /// - Throws: the diagnostics of every invalid rule set.
    public static func inline(
        in document: SCXMLDocument, options: RuleSetOptions = .init(),
        sourceLine: (Int) -> String? = { _ in nil }
    ) throws(DiagnosticList) -> [RuleSet] {
        var sets: [RuleSet] = []
        var problems: [Diagnostic] = []
        for el in document.extensionElements
        where el.namespace == SCXMLNamespace.switchyard && el.name == "rules" {
            do throws(DiagnosticList) {
                sets.append(try RuleSet(element: el, options: options, sourceLine: sourceLine))
            } catch {
                problems += error.diagnostics
            }
        }
        if !problems.isEmpty { throw DiagnosticList(RuleSetCompiler.sorted(problems)) }
        return sets
    }
}

/// Checks a declaration and compiles its expressions.
struct RuleSetCompiler {
    let options: RuleSetOptions

    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        func rank(_ d: Diagnostic) -> Int { d.severity == .error ? 0 : 1 }
        return diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if rank(x) != rank(y) { return rank(x) < rank(y) }
            if x.location.line != y.location.line { return x.location.line < y.location.line }
            if x.location.column != y.location.column { return x.location.column < y.location.column }
            return a.offset < b.offset
        }.map(\.element)
    }

    func compile(_ d: RuleSetDeclaration, _ diagnostics: inout [Diagnostic]) -> RuleSet? {
        func error(_ message: String, _ at: SourceLocation) {
            diagnostics.append(Diagnostic(.error, message, at: at))
        }
        func warning(_ message: String, _ at: SourceLocation) {
            diagnostics.append(Diagnostic(.warning, message, at: at))
        }
        if d.name.isEmpty { error("the rule set has no name", d.location) }

        // Outline every expression first: syntax errors, unknown calls, and the variables to declare.
        var symbols = SymbolTable()
        var outlines: [String: ExpressionOutline] = [:]
        func outline(_ source: ExpressionSource) -> ExpressionOutline? {
            if let o = outlines[source.text] { return o }
            do {
                let o = try ExpressionOutline.parse(
                    source.text, options: CompileOptions(limits: options.limits))
                for v in o.freeVariables { symbols.declare(v) }
                // Unknown calls are reported here; the expression is not compiled (no second report).
                guard o.calls.allSatisfy(\.isBuiltin) else {
                    for c in o.calls where !c.isBuiltin {
                        let what = c.kind == .method ? "method" : "function"
                        error(
                            "unknown \(what) '\(c.name)'", source.location(ofLine: c.line, column: c.column))
                    }
                    return nil
                }
                outlines[source.text] = o
                return o
            } catch {
                diagnostics.append(
                    Diagnostic(
                        .error, error.message, at: source.location(ofLine: error.line, column: error.column)))
                return nil
            }
        }
        for r in d.rules {
            if let w = r.when, w.text.trimmingWhitespace.isEmpty {
                error("rule '\(r.name)' has an empty condition", w.location)
            } else if let w = r.when {
                _ = outline(w)
            }
            for p in r.parameters { if case .expression(let e) = p.source { _ = outline(e) } }
        }
        for p in d.fallback?.parameters ?? [] { if case .expression(let e) = p.source { _ = outline(e) } }

        let compileOptions = CompileOptions(limits: options.limits)
        func compileWhole(_ source: ExpressionSource) -> CompiledExpression? {
            guard outlines[source.text] != nil else { return nil }
            do {
                return try CompiledExpression.compile(source.text, symbols: symbols, options: compileOptions)
            } catch {
                diagnostics.append(
                    Diagnostic(
                        .error, error.message, at: source.location(ofLine: error.line, column: error.column)))
                return nil
            }
        }
        func tree(_ node: ExpressionOutline.Node) -> ConditionNode? {
            switch node {
            case .all(let xs):
                var out: [ConditionNode] = []
                for x in xs {
                    guard let n = tree(x) else { return nil }
                    out.append(n)
                }
                return .all(out)
            case .any(let xs):
                var out: [ConditionNode] = []
                for x in xs {
                    guard let n = tree(x) else { return nil }
                    out.append(n)
                }
                return .any(out)
            case .operand(let span):
                guard
                    let c = try? CompiledExpression.compile(
                        span.text, symbols: symbols, options: compileOptions)
                else { return nil }
                return .operand(c, span)
            }
        }
        func compileParameters(_ ps: [ParameterDeclaration], _ owner: String) -> CompiledParameters {
            var names: Set<String> = []
            var items: [(name: String, value: ParameterCode)] = []
            var constant = true
            for p in ps {
                if p.location.line == 0, !names.insert(p.name).inserted {
                    error("duplicate parameter '\(p.name)' in \(owner)", p.location)
                }
                switch p.source {
                case .value(let v): items.append((p.name, .value(v)))
                case .expression(let e):
                    constant = false
                    if let c = compileWhole(e) { items.append((p.name, .expression(c, e))) }
                }
            }
            if constant {
                return .constant(
                    JSObject(
                        items.map { item in
                            guard case .value(let v) = item.value else { return (item.name, Value.undefined) }
                            return (item.name, v)
                        }))
            }
            return .computed(items)
        }
        func checkTarget(_ target: String, _ at: SourceLocation, _ owner: String) {
            if target.trimmingWhitespace.isEmpty {
                if at.line == 0 { error("\(owner) has no target", at) }
            } else if let known = options.knownTargets, !known.contains(target) {
                error("\(owner) routes to unknown target '\(target)'", at)
            }
        }

        // Rules.
        var compiled: [Rule] = []
        var firstByName: [String: SourceLocation] = [:]
        for (i, r) in d.rules.enumerated() {
            if r.name.isEmpty, r.nameLocation.line == 0 { error("a rule has no name", r.location) }
            if !r.name.isEmpty {
                if let first = firstByName[r.name] {
                    error(
                        "duplicate rule name '\(r.name)' (first declared at \(first.line):\(first.column))",
                        r.nameLocation)
                } else {
                    firstByName[r.name] = r.nameLocation
                }
            }
            checkTarget(r.target, r.targetLocation, "rule '\(r.name)'")
            var condition: CompiledCondition?
            if let w = r.when, let whole = compileWhole(w), let o = outlines[w.text] {
                let t = tree(o.root) ?? .operand(whole, .init(text: w.text, line: 1, column: 1, offset: 0))
                condition = CompiledCondition(whole: whole, tree: t, source: w)
            }
            compiled.append(
                Rule(
                    name: r.name, priority: r.priority, documentIndex: i, target: r.target, when: r.when,
                    location: r.location, condition: condition,
                    parameters: compileParameters(r.parameters, "rule '\(r.name)'")))
        }
        var fallback: (target: String, parameters: CompiledParameters)?
        if let f = d.fallback {
            checkTarget(f.target, f.location, "the default")
            fallback = (f.target, compileParameters(f.parameters, "the default"))
        }

        // Evaluation order: priority descending, ties in document order.
        let ordered = compiled.sorted { a, b in
            a.priority != b.priority ? a.priority > b.priority : a.documentIndex < b.documentIndex
        }

        // Equal priority and identical conditions.
        var seen: [String: Rule] = [:]
        var duplicates: Set<Int> = []
        for r in ordered {
            let key = "\(r.priority)\u{0}" + Self.normalized(r.when?.text)
            if let first = seen[key] {
                let what = r.when == nil ? "no condition" : "the same condition"
                error(
                    "rule '\(r.name)' has the same priority (\(r.priority)) and \(what) as rule '\(first.name)' (line \(first.location.line))",
                    r.location)
                duplicates.insert(r.documentIndex)
            } else {
                seen[key] = r
            }
        }

        // Shadowing (mode first): nothing after an unconditional rule can fire.
        if d.mode == .first {
            if let u = ordered.firstIndex(where: { isUnconditional($0) }) {
                let shadow = ordered[u]
                for r in ordered[(u + 1)...] where !duplicates.contains(r.documentIndex) {
                    error(
                        "rule '\(r.name)' can never fire: the unconditional rule '\(shadow.name)' (priority \(shadow.priority), line \(shadow.location.line)) always matches first",
                        r.location)
                }
                if let f = d.fallback {
                    warning(
                        "the default can never be used: the unconditional rule '\(shadow.name)' always matches",
                        f.location)
                }
            }
        }
        return RuleSet(
            name: d.name, mode: d.mode, rules: ordered, fallback: fallback, symbols: symbols,
            limits: options.limits,
            warnings: [])
    }

    /// Whether a rule always matches: no condition, or a condition over no variables that is true.
    func isUnconditional(_ r: Rule) -> Bool {
        guard let c = r.condition else { return r.when == nil }
        guard let w = r.when, let o = try? ExpressionOutline.parse(w.text), o.freeVariables.isEmpty else {
            return false
        }
        var env = Environment(symbols: SymbolTable(), limits: options.limits)
        return (try? c.whole.evaluateCondition(in: &env)) == true
    }

    /// The condition text without whitespace outside string literals (so `a==1` and `a == 1`
    /// compare equal).
    static func normalized(_ text: String?) -> String {
        guard let text else { return "" }
        var out = ""
        var quote: Character?
        var escaped = false
        for ch in text {
            if let q = quote {
                out.append(ch)
                if escaped {
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == q {
                    quote = nil
                }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                out.append(ch)
            } else if !ch.isWhitespace {
                out.append(ch)
            }
        }
        return out
    }
}
