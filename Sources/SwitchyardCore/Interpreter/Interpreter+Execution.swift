import SwitchyardExpressions

/// The host side of `In(stateID)` (SCXML 5.9.1), reading the configuration of the macrostep
/// that created it. It lives only for one macrostep and never leaves the interpreter: it is
/// created and dropped inside a `mutating` entry point, which has exclusive access to the
/// interpreter, so it is never shared between threads.
final class InPredicate: ExpressionHost, @unchecked Sendable {
    let definition: MachineDefinition
    var configuration: StateSet

    init(definition: MachineDefinition) {
        self.definition = definition
        configuration = StateSet(capacity: definition.states.count)
    }

    func callHostFunction(_ name: String, arguments: [Value]) throws(ExpressionError) -> Value {
        guard name == "In" else {
            if let function = definition.bindings.functions[name] {
                return try definition.bindings.call(name, function, arguments)
            }
            throw ExpressionError(
                kind: .reference, message: "\(name) is not defined", line: 1, column: 1, offset: 0)
        }
        guard arguments.count == 1, case .string(let id) = arguments[0] else {
            throw ExpressionError(
                kind: .type, message: "In() takes one state id string", line: 1, column: 1, offset: 0)
        }
        guard let index = definition.stateIndexByID[id] else { return .bool(false) }
        return .bool(configuration.contains(index))
    }
}

extension Interpreter {
    static let scxmlTypes: Set<String> = [
        "http://www.w3.org/TR/scxml/#SCXMLEventProcessor", "scxml",
    ]
    static let basicHTTPTypes: Set<String> = [Event.basicHTTPProcessorType, "basichttp"]
    static let invokeSCXMLTypes: Set<String> = [
        "http://www.w3.org/TR/scxml/", "http://www.w3.org/TR/scxml", "scxml",
    ]

    // MARK: System variables and _event

    mutating func setSystemVariables() {
        if let slot = definition.sessionIDSlot { environment[slot] = .string(sessionID) }
        if let slot = definition.nameSlot {
            environment[slot] = definition.name.map { .string($0) } ?? .undefined
        }
        if let slot = definition.ioProcessorsSlot {
            var location = JSObject()
            location["location"] = .string("#_scxml_\(sessionID)")
            var io = JSObject()
            io[Event.scxmlProcessorType] = .object(location)
            io["scxml"] = .object(location)
            if let url = basicHTTPLocation {
                var http = JSObject()
                http["location"] = .string(url)
                io[Event.basicHTTPProcessorType] = .object(http)
                io["basichttp"] = .object(http)
            }
            environment[slot] = .object(io)
        }
    }

    @inline(__always) mutating func setEvent(_ event: Event) {
        if options.tracing { currentEventName = event.name }
        if hasActionHandler || definition.hasBoundActions { currentEventStorage = event.storage }
        guard definition.usesEvent, let slot = definition.eventSlot else { return }
        environment[slot] = Self.eventValue(event)
    }

    /// `_event` as the data model sees it (SCXML 5.10.1): every field present, unset ones
    /// undefined.
    static func eventValue(_ event: Event) -> Value {
        var o = JSObject()
        o["name"] = .string(event.name)
        o["type"] = .string(event.kind.rawValue)
        o["sendid"] = event.sendID.map { Value.string($0) } ?? Value.undefined
        o["origin"] = event.origin.map { Value.string($0) } ?? Value.undefined
        o["origintype"] = event.originType.map { Value.string($0) } ?? Value.undefined
        o["invokeid"] = event.invokeID.map { Value.string($0) } ?? Value.undefined
        o["data"] = event.data
        o["raw"] = event.raw.map { Value.string($0) } ?? Value.undefined
        return .object(o)
    }

    // MARK: Data

    mutating func initializeData(_ d: CompiledData) {
        guard d.slot >= 0 else { return }
        if let src = d.unreadableSource {
            raiseError("error.execution", "cannot read data source '\(src)' for '\(d.id)'", at: d.location)
            environment[d.slot] = .undefined
            return
        }
        switch d.value {
        case .expr(let e):
            environment[d.slot] = evaluate(e) ?? .undefined
        case .literal(let v):
            environment[d.slot] = v
        case .none:
            environment[d.slot] = .undefined
        }
    }

    mutating func applyInitialData() {
        for item in initialData {
            if let slot = environment.symbols.slot(of: item.name) {
                if !environment.symbols.isReadOnly(slot) { environment[slot] = item.value }
            } else if declareUndeclared {
                environment.declare(item.name, value: item.value)
            }
        }
        initialData = []
    }

    // MARK: Errors

    /// Places `error.execution` / `error.communication` on the internal queue (SCXML 5.10).
    mutating func raiseError(
        _ name: String, _ message: String, at location: SourceLocation, sendID: String? = nil
    ) {
        enqueueInternal(.platformError(name, message: message, at: location, sendID: sendID))
    }

    mutating func raise(_ error: ExpressionError, in source: ExpressionSource, sendID: String? = nil) {
        let at = source.location(ofLine: error.line, column: error.column)
        raiseError(
            "error.execution", "\(error.kind.rawValue) error: \(error.message)", at: at, sendID: sendID)
    }

    // MARK: Evaluation

    /// Evaluates an expression; on failure raises `error.execution` and returns nil.
    mutating func evaluate(_ e: CompiledExpr) -> Value? {
        if let failure = e.failure {
            raise(failure, in: e.source)
            return nil
        }
        inHost?.configuration = configuration
        do {
            return try e.compiled.evaluate(in: &environment, host: inHost)
        } catch {
            raise(error, in: e.source)
            return nil
        }
    }

    /// A guard: errors raise `error.execution` and count as false (SCXML 5.9.1).
    mutating func evaluateCondition(_ e: CompiledExpr) -> Bool {
        if let failure = e.failure {
            raise(failure, in: e.source)
            return false
        }
        inHost?.configuration = configuration
        do {
            return try e.compiled.evaluateCondition(in: &environment, host: inHost)
        } catch {
            raise(error, in: e.source)
            return false
        }
    }

    mutating func evaluateString(_ e: CompiledExpr) -> String? {
        guard let v = evaluate(e) else { return nil }
        return v.jsString
    }

    mutating func assign(_ location: CompiledLoc, _ value: Value) -> Bool {
        if let failure = location.failure {
            raise(failure, in: location.source)
            return false
        }
        inHost?.configuration = configuration
        do {
            try location.compiled.assign(value, in: &environment, host: inHost)
            return true
        } catch {
            raise(error, in: location.source)
            return false
        }
    }

    mutating func runScript(_ body: CompiledBody) -> Bool {
        if let failure = body.failure {
            raise(failure, in: body.source)
            return false
        }
        inHost?.configuration = configuration
        do {
            try body.compiled.run(in: &environment, host: inHost)
            return true
        } catch {
            raise(error, in: body.source)
            return false
        }
    }

    mutating func value(of source: ValueSource) -> Value? {
        switch source {
        case .expr(let e): evaluate(e)
        case .literal(let v): v
        case .none: .undefined
        }
    }

    /// Params as an object; nil (with error.execution raised) when one fails.
    mutating func evaluateParams(_ params: [CompiledParam]) -> [NamedValue]? {
        var out: [NamedValue] = []
        out.reserveCapacity(params.count)
        for p in params {
            guard let v = evaluate(p.value) else { return nil }
            out.append(NamedValue(p.name, v))
        }
        return out
    }

    static func object(_ values: [NamedValue]) -> Value {
        var o = JSObject()
        for v in values { o[v.name] = v.value }
        return .object(o)
    }

    mutating func evaluateDoneData(_ done: CompiledDoneData?) -> Value {
        guard let done else { return .undefined }
        if !done.params.isEmpty {
            guard let values = evaluateParams(done.params) else { return .undefined }
            return Self.object(values)
        }
        return value(of: done.content) ?? .undefined
    }

    // MARK: Executable content

    /// Where a run of ``SimpleOp``s comes from, to find an element's general ``Op``.
    enum ContentSite {
        case entry(Int)
        case exit(Int)
        case transition(Int)
    }

    /// Runs flat executable content (``HotTables/simpleOps`` from `start` to `end`): each
    /// element whose operand is a number is computed in place; any other runs its compiled
    /// ``Op``, and when that fails the rest of its block is skipped, as ``executeBlock(_:)``
    /// does.
    mutating func runSimpleOps(_ start: Int, _ end: Int, in site: ContentSite) {
        let ops = definition.hot.simpleOps
        var failedBlock: Int32 = -1
        var k = start
        while k < end {
            let op = ops[k]
            k += 1
            if op.block == failedBlock { continue }
            if op.src < 0 {
                environment.setNumber(op.value, at: Int(op.dst))
                continue
            }
            if let x = environment.number(at: Int(op.src)) {
                environment.setNumber(x + op.value, at: Int(op.dst))
                continue
            }
            let general: Op
            switch site {
            case .entry(let s): general = definition.states[s].onEntry[Int(op.block)][Int(op.index)]
            case .exit(let s): general = definition.states[s].onExit[Int(op.block)][Int(op.index)]
            case .transition(let t): general = definition.transitions[t].actions[Int(op.index)]
            }
            if !execute(general) { failedBlock = op.block }
        }
    }

    /// Runs a block; stops at the first element that fails and returns false (SCXML 4.9).
    mutating func executeBlock(_ block: Block) -> Bool {
        for op in block where !execute(op) { return false }
        return true
    }

    mutating func execute(_ op: Op) -> Bool {
        switch op {
        case .raise(let name):
            enqueueInternal(Event(name, kind: .internal))
            return true
        case .send(let s):
            return executeSend(s)
        case .cancel(let id, let idExpr):
            var sendID = id
            if let idExpr {
                guard let v = evaluateString(idExpr) else { return false }
                sendID = v
            }
            if let sendID { effects.append(.cancel(sendID: sendID)) }
            return true
        case .log(let label, let expr):
            var message = ""
            if let expr {
                guard let v = evaluate(expr) else { return false }
                message = Self.logText(v)
            }
            effects.append(.log(label: label, message: message))
            return true
        case .assign(let location, let source, _):
            guard let v = value(of: source) else { return false }
            return assign(location, v)
        case .assignSlot(let slot, let source):
            guard let v = value(of: source) else { return false }
            environment[slot] = v
            return true
        case .script(let body):
            return runScript(body)
        case .branches(let branches):
            for branch in branches {
                if let cond = branch.cond {
                    let before = internalQueue.count
                    let ok = evaluateCondition(cond)
                    if internalQueue.count != before { return false }
                    if !ok { continue }
                }
                return executeBlock(branch.block)
            }
            return true
        case .foreach(let array, let item, let index, let block, let location):
            return executeForeach(array: array, item: item, index: index, block: block, at: location)
        case .custom(let action):
            return executeCustomAction(action)
        }
    }

    static func logText(_ v: Value) -> String {
        switch v {
        case .array, .object: v.jsonString() ?? v.jsString
        default: v.jsString
        }
    }

    mutating func executeForeach(
        array: CompiledExpr, item: CompiledLoc, index: CompiledLoc?, block: Block, at location: SourceLocation
    ) -> Bool {
        guard let collection = evaluate(array) else { return false }
        let items: [Value]
        switch collection {
        case .array(let a): items = a
        case .object(let o): items = o.properties.map(\.value)
        default:
            raiseError(
                "error.execution", "<foreach> array is not iterable (\(collection.typeName))", at: location)
            return false
        }
        for loc in [item] + (index.map { [$0] } ?? []) {
            let name = loc.source.text.trimmingWhitespace()
            guard Self.isIdentifier(name) else {
                raiseError(
                    "error.execution", "<foreach> '\(name)' is not a legal variable name",
                    at: loc.source.location)
                return false
            }
            if environment.value(named: name) == nil { environment.declare(name) }
        }
        for (i, v) in items.enumerated() {
            guard assign(item, v) else { return false }
            if let index { guard assign(index, .number(Double(i))) else { return false } }
            guard executeBlock(block) else { return false }
        }
        return true
    }

    static let reservedWords: Set<String> = [
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
        "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new",
        "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
        "with", "let", "yield", "undefined",
    ]

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !reservedWords.contains(s) else { return false }
        func isStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == "$" || c.properties.isAlphabetic }
        guard isStart(first) else { return false }
        return s.unicodeScalars.allSatisfy { isStart($0) || ("0"..."9").contains($0) }
    }

    // MARK: Custom actions

    /// Runs a Switchyard extension element through the action bound to its name in
    /// ``MachineDefinition/bindings`` or else ``actionHandler`` (a no-op without either, and for
    /// elements in other namespaces). A throwing action raises `error.execution`.
    mutating func executeCustomAction(_ action: CompiledCustomAction) -> Bool {
        if let route = action.route { return executeRoute(route) }
        guard action.isSwitchyard else { return true }
        let bound = definition.hasBoundActions ? definition.bindings.actions[action.name] : nil
        guard bound != nil || actionHandler != nil else { return true }
        guard let params = evaluateParams(action.params) else { return false }
        var context = CustomActionContext(
            sessionID: sessionID, event: currentEvent, environment: environment)
        environment = Environment(symbols: SymbolTable())
        defer { environment = context.environment }
        do {
            let custom = CustomAction(name: action.name, params: params, element: action.element)
            if let bound {
                try bound(custom, &context)
            } else if let handler = actionHandler {
                handlerRan = true
                try handler.perform(custom, context: &context)
            }
            return true
        } catch {
            let message = "action '\(action.name)' failed: \(error)"
            environment = context.environment
            raiseError("error.execution", message, at: action.element.location)
            context.environment = environment
            return false
        }
    }

    // MARK: <send> (SCXML 6.2, C.1)

    mutating func executeSend(_ s: CompiledSend) -> Bool {
        var name = s.event
        if let e = s.eventExpr {
            guard let v = evaluateString(e) else { return false }
            name = v
        }
        var target = s.target
        if let e = s.targetExpr {
            guard let v = evaluateString(e) else { return false }
            target = v
        }
        var type = s.type
        if let e = s.typeExpr {
            guard let v = evaluateString(e) else { return false }
            type = v
        }
        var sendID = s.id
        if sendID == nil, s.idLocation != nil {
            sendCounter += 1
            sendID = "\(sessionID).send\(sendCounter)"
        }
        if let loc = s.idLocation, let id = sendID {
            guard assign(loc, .string(id)) else { return false }
        }
        var delay = s.delay
        if let e = s.delayExpr {
            guard let text = evaluateString(e) else { return false }
            guard let d = DelaySpec.parse(text) else {
                raiseError(
                    "error.execution", "delay '\(text)' is not a valid duration", at: s.location,
                    sendID: sendID)
                return false
            }
            delay = d
        }
        guard let params = evaluateParams(s.params) else { return false }
        var data: Value = .undefined
        if !params.isEmpty {
            data = Self.object(params)
        } else {
            guard let v = value(of: s.content) else { return false }
            data = v
        }
        if let type, Self.basicHTTPTypes.contains(type) {
            return sendBasicHTTP(s, name: name, target: target, data: data, delay: delay, sendID: sendID)
        }
        if let type, !Self.scxmlTypes.contains(type) {
            raiseError("error.execution", "unsupported send type '\(type)'", at: s.location, sendID: sendID)
            return false
        }
        let resolved: SendTarget
        switch target {
        case nil, "":
            resolved = .this
        case "#_internal":
            guard delay == nil else {
                raiseError(
                    "error.execution", "a delayed send cannot target #_internal", at: s.location,
                    sendID: sendID)
                return false
            }
            enqueueInternal(Event(name ?? "", kind: .internal, data: data, sendID: s.id))
            return true
        case "#_parent":
            resolved = .parent
        case let t? where t.hasPrefix("#_instance_") || t == "#_router":
            // Switchyard's engine targets: an instance by its id, or the event router.
            resolved = .uri(t)
        case let t? where t.hasPrefix("#_scxml_"):
            let id = String(t.dropFirst(8))
            if id != sessionID, let directory = instanceDirectory, !directory.contains(id) {
                raiseError(
                    "error.communication", "no session '\(id)' to send '\(name ?? "")' to", at: s.location,
                    sendID: sendID)
                return false
            }
            resolved = .session(id)
        case let t? where t.hasPrefix("#_"):
            resolved = .invoked(String(t.dropFirst(2)))
        case let t?:
            raiseError("error.execution", "unsupported send target '\(t)'", at: s.location, sendID: sendID)
            return false
        }
        let event = Event(
            name ?? "", kind: .external, data: data, sendID: sendID, origin: "#_scxml_\(sessionID)",
            originType: Event.scxmlProcessorType)
        if let delay {
            if sendID == nil {
                sendCounter += 1
                sendID = "\(sessionID).send\(sendCounter)"
            }
            effects.append(.schedule(sendID: sendID ?? "", delay: delay, event: event, target: resolved))
        } else {
            effects.append(.send(event: event, target: resolved))
        }
        return true
    }

    /// A `<send>` through the Basic HTTP Event I/O Processor (SCXML D.2): the target must be an
    /// `http:` or `https:` URL, else `error.communication` (the event cannot be sent). The
    /// executor's host POSTs it; the event keeps `name` (empty for none) and the data of the
    /// params and namelist (an object) or of the content.
    private mutating func sendBasicHTTP(
        _ s: CompiledSend, name: String?, target: String?, data: Value, delay: Duration?, sendID: String?
    ) -> Bool {
        guard let url = target, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            let shown = target.map { "'\($0)'" } ?? "no target"
            raiseError(
                "error.communication",
                "a Basic HTTP <send> needs an http: or https: target URL; it has \(shown)", at: s.location,
                sendID: sendID)
            return false
        }
        let event = Event(
            name ?? "", kind: .external, data: data, sendID: sendID, origin: basicHTTPLocation,
            originType: Event.basicHTTPProcessorType)
        if let delay {
            var id = sendID
            if id == nil {
                sendCounter += 1
                id = "\(sessionID).send\(sendCounter)"
            }
            effects.append(.schedule(sendID: id ?? "", delay: delay, event: event, target: .basicHTTP(url)))
        } else {
            effects.append(.send(event: event, target: .basicHTTP(url)))
        }
        return true
    }

    // MARK: <invoke> (SCXML 6.4)

    mutating func invoke(state: Int, index: Int) {
        let st = definition.states[state]
        let inv = st.invokes[index]
        var type = inv.type ?? "http://www.w3.org/TR/scxml/"
        if let e = inv.typeExpr {
            guard let v = evaluateString(e) else { return }
            type = v
        }
        var src = inv.src
        if let e = inv.srcExpr {
            guard let v = evaluateString(e) else { return }
            src = v
        }
        var invokeID = inv.id
        if invokeID == nil {
            invokeCounter += 1
            invokeID = "\(st.id).\(sessionID).\(invokeCounter)"
            if let loc = inv.idLocation {
                guard assign(loc, .string(invokeID ?? "")) else { return }
            }
        }
        guard let params = evaluateParams(inv.params) else { return }
        var content: InvokeContent?
        if let doc = inv.contentDocument {
            content = .document(doc)
        } else {
            switch inv.content {
            case .none: break
            default:
                guard let v = value(of: inv.content) else { return }
                content = .value(v)
            }
        }
        let id = invokeID ?? ""
        let normalizedType = Self.invokeSCXMLTypes.contains(type) ? "scxml" : type
        activeInvocations.append(
            ActiveInvocation(invokeID: id, stateID: st.id, index: index, autoforward: inv.autoforward))
        effects.append(
            .invoke(
                InvokeRequest(
                    invokeID: id, type: normalizedType, src: src, content: content, params: params,
                    autoforward: inv.autoforward, stateID: st.id, baseDirectory: definition.baseDirectory)))
    }

    mutating func applyFinalize(_ active: ActiveInvocation) {
        guard let s = definition.stateIndexByID[active.stateID] else { return }
        let invokes = definition.states[s].invokes
        guard active.index < invokes.count else { return }
        _ = executeBlock(invokes[active.index].finalize)
    }
}
