public import SwitchyardCore
import SwitchyardExpressions

extension RuleSetDeclaration {
    /// Builds a declaration from a `<sy:rules>` element (from `RuleSetFileLoader` or an SCXML
    /// document's `extensionElements`), checking its structure: known elements and attributes,
    /// required attributes, integer priorities, parameter types.
    ///
    /// - Throws: every structural problem, positioned at the element or attribute value.
    public init(element: ForeignElement) throws(DiagnosticList) {
        var diagnostics: [Diagnostic] = []
        self = Self.build(element, &diagnostics)
        if diagnostics.contains(where: { $0.severity == .error }) { throw DiagnosticList(diagnostics) }
    }

    static let sy = SCXMLNamespace.switchyard

    /// Builds as much as possible, appending problems to `diagnostics`.
    static func build(_ el: ForeignElement, _ diagnostics: inout [Diagnostic]) -> RuleSetDeclaration {
        func error(_ message: String, _ at: SourceLocation) {
            diagnostics.append(Diagnostic(.error, message, at: at))
        }
        if el.name != "rules" || el.namespace != sy {
            error("expected <sy:rules> in namespace '\(sy)', found <\(el.name)>", el.location)
        }
        checkAttributes(el, allowed: ["name", "mode"], required: ["name"], &diagnostics)
        var decl = RuleSetDeclaration(name: el.attribute("name")?.value ?? "", location: el.location)
        if let a = el.attribute("mode") {
            if let m = RuleSetMode(rawValue: a.value) {
                decl.mode = m
            } else {
                error("mode must be 'first' or 'all', not '\(a.value)'", a.location)
            }
        }
        checkText(el, &diagnostics)
        for c in el.children {
            guard isOurs(c, &diagnostics) else { continue }
            switch c.name {
            case "rule":
                decl.rules.append(buildRule(c, &diagnostics))
            case "default":
                checkAttributes(c, allowed: ["target"], required: ["target"], &diagnostics)
                if decl.fallback != nil {
                    error("a rule set has at most one <sy:default>", c.location)
                }
                let target = c.attribute("target")
                if let target, target.value.isEmpty { error("the default target is empty", target.location) }
                decl.fallback = DefaultDeclaration(
                    target: target?.value ?? "", parameters: buildParameters(c, &diagnostics),
                    location: c.location)
            default:
                error(
                    "unknown element <sy:\(c.name)> in <sy:rules>; expected <sy:rule> or <sy:default>",
                    c.location)
            }
        }
        return decl
    }

    static func buildRule(_ el: ForeignElement, _ diagnostics: inout [Diagnostic]) -> RuleDeclaration {
        func error(_ message: String, _ at: SourceLocation) {
            diagnostics.append(Diagnostic(.error, message, at: at))
        }
        checkAttributes(
            el, allowed: ["name", "priority", "when", "target"], required: ["name"], &diagnostics)
        var priority = 0
        if let p = el.attribute("priority") {
            if let n = Int(p.value.trimmingWhitespace) {
                priority = n
            } else {
                error("priority must be an integer, not '\(p.value)'", p.location)
            }
        }
        let name = el.attribute("name")
        if let name, name.value.isEmpty { error("the rule name is empty", name.location) }
        let target = el.attribute("target")
        if target == nil {
            error("rule '\(name?.value ?? "")' has no target", el.location)
        } else if let target, target.value.trimmingWhitespace.isEmpty {
            error("rule '\(name?.value ?? "")' has an empty target", target.location)
        }
        return RuleDeclaration(
            name: name?.value ?? "", priority: priority, when: el.attribute("when")?.expression,
            target: target?.value ?? "", parameters: buildParameters(el, &diagnostics), location: el.location,
            nameLocation: name?.location, targetLocation: target?.location)
    }

    static func buildParameters(_ el: ForeignElement, _ diagnostics: inout [Diagnostic])
        -> [ParameterDeclaration]
    {
        func error(_ message: String, _ at: SourceLocation) {
            diagnostics.append(Diagnostic(.error, message, at: at))
        }
        checkText(el, &diagnostics)
        var out: [ParameterDeclaration] = []
        var names: [String: SourceLocation] = [:]
        for c in el.children {
            guard isOurs(c, &diagnostics) else { continue }
            guard c.name == "param" else {
                error("unknown element <sy:\(c.name)> in <sy:\(el.name)>; expected <sy:param>", c.location)
                continue
            }
            checkAttributes(c, allowed: ["name", "expr", "value", "type"], required: ["name"], &diagnostics)
            checkText(c, &diagnostics)
            let name = c.attribute("name")?.value ?? ""
            if let n = c.attribute("name") {
                if let first = names[name] {
                    error(
                        "duplicate parameter '\(name)' (first declared at \(first.line):\(first.column))",
                        n.location)
                } else {
                    names[name] = n.location
                }
            }
            let expr = c.attribute("expr")
            let value = c.attribute("value")
            let type = c.attribute("type")
            switch (expr, value) {
            case (let e?, nil):
                if let type { error("'type' applies to 'value', not to 'expr'", type.location) }
                out.append(ParameterDeclaration(name: name, .expression(e.expression), location: c.location))
            case (nil, let v?):
                let kind = type?.value ?? "string"
                if let parsed = parseValue(v.value, type: kind) {
                    out.append(ParameterDeclaration(name: name, .value(parsed), location: c.location))
                } else if let type, !["string", "number", "boolean", "json"].contains(type.value) {
                    error(
                        "type must be 'string', 'number', 'boolean' or 'json', not '\(type.value)'",
                        type.location)
                } else {
                    error("'\(v.value)' is not a valid \(kind) value", v.location)
                }
            case (_?, let v?):
                error("<sy:param> cannot have both 'expr' and 'value'", v.location)
            case (nil, nil):
                error("<sy:param> needs 'expr' or 'value'", c.location)
            }
        }
        return out
    }

    static func parseValue(_ text: String, type: String) -> Value? {
        switch type {
        case "string": return .string(text)
        case "number":
            guard case .number(let d)? = try? Value.parseJSON(text.trimmingWhitespace) else { return nil }
            return .number(d)
        case "boolean":
            switch text.trimmingWhitespace {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return nil
            }
        case "json": return try? Value.parseJSON(text)
        default: return nil
        }
    }

    /// Whether `c` is a Switchyard element; unqualified elements are errors (a forgotten prefix),
    /// elements in other namespaces are ignored.
    static func isOurs(_ c: ForeignElement, _ diagnostics: inout [Diagnostic]) -> Bool {
        if c.namespace == sy { return true }
        if c.namespace == nil {
            diagnostics.append(
                Diagnostic(
                    .error, "<\(c.name)> is not in namespace '\(sy)'; write <sy:\(c.name)>", at: c.location))
        }
        return false
    }

    static func checkAttributes(
        _ el: ForeignElement, allowed: [String], required: [String], _ diagnostics: inout [Diagnostic]
    ) {
        for a in el.attributes where a.namespace == nil && !allowed.contains(a.name) {
            diagnostics.append(
                Diagnostic(.error, "unknown attribute '\(a.name)' on <sy:\(el.name)>", at: a.location))
        }
        for name in required where el.attribute(name) == nil {
            diagnostics.append(
                Diagnostic(
                    .error, "<sy:\(el.name)> is missing the required attribute '\(name)'", at: el.location))
        }
    }

    static func checkText(_ el: ForeignElement, _ diagnostics: inout [Diagnostic]) {
        if !el.text.trimmingWhitespace.isEmpty {
            diagnostics.append(Diagnostic(.error, "unexpected text inside <sy:\(el.name)>", at: el.location))
        }
    }
}

extension String {
    /// The string without leading and trailing XML whitespace.
    var trimmingWhitespace: String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        guard let first = firstIndex(where: { !ws.contains($0) }),
            let last = lastIndex(where: { !ws.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
