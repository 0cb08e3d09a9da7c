/// Cross-reference checks on a built document: unique state ids, transition targets that exist,
/// and initial/default targets that are legal descendants (SCXML 3.2, 3.3, 3.6, 3.10).
///
/// The document is flattened once into arrays with parent indices; id lookups use one dictionary,
/// so the checks are linear in the size of the document (times the nesting depth for descendant
/// tests).
struct DocumentValidator {
    private var parents: [Int] = []
    private var isParallel: [Bool] = []
    private var idLocations: [SourceLocation] = []
    private var ids: [String: Int] = [:]
    private var diagnostics: [Diagnostic] = []

    static func validate(_ doc: SCXMLDocument) -> [Diagnostic] {
        var v = DocumentValidator()
        v.run(doc)
        return v.diagnostics
    }

    /// Numbers the states in document order (pre-order) and records parents and ids.
    private mutating func index(_ node: StateNode, parent: Int) {
        let index = parents.count
        parents.append(parent)
        isParallel.append(node.kind == .parallel)
        let location = node.idLocation ?? node.location
        idLocations.append(location)
        if let id = node.id {
            if let first = ids[id] {
                let f = idLocations[first]
                // A document built in code may have no positions to point back to.
                let firstAt = f.line > 0 ? " (first defined at line \(f.line), column \(f.column))" : ""
                diagnostics.append(Diagnostic(.error, "duplicate state id '\(id)'\(firstAt)", at: location))
            } else {
                ids[id] = index
            }
        }
        for i in node.children.indices { self.index(node.children[i], parent: index) }
    }

    /// True when `node` is a proper descendant of `ancestor` (-1: the `<scxml>` root).
    private func isDescendant(_ node: Int, of ancestor: Int) -> Bool {
        var p = parents[node]
        while p >= 0 {
            if p == ancestor { return true }
            p = parents[p]
        }
        return ancestor == -1
    }

    private mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, message, at: location))
    }

    private mutating func run(_ doc: SCXMLDocument) {
        parents.reserveCapacity(256)
        for i in doc.states.indices { index(doc.states[i], parent: -1) }

        for id in doc.initial {
            if ids[id] == nil {
                error(
                    "initial state '\(id)' of <scxml> does not exist", at: doc.initialLocation ?? doc.location
                )
            }
        }
        var counter = 0
        for i in doc.states.indices { check(doc.states[i], &counter) }
        checkSearchable(doc)
    }

    /// `sy:searchable` on `<scxml>` names data-model variables the machine declares.
    private mutating func checkSearchable(_ doc: SCXMLDocument) {
        guard
            let attr = doc.extensionAttributes.first(where: {
                $0.namespace == SCXMLNamespace.switchyard && $0.name == "searchable"
            })
        else { return }
        var declared = Set(doc.data.map(\.id))
        func collect(_ node: StateNode) {
            for d in node.data { declared.insert(d.id) }
            node.children.forEach(collect)
        }
        doc.states.forEach(collect)
        for field in doc.searchableFields where !declared.contains(field) {
            error(
                "sy:searchable names '\(field)', which no <data> of this machine declares", at: attr.location)
        }
    }

    /// Checks one state and its descendants, visiting them in the same order as ``index``.
    private mutating func check(_ node: StateNode, _ counter: inout Int) {
        let index = counter
        counter += 1
        var name: String { node.id.map { "'\($0)'" } ?? "(unnamed)" }
        // Transition targets must exist and be able to be active together (SCXML 3.13).
        for i in node.transitions.indices {
            checkTargetsExist(node.transitions[i])
            if node.transitions[i].targets.count > 1 {
                checkTogether(
                    node.transitions[i].targets, at: node.transitions[i].targetLocation ?? node.location)
            }
        }
        checkTogether(node.initial, at: node.initialLocation ?? node.location)
        if let t = node.initialTransition { checkTogether(t.targets, at: t.targetLocation ?? t.location) }
        // `initial` attribute: proper descendants (SCXML 3.3).
        for id in node.initial {
            guard let target = ids[id] else {
                error(
                    "initial state '\(id)' of state \(name) does not exist",
                    at: node.initialLocation ?? node.location)
                continue
            }
            if !isDescendant(target, of: index) {
                error(
                    "initial state '\(id)' is not a descendant of state \(name)",
                    at: node.initialLocation ?? node.location)
            }
        }
        // `<initial>` transition: proper descendants (SCXML 3.6).
        if let t = node.initialTransition {
            for (i, id) in t.targets.enumerated() {
                guard let target = ids[id] else {
                    error("transition target '\(id)' does not exist", at: targetLocation(t, i))
                    continue
                }
                if !isDescendant(target, of: index) {
                    error(
                        "the <initial> transition target '\(id)' is not a descendant of state \(name)",
                        at: targetLocation(t, i))
                }
            }
        }
        // History default transition (SCXML 3.10.2): shallow → children of the parent,
        // deep → descendants of the parent.
        if case .history(let type) = node.kind, let t = node.transitions.first {
            let parent = parents[index]
            for (i, id) in t.targets.enumerated() {
                guard let target = ids[id] else { continue }  // reported above
                let legal: Bool
                switch type {
                case .shallow: legal = parents[target] == parent && target != index
                case .deep: legal = isDescendant(target, of: parent) && target != index
                }
                if !legal {
                    let rule = type == .shallow ? "a child" : "a descendant"
                    error(
                        "the default transition of \(type.rawValue) history \(name) must target \(rule) of its parent state, not '\(id)'",
                        at: targetLocation(t, i))
                }
            }
        }

        for i in node.children.indices { check(node.children[i], &counter) }
    }

    /// Reports two targets that cannot be in one configuration: one contains the other, or
    /// their nearest common ancestor is not a `<parallel>`.
    private mutating func checkTogether(_ targets: [String], at location: SourceLocation) {
        guard targets.count > 1 else { return }
        let resolved = targets.compactMap { id in ids[id].map { (id, $0) } }
        for i in 0..<resolved.count {
            for j in (i + 1)..<resolved.count {
                let (a, x) = resolved[i]
                let (b, y) = resolved[j]
                if x == y {
                    error("target '\(a)' is listed twice", at: location)
                } else if isDescendant(x, of: y) || isDescendant(y, of: x) {
                    error(
                        "targets '\(a)' and '\(b)' cannot be active together: one contains the other",
                        at: location)
                } else {
                    var ancestors = Set<Int>()
                    var p = parents[x]
                    while p >= 0 {
                        ancestors.insert(p)
                        p = parents[p]
                    }
                    var q = parents[y]
                    while q >= 0, !ancestors.contains(q) { q = parents[q] }
                    if q < 0 || !isParallel[q] {
                        error(
                            "targets '\(a)' and '\(b)' cannot be active together: they are not in different regions of a <parallel>",
                            at: location)
                    }
                }
            }
        }
    }

    private func targetLocation(_ t: Transition, _ i: Int) -> SourceLocation {
        if t.targetLocations.count == t.targets.count { return t.targetLocations[i] }
        return t.targetLocation ?? t.location
    }

    private mutating func checkTargetsExist(_ t: Transition) {
        for (i, id) in t.targets.enumerated() where ids[id] == nil {
            error("transition target '\(id)' does not exist", at: targetLocation(t, i))
        }
    }
}

extension SCXMLDocument {
    /// The cross-reference checks every document passes before it compiles — unique state ids,
    /// transition and initial targets that exist and are legal (SCXML 3.2, 3.3, 3.6, 3.10).
    /// ``MachineDefinition/compile(_:options:warnings:routing:bindings:)`` runs them first, so a
    /// document built by the SCXML loader, the Swift DSL or in code gets the same messages.
    /// Returns the errors found, in document order; empty when the document passes.
    public func validate() -> [Diagnostic] {
        DocumentValidator.validate(self)
    }
}
