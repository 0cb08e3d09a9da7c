import SwitchyardCore

extension ModelBuilder {
    /// The executable content (SCXML 4) among the children of `el`. Switchyard-namespace elements
    /// become `.extension`, other foreign elements `.foreign`.
    mutating func buildActions(_ el: XElement, inFinalize: Bool = false) -> [Action] {
        rejectText(in: el)
        var actions: [Action] = []
        for c in el.children {
            if let action = buildAction(c, parent: el, inFinalize: inFinalize) { actions.append(action) }
        }
        return actions
    }

    mutating func buildAction(_ c: XElement, parent: XElement, inFinalize: Bool) -> Action? {
        guard isSCXML(c) else {
            let f = foreignElement(c)
            return c.namespace == SCXMLNamespace.switchyard ? .extension(f) : .foreign(f)
        }
        switch c.name {
        case "raise":
            checkAttributes(c, allowed: AttributeNames.raise, required: ["event"])
            rejectChildren(c)
            if inFinalize { error("<raise> is not allowed inside <finalize> (SCXML 6.5)", at: c.location) }
            return .raise(RaiseAction(event: c.attribute("event")?.value ?? "", location: c.location))
        case "send":
            if inFinalize { error("<send> is not allowed inside <finalize> (SCXML 6.5)", at: c.location) }
            return .send(buildSend(c))
        case "cancel":
            checkAttributes(c, allowed: AttributeNames.cancel)
            rejectChildren(c)
            exclusive(c, "sendid", "sendidexpr")
            if c.attribute("sendid") == nil && c.attribute("sendidexpr") == nil {
                error("<cancel> needs one of 'sendid' or 'sendidexpr'", at: c.location)
            }
            return .cancel(
                CancelAction(
                    sendID: c.attribute("sendid")?.value,
                    sendIDExpr: c.attribute("sendidexpr").map { expression($0, in: c) },
                    location: c.location))
        case "log":
            checkAttributes(c, allowed: AttributeNames.log)
            rejectChildren(c)
            return .log(
                LogAction(
                    label: c.attribute("label")?.value,
                    expr: c.attribute("expr").map { expression($0, in: c) },
                    location: c.location))
        case "assign":
            checkAttributes(c, allowed: AttributeNames.assign, required: ["location"])
            let content = inlineContent(c)
            let expr = c.attribute("expr").map { expression($0, in: c) }
            if expr != nil, content != nil {
                error("<assign> cannot have both 'expr' and inline content", at: c.location)
            }
            let loc =
                c.attribute("location").map { expression($0, in: c) } ?? ExpressionSource("", at: c.location)
            return .assign(
                AssignAction(locationExpr: loc, expr: expr, content: content, location: c.location))
        case "script":
            return .script(buildScript(c))
        case "if":
            return .if(buildIf(c, inFinalize: inFinalize))
        case "foreach":
            checkAttributes(c, allowed: AttributeNames.foreach, required: ["array", "item"])
            let array =
                c.attribute("array").map { expression($0, in: c) } ?? ExpressionSource("", at: c.location)
            let item =
                c.attribute("item").map { expression($0, in: c) } ?? ExpressionSource("", at: c.location)
            return .foreach(
                ForeachAction(
                    array: array, item: item, index: c.attribute("index").map { expression($0, in: c) },
                    actions: buildActions(c, inFinalize: inFinalize), location: c.location))
        default:
            misplaced(c, in: parent)
            return nil
        }
    }

    /// Elements that must be empty (`<raise>`, `<log>`, `<cancel>`, `<elseif>`, `<else>`).
    mutating func rejectChildren(_ el: XElement) {
        rejectText(in: el)
        for c in el.children where isSCXML(c) {
            misplaced(c, in: el)
        }
    }

    /// `<if>` with `<elseif>`/`<else>` flattened into branches (SCXML 4.3).
    mutating func buildIf(_ el: XElement, inFinalize: Bool) -> IfAction {
        checkAttributes(el, allowed: AttributeNames.cond, required: ["cond"])
        rejectText(in: el)
        var branches: [IfAction.Branch] = []
        var current = IfAction.Branch(
            cond: el.attribute("cond").map { expression($0, in: el) }
                ?? ExpressionSource("", at: el.location),
            actions: [], location: el.location)
        var sawElse = false
        for c in el.children {
            if isSCXML(c), c.name == "elseif" || c.name == "else" {
                if sawElse {
                    error("<\(c.name)> cannot follow <else> in <if>", at: c.location)
                }
                branches.append(current)
                if c.name == "elseif" {
                    checkAttributes(c, allowed: AttributeNames.cond, required: ["cond"])
                    current = IfAction.Branch(
                        cond: c.attribute("cond").map { expression($0, in: c) }
                            ?? ExpressionSource("", at: c.location),
                        actions: [], location: c.location)
                } else {
                    checkAttributes(c, allowed: AttributeNames.none)
                    sawElse = true
                    current = IfAction.Branch(cond: nil, actions: [], location: c.location)
                }
                rejectChildren(c)
            } else if let action = buildAction(c, parent: el, inFinalize: inFinalize) {
                current.actions.append(action)
            }
        }
        branches.append(current)
        return IfAction(branches: branches, location: el.location)
    }

    mutating func buildSend(_ el: XElement) -> SendAction {
        checkAttributes(
            el,
            allowed: AttributeNames.send)
        for (a, b) in [
            ("event", "eventexpr"), ("target", "targetexpr"), ("type", "typeexpr"), ("id", "idlocation"),
            ("delay", "delayexpr"),
        ] {
            exclusive(el, a, b)
        }
        var send = SendAction(location: el.location)
        send.event = el.attribute("event")?.value
        send.eventExpr = el.attribute("eventexpr").map { expression($0, in: el) }
        send.target = el.attribute("target")?.value
        send.targetExpr = el.attribute("targetexpr").map { expression($0, in: el) }
        send.type = el.attribute("type")?.value
        send.typeExpr = el.attribute("typeexpr").map { expression($0, in: el) }
        send.id = el.attribute("id")?.value
        send.idLocation = el.attribute("idlocation").map { expression($0, in: el) }
        send.delayExpr = el.attribute("delayexpr").map { expression($0, in: el) }
        if let d = el.attribute("delay") {
            send.delay = d.value
            if DelaySpec.parse(d.value) == nil {
                error(
                    "invalid delay '\(d.value)': expected a number with a unit (ms, s, m, h, d), e.g. '500ms' or '2s'",
                    at: valueLocation(d, in: el))
            }
        }
        if send.target == "#_internal", let d = el.attribute("delay") ?? el.attribute("delayexpr") {
            error(
                "<send> to '#_internal' cannot have '\(d.name)' (SCXML 6.2: events on the internal queue are not delayed)",
                at: nameLocation(d, in: el))
        }
        if let n = el.attribute("namelist") { send.namelist = tokens(n.value) }
        rejectText(in: el)
        for c in el.children where isSCXML(c) {
            switch c.name {
            case "param": send.params.append(buildParam(c))
            case "content":
                let content = buildContent(c)
                if send.content != nil {
                    error("<send> can have at most one <content>", at: c.location)
                } else {
                    send.content = content
                }
            default: misplaced(c, in: el)
            }
        }
        if send.content != nil, !send.namelist.isEmpty || !send.params.isEmpty {
            error(
                "<send> with <content> cannot also have 'namelist' or <param> (SCXML 6.2)",
                at: send.content?.location ?? el.location)
        }
        return send
    }

    /// `<script>`: inline body or `src` read now (SCXML 5.8: a script that cannot be fetched
    /// makes the document invalid).
    mutating func buildScript(_ el: XElement) -> ScriptAction {
        checkAttributes(el, allowed: AttributeNames.script)
        for c in el.children where isSCXML(c) { misplaced(c, in: el) }
        if let src = el.attribute("src") {
            if el.hasSignificantText {
                error("<script> cannot have both 'src' and an inline body", at: nameLocation(src, in: el))
            }
            switch readResource(src.value) {
            case .success(let resource):
                return ScriptAction(
                    source: ExpressionSource(
                        resource.text, at: SourceLocation(file: resource.path, line: 1, column: 1)),
                    src: src.value, location: el.location)
            case .failure(let reason):
                error(
                    "cannot read script src '\(src.value)': \(reason.message)", at: valueLocation(src, in: el)
                )
                return ScriptAction(
                    source: ExpressionSource("", at: el.location), src: src.value, location: el.location)
            }
        }
        return ScriptAction(source: textExpression(el), location: el.location)
    }
}
