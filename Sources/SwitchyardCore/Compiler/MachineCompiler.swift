import SwitchyardExpressions

/// Options for compiling a document into a ``MachineDefinition``.
public struct MachineCompileOptions: Sendable, Hashable {
    /// Treat expressions that do not compile as errors instead of warnings. Off by default so the
    /// W3C tests that deliberately contain illegal expressions load and raise `error.execution`
    /// at run time; production users turn it on.
    public var strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }
}

extension MachineDefinition {
    /// Compiles a document into index tables.
    ///
    /// - Throws: ``DiagnosticList`` when the document is structurally invalid (unknown targets,
    ///   duplicate ids, ...) or, in strict mode, when an expression does not compile.
    ///
    /// - Parameters:
    ///   - document: the document (validated first with ``SCXMLDocument/validate()``).
    ///   - options: strict mode and other compilation settings.
    ///   - warnings: diagnostics found earlier (by the loader) to keep with the result.
    ///   - routing: resolves the rule sets of `<sy:route>` elements; without one, a `<sy:route>`
    ///     is a load error (load through `MachineDefinition.load` of the `Switchyard` module,
    ///     which supplies one).
    ///   - bindings: Swift functions the expressions may call and Swift actions for
    ///     `<sy:action>` (see ``HostBindings``). A function named `In` or with a name that is not
    ///     an identifier is an error.
    public static func compile(
        _ document: SCXMLDocument, options: MachineCompileOptions = .init(), warnings: [Diagnostic] = [],
        routing: (any RoutingTableResolver)? = nil, bindings: HostBindings = HostBindings()
    ) throws(DiagnosticList) -> MachineDefinition {
        var compiler = MachineCompiler(document: document, options: options, bindings: bindings)
        compiler.routing = routing
        compiler.diagnostics = warnings + compiler.diagnostics
        return try compiler.run()
    }
}

/// Builds the tables of a ``MachineDefinition`` from an ``SCXMLDocument``.
struct MachineCompiler {
    let document: SCXMLDocument
    let options: MachineCompileOptions
    var routing: (any RoutingTableResolver)?
    var diagnostics: [Diagnostic] = []
    var states: [StateDraft] = []
    var transitions: [TransitionDraft] = []
    var stateIndexByID: [String: Int] = [:]
    var symbols = SymbolTable()
    var descriptorIDs: [String: Int] = [:]
    var allData: [CompiledData] = []
    var usesIn = false
    var usesEvent = false
    var generatedCount = 0
    var invokeCounter = 0
    let dataModel: DataModelKind
    let compileOptions: CompileOptions

    let bindings: HostBindings

    init(document: SCXMLDocument, options: MachineCompileOptions, bindings: HostBindings = HostBindings()) {
        self.document = document
        self.options = options
        self.bindings = bindings
        self.dataModel = document.datamodel == "null" ? .null : .ecmascript
        self.compileOptions = CompileOptions(hostFunctions: Set(bindings.functions.keys).union(["In"]))
        // The host object that answers In() also answers bound functions.
        self.usesIn = !bindings.functions.isEmpty
        for name in bindings.functions.keys.sorted() where name == "In" || !Interpreter.isIdentifier(name) {
            diagnostics.append(
                Diagnostic(.error, "cannot bind a Swift function named '\(name)'", at: document.location))
        }
    }

    mutating func run() throws(DiagnosticList) -> MachineDefinition {
        // Cross-reference checks first (unique ids, targets that exist and are legal): the
        // passes below rely on them and report no such problem themselves.
        let problems = document.validate()
        if !problems.isEmpty { throw DiagnosticList(diagnostics + problems) }
        var eventSlot: Int?
        var sessionIDSlot: Int?
        var nameSlot: Int?
        var ioSlot: Int?
        if dataModel == .ecmascript {
            eventSlot = symbols.declare("_event", readOnly: true)
            sessionIDSlot = symbols.declare("_sessionid", readOnly: true)
            nameSlot = symbols.declare("_name", readOnly: true)
            ioSlot = symbols.declare("_ioprocessors", readOnly: true)
        }
        // Pass 1: number the states in document order and declare every <data> id, so that all
        // expressions resolve data to slots whatever their position in the document.
        let root = StateDraft(
            id: document.name.map { "_scxml_\($0)" } ?? "_scxml", kind: .root, parent: -1, depth: 0,
            subtreeEnd: 0,
            children: [], historyChildren: [], initialTransition: nil, transitions: [], historyDefault: nil,
            onEntry: [], onExit: [], data: [], invokes: [], doneData: nil, location: document.location)
        states.append(root)
        var nodes: [StateNode?] = [nil]
        for child in document.states { number(child, parent: 0, depth: 1, nodes: &nodes) }
        states[0].subtreeEnd = states.count - 1
        if dataModel == .ecmascript {
            for d in document.data { declareData(d.id) }
            for node in nodes.dropFirst() {
                if let node { for d in node.data { declareData(d.id) } }
            }
        }
        // Pass 2: compile content, transitions and data.
        let rootScript = document.script.map { compileScript($0.source) }
        for d in document.data { allData.append(compileData(d)) }
        for index in 1..<states.count {
            guard let node = nodes[index] else { continue }
            compileState(node, index: index)
        }
        // The root's initial transition.
        let rootTargets = resolveTargets(document.initial, within: 0)
        let firstChild = states[0].children.first
        if rootTargets.isEmpty, firstChild == nil {
            diagnostics.append(
                Diagnostic(.error, "<scxml> has no child state to start in", at: document.location))
        }
        states[0].initialTransition = addTransition(
            TransitionDraft(
                source: 0, descriptors: [], matchesAnyEvent: false, eventText: "", cond: nil,
                targets: rootTargets.isEmpty ? (firstChild.map { [$0] } ?? []) : rootTargets,
                isInternal: true,
                actions: [], location: document.location))

        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { throw DiagnosticList(diagnostics) }
        return MachineDefinition(
            document: document, warnings: diagnostics, states: states.map(CompiledState.init),
            transitions: transitions.map(CompiledTransition.init),
            stateIndexByID: stateIndexByID, symbols: symbols, dataModel: dataModel, eventSlot: eventSlot,
            sessionIDSlot: sessionIDSlot, nameSlot: nameSlot, ioProcessorsSlot: ioSlot,
            descriptorIDs: descriptorIDs,
            rootScript: rootScript, usesIn: usesIn, usesEvent: usesEvent, allData: allData,
            baseDirectory: document.sourcePath.map(directoryOf), options: compileOptions, bindings: bindings,
            routing: routing)
    }

    // MARK: Numbering

    private mutating func number(_ node: StateNode, parent: Int, depth: Int, nodes: inout [StateNode?]) {
        let index = states.count
        let kind: CompiledState.Kind
        switch node.kind {
        case .state: kind = node.children.contains { !isHistory($0) } ? .compound : .atomic
        case .parallel: kind = .parallel
        case .final: kind = .final
        case .history(.shallow): kind = .shallowHistory
        case .history(.deep): kind = .deepHistory
        }
        let id: String
        if let given = node.id {
            id = given
        } else {
            generatedCount += 1
            id = "_state\(generatedCount)"
        }
        stateIndexByID[id] = stateIndexByID[id] ?? index
        states.append(
            StateDraft(
                id: id, kind: kind, parent: parent, depth: depth, subtreeEnd: index, children: [],
                historyChildren: [], initialTransition: nil, transitions: [], historyDefault: nil,
                onEntry: [],
                onExit: [], data: [], invokes: [], doneData: nil, location: node.location))
        nodes.append(node)
        if kind == .shallowHistory || kind == .deepHistory {
            states[parent].historyChildren.append(index)
        } else {
            states[parent].children.append(index)
        }
        for child in node.children { number(child, parent: index, depth: depth + 1, nodes: &nodes) }
        states[index].subtreeEnd = states.count - 1
    }

    private func isHistory(_ node: StateNode) -> Bool {
        if case .history = node.kind { return true }
        return false
    }

    private mutating func declareData(_ id: String) {
        if symbols.slot(of: id) == nil { symbols.declare(id) }
    }

    // MARK: States

    private mutating func compileState(_ node: StateNode, index: Int) {
        let kind = states[index].kind
        states[index].onEntry = node.onEntry.map { compileBlock($0) }
        states[index].onExit = node.onExit.map { compileBlock($0) }
        var data: [CompiledData] = []
        for d in node.data {
            let compiled = compileData(d)
            data.append(compiled)
            allData.append(compiled)
        }
        states[index].data = data
        states[index].invokes = node.invokes.map { compileInvoke($0) }
        if let attr = node.extensionAttributes.first(where: {
            $0.namespace == SCXMLNamespace.switchyard && $0.name == "timeout"
        }) {
            if let d = DelaySpec.parse(attr.value) {
                states[index].timeout = d
            } else {
                diagnostics.append(
                    Diagnostic(
                        .error, "sy:timeout '\(attr.value)' is not a valid duration", at: attr.location))
            }
        }
        if let done = node.doneData {
            states[index].doneData = CompiledDoneData(
                params: done.params.map { compileParam($0) }, content: compileContent(done.content))
        }
        switch kind {
        case .shallowHistory, .deepHistory:
            if let t = node.transitions.first {
                states[index].historyDefault = addTransition(compileTransition(t, source: index))
            } else {
                diagnostics.append(
                    Diagnostic(
                        .error, "history state '\(states[index].id)' has no default transition",
                        at: node.location))
            }
        case .compound:
            if let initial = node.initialTransition {
                var t = compileTransition(initial, source: index)
                t.isInternal = true
                states[index].initialTransition = addTransition(t)
            } else {
                var targets = resolveTargets(node.initial, within: index)
                if targets.isEmpty, let first = states[index].children.first { targets = [first] }
                states[index].initialTransition = addTransition(
                    TransitionDraft(
                        source: index, descriptors: [], matchesAnyEvent: false, eventText: "", cond: nil,
                        targets: targets,
                        isInternal: true, actions: [], location: node.location))
            }
            fallthrough
        default:
            for t in node.transitions {
                states[index].transitions.append(addTransition(compileTransition(t, source: index)))
            }
        }
    }

    private mutating func addTransition(_ t: TransitionDraft) -> Int {
        transitions.append(t)
        return transitions.count - 1
    }

    private mutating func compileTransition(_ t: Transition, source: Int) -> TransitionDraft {
        var descriptors: [Int] = []
        var any = false
        for raw in t.events {
            var d = Substring(raw)
            if d == "*" {
                any = true
                continue
            }
            if d.hasSuffix(".*") { d = d.dropLast(2) }
            while d.hasSuffix(".") { d = d.dropLast() }
            if d.isEmpty {
                // ".*" names no token at all, so every event has it as a prefix.
                any = true
                continue
            }
            let key = String(d)
            if let id = descriptorIDs[key] {
                descriptors.append(id)
            } else {
                let id = descriptorIDs.count
                descriptorIDs[key] = id
                descriptors.append(id)
            }
        }
        let targets = resolveTargets(t.targets, within: nil)
        return TransitionDraft(
            source: source, descriptors: descriptors, matchesAnyEvent: any,
            eventText: t.events.joined(separator: " "), cond: t.cond.map { compileExpr($0) },
            targets: targets, isInternal: t.type == .internal, actions: compileBlock(t.actions),
            location: t.location)
    }

    private mutating func resolveTargets(
        _ ids: [String], within ancestor: Int?
    ) -> [Int] {
        var out: [Int] = []
        for id in ids {
            // `SCXMLDocument.validate()` has checked that the target exists and is legal here.
            guard let index = stateIndexByID[id] else { continue }
            if let ancestor, ancestor != 0, !(index > ancestor && index <= states[ancestor].subtreeEnd) {
                continue
            }
            out.append(index)
        }
        return out
    }

    // MARK: Executable content

    private mutating func compileBlock(_ actions: [Action]) -> Block {
        actions.map { compileAction($0) }
    }

    private mutating func compileAction(_ action: Action) -> Op {
        switch action {
        case .raise(let r):
            return .raise(r.event)
        case .send(let s):
            return .send(compileSend(s))
        case .cancel(let c):
            return .cancel(id: c.sendID, idExpr: c.sendIDExpr.map { compileExpr($0) })
        case .log(let l):
            return .log(label: l.label, expr: l.expr.map { compileExpr($0) })
        case .assign(let a):
            let value: ValueSource
            if let e = a.expr {
                value = .expr(compileExpr(e))
            } else if let c = a.content {
                value = .literal(Self.contentValue(c.text))
            } else {
                value = .none
            }
            let name = a.locationExpr.text.trimmingWhitespace()
            if Interpreter.isIdentifier(name), let slot = symbols.slot(of: name), !symbols.isReadOnly(slot) {
                note(a.locationExpr)
                return .assignSlot(slot, value: value)
            }
            return .assign(location: compileLocation(a.locationExpr), value: value, at: a.location)
        case .script(let s):
            return .script(compileScript(s.source))
        case .if(let i):
            return .branches(
                i.branches.map { (cond: $0.cond.map { compileExpr($0) }, block: compileBlock($0.actions)) })
        case .foreach(let f):
            return .foreach(
                array: compileExpr(f.array), item: compileLocation(f.item, declare: true),
                index: f.index.map { compileLocation($0, declare: true) }, block: compileBlock(f.actions),
                at: f.location)
        case .extension(let e) where e.name == "route":
            return .custom(compileRoute(e))
        case .extension(let e):
            return .custom(compileCustomAction(e))
        case .foreign(let e):
            return .custom(CompiledCustomAction(name: e.name, params: [], element: e, isSwitchyard: false))
        }
    }

    private mutating func compileSend(_ s: SendAction) -> CompiledSend {
        var params: [CompiledParam] = []
        for name in s.namelist {
            params.append(
                CompiledParam(name: name, value: compileExpr(ExpressionSource(name, at: s.location))))
        }
        params += s.params.map { compileParam($0) }
        var delay: Duration?
        if let d = s.delay {
            delay = DelaySpec.parse(d)
            if delay == nil {
                diagnostics.append(Diagnostic(.error, "delay '\(d)' is not a valid duration", at: s.location))
            }
        }
        return CompiledSend(
            event: s.event, eventExpr: s.eventExpr.map { compileExpr($0) }, target: s.target,
            targetExpr: s.targetExpr.map { compileExpr($0) }, type: s.type,
            typeExpr: s.typeExpr.map { compileExpr($0) },
            id: s.id, idLocation: s.idLocation.map { compileLocation($0) }, delay: delay,
            delayExpr: s.delayExpr.map { compileExpr($0) }, params: params,
            content: compileContent(s.content),
            location: s.location)
    }

    /// `<sy:action name="n"><sy:param name="x" expr="..."/></sy:action>`; any other element in
    /// Switchyard's namespace but `<sy:route>` is passed to the handler under its local name, with its
    /// `sy:param` children compiled the same way.
    private mutating func compileCustomAction(_ e: ForeignElement) -> CompiledCustomAction {
        var params: [CompiledParam] = []
        for child in e.children where child.name == "param" {
            guard let name = child.attribute("name")?.value else {
                diagnostics.append(Diagnostic(.error, "<sy:param> needs a 'name'", at: child.location))
                continue
            }
            let source =
                child.attribute("expr")?.expression ?? ExpressionSource(name, at: child.location)
            params.append(CompiledParam(name: name, value: compileExpr(source)))
        }
        let name = e.name == "action" ? (e.attribute("name")?.value ?? "") : e.name
        return CompiledCustomAction(name: name, params: params, element: e, isSwitchyard: true)
    }

    private mutating func compileParam(_ p: Param) -> CompiledParam {
        let source = p.expr ?? p.locationExpr ?? ExpressionSource(p.name, at: p.location)
        return CompiledParam(name: p.name, value: compileExpr(source))
    }

    private mutating func compileContent(_ content: Content?) -> ValueSource {
        guard let content else { return .none }
        switch content.body {
        case .expression(let e): return .expr(compileExpr(e))
        case .text(let t): return .literal(Self.contentValue(t.text))
        case .markup(let m): return .literal(.string(m))
        case .document: return .none
        }
    }

    private mutating func compileData(_ d: DataDeclaration) -> CompiledData {
        let slot = symbols.slot(of: d.id) ?? -1
        var value: ValueSource = .none
        var unreadable: String?
        if let e = d.expr {
            value = .expr(compileExpr(e))
        } else if let c = d.content {
            value = .literal(Self.contentValue(c.text))
        } else if let src = d.src {
            unreadable = src
        }
        return CompiledData(
            slot: slot, id: d.id, value: value, unreadableSource: unreadable, location: d.location)
    }

    private mutating func compileInvoke(_ i: Invoke) -> CompiledInvoke {
        var params: [CompiledParam] = []
        for name in i.namelist {
            params.append(
                CompiledParam(name: name, value: compileExpr(ExpressionSource(name, at: i.location))))
        }
        params += i.params.map { compileParam($0) }
        var contentDocument: SCXMLDocument?
        var content: ValueSource = .none
        if let c = i.content {
            if case .document(let doc) = c.body { contentDocument = doc } else { content = compileContent(c) }
        }
        return CompiledInvoke(
            type: i.type, typeExpr: i.typeExpr.map { compileExpr($0) }, src: i.src,
            srcExpr: i.srcExpr.map { compileExpr($0) }, id: i.id,
            idLocation: i.idLocation.map { compileLocation($0) },
            params: params, autoforward: i.autoforward, finalize: compileBlock(i.finalize),
            contentDocument: contentDocument, content: content, location: i.location)
    }

    /// Inline content as a value (B.2.2): JSON when it parses, otherwise a space-normalized string.
    static func contentValue(_ text: String) -> Value {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return .undefined }
        if let v = try? Value.parseJSON(trimmed) { return v }
        // Markup is kept as written (it may be an SCXML document to invoke).
        if trimmed.hasPrefix("<") { return .string(trimmed) }
        let normalized = trimmed.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        )
        .joined(separator: " ")
        return .string(normalized)
    }

    // MARK: Expressions

    private mutating func note(_ source: ExpressionSource) {
        if !usesIn, Self.mayCallIn(source.text) { usesIn = true }
        if !usesEvent, source.text.contains("_event") { usesEvent = true }
    }

    /// Whether `text` may call `In`: `In`, optional whitespace, `(` (whitespace included, so
    /// a definition's canonical document, which writes `In(`, means the same).
    static func mayCallIn(_ text: String) -> Bool {
        var rest = text[...]
        while let found = rest.firstRange(of: "In") {
            rest = rest[found.upperBound...]
            if rest.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).first == "(" {
                return true
            }
        }
        return false
    }

    private mutating func report(_ error: ExpressionError, in source: ExpressionSource) {
        let location = source.location(ofLine: error.line, column: error.column)
        diagnostics.append(
            Diagnostic(
                options.strict ? .error : .warning,
                "\(error.kind.rawValue) error in expression: \(error.message)",
                at: location))
    }

    mutating func compileExpr(_ source: ExpressionSource) -> CompiledExpr {
        note(source)
        do {
            let e = try CompiledExpression.compile(source.text, symbols: symbols, options: compileOptions)
            return CompiledExpr(e, failure: nil, source: source)
        } catch {
            report(error, in: source)
            return CompiledExpr(Placeholder.expression, failure: error, source: source)
        }
    }

    mutating func compileLocation(_ source: ExpressionSource, declare: Bool = false) -> CompiledLoc {
        note(source)
        do {
            let l = try CompiledLocation.compile(source.text, symbols: symbols, options: compileOptions)
            return CompiledLoc(l, failure: nil, source: source)
        } catch {
            report(error, in: source)
            return CompiledLoc(Placeholder.location, failure: error, source: source)
        }
    }

    mutating func compileScript(_ source: ExpressionSource) -> CompiledBody {
        note(source)
        do {
            let s = try CompiledScript.compile(source.text, symbols: &symbols, options: compileOptions)
            return CompiledBody(s, failure: nil, source: source)
        } catch {
            report(error, in: source)
            return CompiledBody(Placeholder.script, failure: error, source: source)
        }
    }
}

/// The directory part of a path ("." when there is none).
func directoryOf(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
