import SwitchyardCore

extension ModelBuilder {
    /// `<datamodel>`: a list of `<data>`.
    mutating func buildDatamodel(_ el: XElement) -> [DataDeclaration] {
        checkAttributes(el, allowed: AttributeNames.none)
        rejectText(in: el)
        var data: [DataDeclaration] = []
        for c in el.children where isSCXML(c) {
            if c.name == "data" {
                data.append(buildData(c))
            } else {
                misplaced(c, in: el)
            }
        }
        return data
    }

    /// `<data>` (SCXML 5.3): at most one of `src`, `expr` and inline content. A readable `src` is
    /// loaded into `content`; an unreadable one is a warning (the runtime raises error.execution).
    mutating func buildData(_ el: XElement) -> DataDeclaration {
        checkAttributes(el, allowed: AttributeNames.data, required: ["id"])
        var data = DataDeclaration(id: el.attribute("id")?.value ?? "", location: el.location)
        data.expr = el.attribute("expr").map { expression($0, in: el) }
        data.content = inlineContent(el)
        let given = [el.attribute("src") != nil, data.expr != nil, data.content != nil].filter { $0 }.count
        if given > 1 {
            error("<data> can have only one of 'src', 'expr' and inline content", at: el.location)
        }
        if let src = el.attribute("src") {
            data.src = src.value
            if given == 1 {
                switch readResource(src.value) {
                case .success(let resource):
                    data.content = ExpressionSource(
                        resource.text, at: SourceLocation(file: resource.path, line: 1, column: 1))
                case .failure(let reason):
                    warning(
                        "cannot read data src '\(src.value)': \(reason.message); the data will be undefined and error.execution raised at run time",
                        at: valueLocation(src, in: el))
                }
            }
        }
        return data
    }

    /// Inline children of `<data>` or `<assign>`: serialized markup, or the text when it is not
    /// only whitespace.
    func inlineContent(_ el: XElement) -> ExpressionSource? {
        if let markup = el.markup {
            return ExpressionSource(markup, at: textLocation(el))
        }
        guard el.hasSignificantText else { return nil }
        return textExpression(el)
    }

    /// `<param name=... expr=...|location=...>`.
    mutating func buildParam(_ el: XElement) -> Param {
        checkAttributes(el, allowed: AttributeNames.param, required: ["name"])
        rejectChildren(el)
        exclusive(el, "expr", "location")
        return Param(
            name: el.attribute("name")?.value ?? "",
            expr: el.attribute("expr").map { expression($0, in: el) },
            locationExpr: el.attribute("location").map { expression($0, in: el) }, location: el.location)
    }

    /// `<content expr=...>` or with children: an inline `<scxml>` becomes a nested, separately
    /// validated document; other markup is kept serialized; text is kept as text.
    mutating func buildContent(_ el: XElement) -> Content {
        checkAttributes(el, allowed: AttributeNames.content)
        if let e = el.attribute("expr") {
            if !el.children.isEmpty || el.hasSignificantText {
                error("<content> cannot have both 'expr' and children", at: nameLocation(e, in: el))
            }
            return Content(.expression(expression(e, in: el)), location: el.location)
        }
        if let first = el.children.first {
            if el.children.count == 1, isSCXML(first), first.name == "scxml" {
                if el.hasSignificantText {
                    error("unexpected text beside the inline <scxml> document", at: textLocation(el))
                }
                return Content(.document(buildDocument(first)), location: el.location)
            }
            return Content(.markup(el.markup ?? ""), location: el.location)
        }
        return Content(.text(textExpression(el)), location: el.location)
    }

    /// `<donedata>`: one `<content>` or any number of `<param>`.
    mutating func buildDoneData(_ el: XElement) -> DoneData {
        checkAttributes(el, allowed: AttributeNames.none)
        rejectText(in: el)
        var done = DoneData(location: el.location)
        for c in el.children where isSCXML(c) {
            switch c.name {
            case "content":
                let content = buildContent(c)
                if done.content != nil {
                    error("<donedata> can have at most one <content>", at: c.location)
                } else {
                    done.content = content
                }
            case "param": done.params.append(buildParam(c))
            default: misplaced(c, in: el)
            }
        }
        if done.content != nil, !done.params.isEmpty {
            error(
                "<donedata> cannot have both <content> and <param>", at: done.content?.location ?? el.location
            )
        }
        return done
    }

    /// `<invoke>` (SCXML 6.4).
    mutating func buildInvoke(_ el: XElement) -> Invoke {
        let foreign = checkAttributes(
            el,
            allowed: AttributeNames.invoke)
        for (a, b) in [("type", "typeexpr"), ("src", "srcexpr"), ("id", "idlocation")] { exclusive(el, a, b) }
        var invoke = Invoke(extensionAttributes: foreign, location: el.location)
        invoke.type = el.attribute("type")?.value
        invoke.typeExpr = el.attribute("typeexpr").map { expression($0, in: el) }
        invoke.src = el.attribute("src")?.value
        invoke.srcExpr = el.attribute("srcexpr").map { expression($0, in: el) }
        invoke.id = el.attribute("id")?.value
        invoke.idLocation = el.attribute("idlocation").map { expression($0, in: el) }
        if let n = el.attribute("namelist") { invoke.namelist = tokens(n.value) }
        if let a = el.attribute("autoforward") {
            switch a.value {
            case "true": invoke.autoforward = true
            case "false": invoke.autoforward = false
            default:
                error(
                    "invalid value '\(a.value)' for 'autoforward' on <invoke>: expected 'true' or 'false'",
                    at: valueLocation(a, in: el))
            }
        }
        rejectText(in: el)
        var sawFinalize = false
        for c in el.children where isSCXML(c) {
            switch c.name {
            case "param": invoke.params.append(buildParam(c))
            case "finalize":
                checkAttributes(c, allowed: AttributeNames.none)
                if sawFinalize { error("<invoke> can have at most one <finalize>", at: c.location) }
                sawFinalize = true
                invoke.finalize += buildActions(c, inFinalize: true)
            case "content":
                let content = buildContent(c)
                if invoke.content != nil {
                    error("<invoke> can have at most one <content>", at: c.location)
                } else {
                    invoke.content = content
                }
            default: misplaced(c, in: el)
            }
        }
        if let content = invoke.content, invoke.src != nil || invoke.srcExpr != nil {
            error("<invoke> cannot have both <content> and 'src' or 'srcexpr'", at: content.location)
        }
        return invoke
    }
}
