import SwitchyardExpressions

extension SCXMLDocument {
    /// The same machine with everything that only says how the file was laid out removed: every
    /// source position (and entity-reference column shift) is cleared, code is reduced to
    /// `CanonicalCode.text(of:)`, and inline content to the text that yields the same value.
    ///
    /// Moving lines, re-indenting, reflowing a script or a JSON `<data>` body and editing
    /// comments leave it unchanged; a different state id, transition, attribute, expression or
    /// value changes it. It compiles to a machine that behaves the same, except that errors
    /// name no source position. ``MachineDefinition/document`` is this form, so a durable
    /// engine's content hash and stored document do not depend on the layout.
    ///
    /// What stays as written: names, ids, event descriptors, attribute values (`delay`,
    /// foreign attributes such as `sy:timeout`), `<log>` labels, inline markup and the text of
    /// foreign elements (whose whitespace the extension may read), and ``sourcePath`` (relative
    /// `src` references resolve against it).
    public func canonicalized() -> SCXMLDocument {
        var d = self
        d.data = data.map(Canonical.data)
        d.script = script.map(Canonical.script)
        d.states = states.map(Canonical.state)
        d.extensionAttributes = extensionAttributes.map(Canonical.attribute)
        d.extensionElements = extensionElements.map(Canonical.element)
        d.location = .synthesized
        d.initialLocation = nil
        return d
    }
}

/// The per-node steps of ``SCXMLDocument/canonicalized()``.
private enum Canonical {
    /// Code: canonical tokens, no position.
    static func code(_ e: ExpressionSource) -> ExpressionSource {
        ExpressionSource(CanonicalCode.text(of: e.text) ?? e.text)
    }

    /// Inline content (B.2.2: JSON when it parses, else a space-normalized string, markup kept):
    /// the shortest text the compiler turns into the same value.
    static func content(_ e: ExpressionSource) -> ExpressionSource {
        let value = MachineCompiler.contentValue(e.text)
        let trimmed = e.text.trimmingWhitespace()
        let candidate: String
        if (try? Value.parseJSON(trimmed)) != nil {
            candidate = CanonicalCode.text(of: trimmed, keepingLineBreaks: false) ?? trimmed
        } else if trimmed.hasPrefix("<") {
            candidate = trimmed
        } else if case .string(let s) = value {
            candidate = s
        } else {
            candidate = trimmed
        }
        return ExpressionSource(MachineCompiler.contentValue(candidate) == value ? candidate : e.text)
    }

    // Each step copies the node and rewrites what it knows, so a field added to the model later
    // is kept as it is rather than dropped.

    static func data(_ d: DataDeclaration) -> DataDeclaration {
        var n = d
        n.expr = d.expr.map(code)
        n.content = d.content.map(content)
        n.location = .synthesized
        return n
    }

    static func script(_ s: ScriptAction) -> ScriptAction {
        var n = s
        n.source = code(s.source)
        n.location = .synthesized
        return n
    }

    static func state(_ s: StateNode) -> StateNode {
        var n = s
        n.initialLocation = nil
        n.initialTransition = s.initialTransition.map(transition)
        n.children = s.children.map(state)
        n.transitions = s.transitions.map(transition)
        n.onEntry = s.onEntry.map { $0.map(action) }
        n.onExit = s.onExit.map { $0.map(action) }
        n.data = s.data.map(data)
        n.invokes = s.invokes.map(invoke)
        n.doneData = s.doneData.map(doneData)
        n.extensionAttributes = s.extensionAttributes.map(attribute)
        n.extensionElements = s.extensionElements.map(element)
        n.location = .synthesized
        n.idLocation = nil
        return n
    }

    static func transition(_ t: Transition) -> Transition {
        var n = t
        n.cond = t.cond.map(code)
        n.actions = t.actions.map(action)
        n.location = .synthesized
        n.targetLocation = nil
        n.targetLocations = []
        return n
    }

    static func action(_ a: Action) -> Action {
        switch a {
        case .raise(var r):
            r.location = .synthesized
            return .raise(r)
        case .send(var s):
            s.eventExpr = s.eventExpr.map(code)
            s.targetExpr = s.targetExpr.map(code)
            s.typeExpr = s.typeExpr.map(code)
            s.idLocation = s.idLocation.map(code)
            s.delayExpr = s.delayExpr.map(code)
            s.params = s.params.map(param)
            s.content = s.content.map(contentElement)
            s.location = .synthesized
            return .send(s)
        case .cancel(var c):
            c.sendIDExpr = c.sendIDExpr.map(code)
            c.location = .synthesized
            return .cancel(c)
        case .log(var l):
            l.expr = l.expr.map(code)
            l.location = .synthesized
            return .log(l)
        case .assign(var x):
            x.locationExpr = code(x.locationExpr)
            x.expr = x.expr.map(code)
            x.content = x.content.map(content)
            x.location = .synthesized
            return .assign(x)
        case .script(let s): return .script(script(s))
        case .if(var i):
            i.branches = i.branches.map { b in
                var n = b
                n.cond = b.cond.map(code)
                n.actions = b.actions.map(action)
                n.location = .synthesized
                return n
            }
            i.location = .synthesized
            return .if(i)
        case .foreach(var f):
            f.array = code(f.array)
            f.item = code(f.item)
            f.index = f.index.map(code)
            f.actions = f.actions.map(action)
            f.location = .synthesized
            return .foreach(f)
        case .extension(let e): return .extension(element(e))
        case .foreign(let e): return .foreign(element(e))
        }
    }

    static func param(_ p: Param) -> Param {
        var n = p
        n.expr = p.expr.map(code)
        n.locationExpr = p.locationExpr.map(code)
        n.location = .synthesized
        return n
    }

    static func contentElement(_ c: Content) -> Content {
        switch c.body {
        case .expression(let e): return Content(.expression(code(e)))
        case .text(let t): return Content(.text(content(t)))
        case .markup(let m): return Content(.markup(m))
        case .document(let d): return Content(.document(d.canonicalized()))
        }
    }

    static func doneData(_ d: DoneData) -> DoneData {
        var n = d
        n.content = d.content.map(contentElement)
        n.params = d.params.map(param)
        n.location = .synthesized
        return n
    }

    static func invoke(_ i: Invoke) -> Invoke {
        var n = i
        n.typeExpr = i.typeExpr.map(code)
        n.srcExpr = i.srcExpr.map(code)
        n.idLocation = i.idLocation.map(code)
        n.params = i.params.map(param)
        n.finalize = i.finalize.map(action)
        n.content = i.content.map(contentElement)
        n.extensionAttributes = i.extensionAttributes.map(attribute)
        n.location = .synthesized
        return n
    }

    static func attribute(_ a: ForeignAttribute) -> ForeignAttribute {
        var n = a
        n.location = .synthesized
        n.entityShifts = []
        return n
    }

    static func element(_ e: ForeignElement) -> ForeignElement {
        var n = e
        n.attributes = e.attributes.map(attribute)
        n.children = e.children.map(element)
        n.location = .synthesized
        return n
    }
}
