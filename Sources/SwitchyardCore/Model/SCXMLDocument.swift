/// A whole SCXML 1.0 document as a value: the `<scxml>` root and everything under it.
///
/// Produced by the loader (`SwitchyardSCXML`) after validation, or built in code. The model is
/// structural; the interpreter compiles it into index tables (``MachineDefinition``).
public struct SCXMLDocument: Hashable, Sendable, Codable {
    /// The `name` attribute.
    public var name: String?
    /// The `initial` attribute, split into ids (empty: the first child state in document order).
    public var initial: [String]
    /// The `datamodel` attribute (`"ecmascript"`, `"null"`, ...); nil when absent.
    public var datamodel: String?
    /// The `binding` attribute.
    public var binding: DataBinding
    /// The children of the top-level `<datamodel>` elements, in document order.
    public var data: [DataDeclaration]
    /// The top-level `<script>`, run once after the data model is initialised.
    public var script: ScriptAction?
    /// Child states (`<state>`, `<parallel>`, `<final>`) in document order.
    public var states: [StateNode]
    /// Foreign-namespace attributes on `<scxml>` (e.g. Switchyard extensions).
    public var extensionAttributes: [ForeignAttribute]
    /// Foreign-namespace child elements of `<scxml>` (e.g. inline rule sets).
    public var extensionElements: [ForeignElement]
    /// Where `<scxml>` starts.
    public var location: SourceLocation
    /// Where the `initial` attribute value starts, when present.
    public var initialLocation: SourceLocation?
    /// The file the document was loaded from (used to resolve relative `src` references).
    public var sourcePath: String?

    public init(
        name: String? = nil, initial: [String] = [], datamodel: String? = nil, binding: DataBinding = .early,
        data: [DataDeclaration] = [], script: ScriptAction? = nil, states: [StateNode] = [],
        extensionAttributes: [ForeignAttribute] = [], extensionElements: [ForeignElement] = [],
        location: SourceLocation = .synthesized, initialLocation: SourceLocation? = nil,
        sourcePath: String? = nil
    ) {
        self.name = name
        self.initial = initial
        self.datamodel = datamodel
        self.binding = binding
        self.data = data
        self.script = script
        self.states = states
        self.extensionAttributes = extensionAttributes
        self.extensionElements = extensionElements
        self.location = location
        self.initialLocation = initialLocation
        self.sourcePath = sourcePath
    }
}

/// When `<data>` elements are evaluated (SCXML 5.3).
public enum DataBinding: String, Hashable, Sendable, Codable {
    /// All data is created and initialised when the document starts.
    case early
    /// Data of a state is initialised when the state is first entered.
    case late
}

/// What kind of node a ``StateNode`` is.
public enum StateKind: Hashable, Sendable, Codable {
    /// `<state>`: atomic when it has no child states, compound otherwise.
    case state
    /// `<parallel>`.
    case parallel
    /// `<final>`.
    case final
    /// `<history>`.
    case history(HistoryType)
}

/// `<history type=...>`.
public enum HistoryType: String, Hashable, Sendable, Codable {
    case shallow
    case deep
}

/// One `<state>`, `<parallel>`, `<final>` or `<history>` element.
public struct StateNode: Hashable, Sendable, Codable {
    /// Whether this is a `<state>`, `<parallel>`, `<final>` or `<history>`.
    public var kind: StateKind
    /// The `id` attribute. SCXML allows omitting it; the compiler then generates a unique one.
    public var id: String?
    /// The `initial` attribute of a `<state>`, split into ids.
    public var initial: [String]
    /// Where the `initial` attribute value starts, when present.
    public var initialLocation: SourceLocation?
    /// The `<initial>` child: its single transition.
    public var initialTransition: Transition?
    /// Child states in document order (`<state>`, `<parallel>`, `<final>`, `<history>`).
    public var children: [StateNode]
    /// `<transition>` children in document order. For `<history>`, the default transition.
    public var transitions: [Transition]
    /// Each `<onentry>` is its own block: an error in one does not stop the next.
    public var onEntry: [[Action]]
    /// Each `<onexit>` is its own block.
    public var onExit: [[Action]]
    /// Children of this state's `<datamodel>`.
    public var data: [DataDeclaration]
    /// `<invoke>` children.
    public var invokes: [Invoke]
    /// `<donedata>` of a `<final>`.
    public var doneData: DoneData?
    /// Foreign-namespace attributes (e.g. `sy:timeout`).
    public var extensionAttributes: [ForeignAttribute]
    /// Foreign-namespace child elements.
    public var extensionElements: [ForeignElement]
    /// Where the element starts in the document.
    public var location: SourceLocation
    /// Where the `id` attribute value starts, when present (added by the loader for diagnostics).
    public var idLocation: SourceLocation?

    public init(
        kind: StateKind, id: String?, initial: [String] = [], initialLocation: SourceLocation? = nil,
        initialTransition: Transition? = nil, children: [StateNode] = [], transitions: [Transition] = [],
        onEntry: [[Action]] = [], onExit: [[Action]] = [], data: [DataDeclaration] = [],
        invokes: [Invoke] = [],
        doneData: DoneData? = nil, extensionAttributes: [ForeignAttribute] = [],
        extensionElements: [ForeignElement] = [], location: SourceLocation = .synthesized,
        idLocation: SourceLocation? = nil
    ) {
        self.kind = kind
        self.id = id
        self.initial = initial
        self.initialLocation = initialLocation
        self.initialTransition = initialTransition
        self.children = children
        self.transitions = transitions
        self.onEntry = onEntry
        self.onExit = onExit
        self.data = data
        self.invokes = invokes
        self.doneData = doneData
        self.extensionAttributes = extensionAttributes
        self.extensionElements = extensionElements
        self.location = location
        self.idLocation = idLocation
    }
}

/// `<transition>`.
public struct Transition: Hashable, Sendable, Codable {
    /// Event descriptors from the `event` attribute (`error`, `foo.*`, `*`); empty: eventless.
    public var events: [String]
    /// The `cond` guard.
    public var cond: ExpressionSource?
    /// Target state ids; empty: a targetless transition.
    public var targets: [String]
    /// The `type` attribute.
    public var type: TransitionType
    /// Executable content.
    public var actions: [Action]
    /// Where the element starts in the document.
    public var location: SourceLocation
    /// Where the `target` attribute value starts, when present.
    public var targetLocation: SourceLocation?
    /// Where each id in `targets` starts (same count as `targets` when loaded from a file, empty
    /// when built in code). Added by the loader for diagnostics that point at one target.
    public var targetLocations: [SourceLocation]

    public init(
        events: [String] = [], cond: ExpressionSource? = nil, targets: [String] = [],
        type: TransitionType = .external,
        actions: [Action] = [], location: SourceLocation = .synthesized,
        targetLocation: SourceLocation? = nil,
        targetLocations: [SourceLocation] = []
    ) {
        self.events = events
        self.cond = cond
        self.targets = targets
        self.type = type
        self.actions = actions
        self.location = location
        self.targetLocation = targetLocation
        self.targetLocations = targetLocations
    }
}

/// The `type` attribute of `<transition>`.
public enum TransitionType: String, Hashable, Sendable, Codable {
    case external
    case `internal`
}

/// `<data>`.
public struct DataDeclaration: Hashable, Sendable, Codable {
    /// The `id` attribute.
    public var id: String
    /// `src`: a URI (relative paths resolve against the document's directory).
    public var src: String?
    /// The `expr` attribute.
    public var expr: ExpressionSource?
    /// Inline content (text, possibly JSON, or markup serialized as text).
    public var content: ExpressionSource?
    /// Where the element starts in the document.
    public var location: SourceLocation

    public init(
        id: String, src: String? = nil, expr: ExpressionSource? = nil, content: ExpressionSource? = nil,
        location: SourceLocation = .synthesized
    ) {
        self.id = id
        self.src = src
        self.expr = expr
        self.content = content
        self.location = location
    }
}

/// `<donedata>`: either one `<content>` or any number of `<param>`.
public struct DoneData: Hashable, Sendable, Codable {
    /// The `<content>` child, if any.
    public var content: Content?
    /// The `<param>` children, in document order.
    public var params: [Param]
    /// Where the element starts in the document.
    public var location: SourceLocation

    public init(content: Content? = nil, params: [Param] = [], location: SourceLocation = .synthesized) {
        self.content = content
        self.params = params
        self.location = location
    }
}

/// `<content>`: an `expr` or inline children.
public struct Content: Hashable, Sendable, Codable {
    /// What the `<content>` holds.
    public var body: ContentBody
    /// Where the element starts in the document.
    public var location: SourceLocation

    public init(_ body: ContentBody, location: SourceLocation = .synthesized) {
        self.body = body
        self.location = location
    }
}

/// What a `<content>` holds.
public indirect enum ContentBody: Hashable, Sendable, Codable {
    /// `<content expr="...">`.
    case expression(ExpressionSource)
    /// Inline text (whitespace kept as written).
    case text(ExpressionSource)
    /// Inline markup other than SCXML, serialized back to XML text.
    case markup(String)
    /// An inline `<scxml>` document (used by `<invoke>`).
    case document(SCXMLDocument)
}

/// `<param>`: a name and either `expr` or `location`.
public struct Param: Hashable, Sendable, Codable {
    /// The `name` attribute.
    public var name: String
    /// The `expr` attribute.
    public var expr: ExpressionSource?
    /// The `location` attribute.
    public var locationExpr: ExpressionSource?
    /// Where the element starts in the document.
    public var location: SourceLocation

    public init(
        name: String, expr: ExpressionSource? = nil, locationExpr: ExpressionSource? = nil,
        location: SourceLocation = .synthesized
    ) {
        self.name = name
        self.expr = expr
        self.locationExpr = locationExpr
        self.location = location
    }
}

/// `<invoke>`.
public struct Invoke: Hashable, Sendable, Codable {
    /// The `type` attribute.
    public var type: String?
    /// The `typeexpr` attribute.
    public var typeExpr: ExpressionSource?
    /// The `src` attribute.
    public var src: String?
    /// The `srcexpr` attribute.
    public var srcExpr: ExpressionSource?
    /// The `id` attribute.
    public var id: String?
    /// The `idlocation` attribute.
    public var idLocation: ExpressionSource?
    /// The names listed in the `namelist` attribute.
    public var namelist: [String]
    /// The `autoforward` attribute.
    public var autoforward: Bool
    /// The `<param>` children, in document order.
    public var params: [Param]
    /// The `<finalize>` executable content.
    public var finalize: [Action]
    /// The `<content>` child, if any.
    public var content: Content?
    /// Foreign-namespace attributes, kept as written.
    public var extensionAttributes: [ForeignAttribute]
    /// Where the element starts in the document.
    public var location: SourceLocation

    public init(
        type: String? = nil, typeExpr: ExpressionSource? = nil, src: String? = nil,
        srcExpr: ExpressionSource? = nil,
        id: String? = nil, idLocation: ExpressionSource? = nil, namelist: [String] = [],
        autoforward: Bool = false,
        params: [Param] = [], finalize: [Action] = [], content: Content? = nil,
        extensionAttributes: [ForeignAttribute] = [], location: SourceLocation = .synthesized
    ) {
        self.type = type
        self.typeExpr = typeExpr
        self.src = src
        self.srcExpr = srcExpr
        self.id = id
        self.idLocation = idLocation
        self.namelist = namelist
        self.autoforward = autoforward
        self.params = params
        self.finalize = finalize
        self.content = content
        self.extensionAttributes = extensionAttributes
        self.location = location
    }
}

extension SCXMLDocument {
    /// The names listed (space- or comma-separated) by `sy:searchable` on `<scxml>`: data-model
    /// fields hosts may search instances by. Empty when the attribute is absent.
    public var searchableFields: [String] {
        guard
            let attr = extensionAttributes.first(where: {
                $0.namespace == SCXMLNamespace.switchyard && $0.name == "searchable"
            })
        else { return [] }
        return attr.value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).map(
            String.init)
    }
}
