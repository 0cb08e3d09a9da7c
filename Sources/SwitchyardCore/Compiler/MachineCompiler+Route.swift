extension MachineCompiler {
    static let routeAttributes: Set<String> = ["rules", "src", "input", "location", "raise", "explain"]

    /// `<sy:route rules="name" | src="file.rules.xml" input="expr" location="loc" raise="prefix"
    /// explain="true|false"/>`: checks the attributes, compiles the input and location against
    /// the machine's data model and asks ``routing`` for the table. Problems are positioned
    /// errors; the action then compiles to a no-op (the machine does not load anyway).
    mutating func compileRoute(_ e: ForeignElement) -> CompiledCustomAction {
        let inert = CompiledCustomAction(name: e.name, params: [], element: e, isSwitchyard: false)
        let before = diagnostics.count
        func error(_ message: String, at location: SourceLocation) {
            diagnostics.append(Diagnostic(.error, message, at: location))
        }
        for a in e.attributes where a.namespace == nil && !Self.routeAttributes.contains(a.name) {
            error(
                "<sy:route> has no attribute '\(a.name)' (expected rules, src, input, location, raise, explain)",
                at: a.location)
        }
        if let child = e.children.first {
            error("<sy:route> takes no child elements, found <\(child.name)>", at: child.location)
        }
        let rules = e.attribute("rules")
        let src = e.attribute("src")
        switch (rules, src) {
        case (nil, nil):
            error("<sy:route> needs 'rules' (a rule-set name) or 'src' (a rule-set file)", at: e.location)
        case (let r?, _?):
            error("<sy:route> takes 'rules' or 'src', not both", at: r.location)
        default:
            break
        }
        for a in [rules, src].compactMap({ $0 }) where a.value.isEmpty {
            error("'\(a.name)' of <sy:route> is empty", at: a.location)
        }
        var explain = true
        if let x = e.attribute("explain") {
            switch x.value {
            case "true": explain = true
            case "false": explain = false
            default:
                error("'explain' of <sy:route> must be 'true' or 'false', not '\(x.value)'", at: x.location)
            }
        }
        let locationAttribute = e.attribute("location")
        var prefix: String?
        if let r = e.attribute("raise") {
            if Self.isEventPrefix(r.value) {
                prefix = r.value
            } else {
                error(
                    "'raise' of <sy:route> must be an event name prefix such as 'route', not '\(r.value)'",
                    at: r.location)
            }
        } else if locationAttribute == nil {
            prefix = "route"
        }
        if let l = locationAttribute, l.value.isEmpty {
            error("'location' of <sy:route> is empty", at: l.location)
        }
        if let i = e.attribute("input"), i.value.allSatisfy(\.isWhitespace) {
            error("'input' of <sy:route> is empty", at: i.location)
        }
        guard diagnostics.count == before else { return inert }
        if dataModel == .null {
            error("<sy:route> needs the ecmascript data model", at: e.location)
            return inert
        }
        guard let routing else {
            error(
                "<sy:route> needs rule sets: load the machine with MachineDefinition.load (module Switchyard) "
                    + "or pass a RoutingTableResolver to MachineDefinition.compile",
                at: e.location)
            return inert
        }
        let table: any RoutingTable
        do throws(DiagnosticList) {
            table = try routing.routingTable(for: e, in: document)
        } catch {
            for d in error.diagnostics where !diagnostics.contains(d) { diagnostics.append(d) }
            return inert
        }
        let input = compileExpr(
            e.attribute("input")?.expression ?? ExpressionSource("_event.data", at: e.location))
        let location = locationAttribute.map { compileLocation($0.expression) }
        var action = CompiledCustomAction(name: e.name, params: [], element: e, isSwitchyard: true)
        action.route = CompiledRoute(
            table: table, input: input, location: location, prefix: prefix, explain: explain)
        return action
    }

    /// `route`, `doc.route`: dot-separated non-empty tokens without spaces or `*`.
    static func isEventPrefix(_ s: String) -> Bool {
        !s.isEmpty
            && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { token in
                !token.isEmpty && !token.contains { $0 == "*" || $0.isWhitespace }
            }
    }
}
