import SwitchyardCore

/// Turns the copied XML tree into the SCXML model, reporting every structural problem it meets
/// (unknown or misplaced elements, unknown, missing or conflicting attributes, bad enumerations)
/// rather than stopping at the first. Cross-reference checks (ids, targets) are left to
/// ``DocumentValidator``, which runs on the finished model.
struct ModelBuilder {
    let source: SourceText
    let options: LoaderOptions
    /// Directory that relative `src` references resolve against.
    let baseDirectory: String
    var diagnostics: [Diagnostic] = []

    init(source: SourceText, options: LoaderOptions, baseDirectory: String) {
        self.source = source
        self.options = options
        self.baseDirectory = baseDirectory
    }

    static let knownElements: Set<String> = [
        "scxml", "state", "parallel", "transition", "initial", "final", "onentry", "onexit", "history",
        "raise",
        "if", "elseif", "else", "foreach", "log", "datamodel", "data", "assign", "donedata", "content",
        "param",
        "script", "send", "cancel", "invoke", "finalize",
    ]

    // MARK: Diagnostics

    mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, message, at: location))
    }

    mutating func warning(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.warning, message, at: location))
    }

    func isSCXML(_ el: XElement) -> Bool { el.isSCXML }

    /// Reports a child that is either not an SCXML element at all or not allowed where it stands.
    mutating func misplaced(_ child: XElement, in parent: XElement) {
        if Self.knownElements.contains(child.name) {
            error("<\(child.name)> is not allowed inside <\(parent.name)>", at: child.location)
        } else {
            error("unknown element <\(child.qualifiedName)> in the SCXML namespace", at: child.location)
        }
    }

    /// Reports text where only elements may stand.
    mutating func rejectText(in el: XElement) {
        if el.hasSignificantText {
            error("unexpected text inside <\(el.name)>", at: textLocation(el))
        }
    }

    /// Checks the unqualified attributes of `el` against `allowed` and `required`, and returns
    /// its foreign-namespace attributes.
    @discardableResult
    mutating func checkAttributes(
        _ el: XElement, allowed: [String], required: [String] = []
    ) -> [ForeignAttribute] {
        var foreign: [ForeignAttribute] = []
        for a in el.attributes {
            if a.namespace != nil {
                foreign.append(foreignAttribute(a, in: el))
            } else if !allowed.contains(a.name) {
                error("unknown attribute '\(a.name)' on <\(el.name)>", at: nameLocation(a, in: el))
            }
        }
        for name in required where el.attribute(name) == nil {
            error("<\(el.name)> is missing the required attribute '\(name)'", at: el.location)
        }
        return foreign
    }

    /// Reports `first` and `second` set together.
    mutating func exclusive(_ el: XElement, _ first: String, _ second: String) {
        if el.attribute(first) != nil, let b = el.attribute(second) {
            error("<\(el.name)> cannot have both '\(first)' and '\(second)'", at: nameLocation(b, in: el))
        }
    }

    // MARK: Document

    mutating func buildDocument(_ root: XElement) -> SCXMLDocument {
        let extensionAttributes = checkAttributes(
            root, allowed: AttributeNames.scxml, required: ["version"])
        var doc = SCXMLDocument(location: root.location, sourcePath: source.file)
        doc.extensionAttributes = extensionAttributes
        if let v = root.attribute("version"), v.value != "1.0" {
            error("unsupported SCXML version '\(v.value)': expected '1.0'", at: valueLocation(v, in: root))
        }
        if let a = root.attribute("initial") {
            doc.initial = tokens(a.value)
            doc.initialLocation = valueLocation(a, in: root)
            if doc.initial.isEmpty {
                error("'initial' must name at least one state", at: valueLocation(a, in: root))
            }
        }
        doc.name = root.attribute("name")?.value
        doc.datamodel = root.attribute("datamodel")?.value
        if let b = root.attribute("binding") {
            if let binding = DataBinding(rawValue: b.value) {
                doc.binding = binding
            } else {
                error(
                    "invalid value '\(b.value)' for 'binding' on <scxml>: expected 'early' or 'late'",
                    at: valueLocation(b, in: root))
            }
        }
        rejectText(in: root)
        for c in root.children {
            guard isSCXML(c) else {
                doc.extensionElements.append(foreignElement(c))
                continue
            }
            switch c.name {
            case "state": doc.states.append(buildState(c, kind: .state))
            case "parallel": doc.states.append(buildState(c, kind: .parallel))
            case "final": doc.states.append(buildState(c, kind: .final))
            case "datamodel": doc.data += buildDatamodel(c)
            case "script":
                let script = buildScript(c)
                if doc.script != nil {
                    error("<scxml> can have at most one <script>", at: c.location)
                } else {
                    doc.script = script
                }
            default: misplaced(c, in: root)
            }
        }
        // The cross-reference checks compilation runs too: reported here with the rest.
        diagnostics += doc.validate()
        return doc
    }

    // MARK: States

    mutating func buildState(_ el: XElement, kind: StateKind) -> StateNode {
        var kind = kind
        let allowed: [String] =
            switch kind {
            case .state: AttributeNames.state
            case .history: AttributeNames.history
            case .parallel, .final: AttributeNames.id
            }
        let foreign = checkAttributes(el, allowed: allowed)
        if case .history = kind {
            if let t = el.attribute("type") {
                if let type = HistoryType(rawValue: t.value) {
                    kind = .history(type)
                } else {
                    error(
                        "invalid value '\(t.value)' for 'type' on <history>: expected 'shallow' or 'deep'",
                        at: valueLocation(t, in: el))
                }
            }
        }
        var node = StateNode(kind: kind, id: nil, extensionAttributes: foreign, location: el.location)
        if let id = el.attribute("id") {
            node.id = id.value
            node.idLocation = valueLocation(id, in: el)
        }
        if let a = el.attribute("initial") {
            node.initial = tokens(a.value)
            node.initialLocation = valueLocation(a, in: el)
            if node.initial.isEmpty {
                error("'initial' must name at least one state", at: valueLocation(a, in: el))
            }
        }
        rejectText(in: el)

        let allowedChildren: [String] =
            switch kind {
            case .state:
                [
                    "onentry", "onexit", "transition", "initial", "state", "parallel", "final", "history",
                    "datamodel",
                    "invoke",
                ]
            case .parallel:
                ["onentry", "onexit", "transition", "state", "parallel", "history", "datamodel", "invoke"]
            case .final: ["onentry", "onexit", "donedata"]
            case .history: ["transition"]
            }
        var initialElement: XElement?
        for c in el.children {
            guard isSCXML(c) else {
                node.extensionElements.append(foreignElement(c))
                continue
            }
            guard allowedChildren.contains(c.name) else {
                misplaced(c, in: el)
                continue
            }
            switch c.name {
            case "onentry":
                checkAttributes(c, allowed: AttributeNames.none)
                node.onEntry.append(buildActions(c))
            case "onexit":
                checkAttributes(c, allowed: AttributeNames.none)
                node.onExit.append(buildActions(c))
            case "transition":
                node.transitions.append(buildTransition(c))
            case "initial":
                if initialElement != nil {
                    error("<\(el.name)> can have at most one <initial>", at: c.location)
                } else {
                    initialElement = c
                    node.initialTransition = buildInitial(c)
                }
            case "state": node.children.append(buildState(c, kind: .state))
            case "parallel": node.children.append(buildState(c, kind: .parallel))
            case "final": node.children.append(buildState(c, kind: .final))
            case "history": node.children.append(buildState(c, kind: .history(.shallow)))
            case "datamodel": node.data += buildDatamodel(c)
            case "invoke": node.invokes.append(buildInvoke(c))
            case "donedata":
                let done = buildDoneData(c)
                if node.doneData != nil {
                    error("<final> can have at most one <donedata>", at: c.location)
                } else {
                    node.doneData = done
                }
            default: misplaced(c, in: el)
            }
        }

        if case .state = kind {
            let isAtomic = !node.children.contains { child in
                if case .history = child.kind { return false }
                return true
            }
            if let initialElement, let a = el.attribute("initial") {
                error(
                    "<state> cannot have both an 'initial' attribute and an <initial> child",
                    at: nameLocation(a, in: el))
                _ = initialElement
            }
            if isAtomic {
                if let a = el.attribute("initial") {
                    error(
                        "'initial' is not allowed on atomic state '\(node.id ?? "")' (it has no child states)",
                        at: nameLocation(a, in: el))
                }
                if let initialElement {
                    error(
                        "<initial> is not allowed in atomic state '\(node.id ?? "")' (it has no child states)",
                        at: initialElement.location)
                }
            }
        }
        if case .history = kind {
            if node.transitions.isEmpty {
                error("<history> must have exactly one <transition> (its default)", at: el.location)
            } else if node.transitions.count > 1 {
                error(
                    "<history> must have exactly one <transition> (its default)",
                    at: node.transitions[1].location)
            }
            if let t = node.transitions.first {
                checkDefaultTransition(t, of: "<history>")
            }
        }
        return node
    }

    /// `<initial>`: exactly one `<transition>` with a target and neither event nor cond.
    mutating func buildInitial(_ el: XElement) -> Transition? {
        checkAttributes(el, allowed: AttributeNames.none)
        rejectText(in: el)
        var transition: Transition?
        for c in el.children where isSCXML(c) {
            if c.name == "transition" {
                if transition != nil {
                    error("<initial> must have exactly one <transition>", at: c.location)
                } else {
                    transition = buildTransition(c)
                }
            } else {
                misplaced(c, in: el)
            }
        }
        guard let transition else {
            error("<initial> must have exactly one <transition>", at: el.location)
            return nil
        }
        checkDefaultTransition(transition, of: "<initial>")
        return transition
    }

    /// The transition of `<initial>` or `<history>` (SCXML 3.6, 3.10.2): a target, no event, no cond.
    mutating func checkDefaultTransition(_ t: Transition, of owner: String) {
        if t.targets.isEmpty {
            error("the <transition> of \(owner) must have a target", at: t.location)
        }
        if !t.events.isEmpty {
            error("the <transition> of \(owner) must not have an 'event'", at: t.location)
        }
        if let cond = t.cond {
            error("the <transition> of \(owner) must not have a 'cond'", at: cond.location)
        }
    }

    mutating func buildTransition(_ el: XElement) -> Transition {
        checkAttributes(el, allowed: AttributeNames.transition)
        var t = Transition(location: el.location)
        if let e = el.attribute("event") {
            t.events = tokens(e.value)
            if t.events.isEmpty {
                error("'event' must name at least one event descriptor", at: valueLocation(e, in: el))
            }
        }
        if let c = el.attribute("cond") { t.cond = expression(c, in: el) }
        if let a = el.attribute("target") {
            t.targets = tokens(a.value)
            let start = valueLocation(a, in: el)
            t.targetLocation = start
            t.targetLocations = t.targets.count == 1 ? [start] : tokenLocations(a, in: el)
            if t.targets.isEmpty {
                error("'target' must name at least one state", at: valueLocation(a, in: el))
            }
        }
        if let ty = el.attribute("type") {
            if let type = TransitionType(rawValue: ty.value) {
                t.type = type
            } else {
                error(
                    "invalid value '\(ty.value)' for 'type' on <transition>: expected 'external' or 'internal'",
                    at: valueLocation(ty, in: el))
            }
        }
        t.actions = buildActions(el)
        return t
    }

    // MARK: Foreign markup

    func foreignAttribute(_ a: XAttribute, in el: XElement) -> ForeignAttribute {
        let e = expression(a, in: el)
        return ForeignAttribute(
            namespace: a.namespace, name: a.name, value: a.value, location: e.location,
            entityShifts: e.entityShifts)
    }

    func foreignElement(_ el: XElement) -> ForeignElement {
        ForeignElement(
            namespace: el.namespace, name: el.name,
            attributes: el.attributes.map { foreignAttribute($0, in: el) },
            children: el.children.map { foreignElement($0) }, text: el.text, location: el.location)
    }

    /// The location of each whitespace-separated token of an attribute value (exact while the
    /// value has no references or line breaks before the token; otherwise the value's start).
    func tokenLocations(_ a: XAttribute, in el: XElement) -> [SourceLocation] {
        let start = valueLocation(a, in: el)
        var locations: [SourceLocation] = []
        var column = start.column
        var inToken = false
        var plain = a.valueOffset >= 0
        for scalar in a.value.unicodeScalars {
            let isSpace = scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
            if scalar == "\n" || scalar == "\r" { plain = false }
            if !isSpace && !inToken {
                var loc = start
                if plain { loc.column = column }
                locations.append(loc)
            }
            inToken = !isSpace
            column += 1
        }
        if a.valueOffset >= 0, a.valueEnd > a.valueOffset,
            source.bytes[a.valueOffset..<a.valueEnd].contains(UInt8(ascii: "&"))
        {
            return locations.map { _ in start }
        }
        return locations
    }

    /// Whitespace-separated tokens of an attribute value.
    func tokens(_ value: String) -> [String] {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool {
            b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
        }
        var utf8 = value
        return utf8.withUTF8 { b in
            // Fast path: one token and no whitespace (the common case for targets and events).
            if !b.contains(where: isSpace) { return b.isEmpty ? [] : [value] }
            var result: [String] = []
            var p = 0
            let n = b.count
            while p < n {
                while p < n, isSpace(b[p]) { p += 1 }
                let start = p
                while p < n, !isSpace(b[p]) { p += 1 }
                if p > start {
                    let token = UnsafeBufferPointer(rebasing: b[start..<p])
                    result.append(String(decoding: token, as: UTF8.self))
                }
            }
            return result
        }
    }
}
