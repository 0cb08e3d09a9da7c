/// One element of executable content (SCXML 4).
public indirect enum Action: Hashable, Sendable, Codable {
    case raise(RaiseAction)
    case send(SendAction)
    case cancel(CancelAction)
    case log(LogAction)
    case assign(AssignAction)
    case script(ScriptAction)
    case `if`(IfAction)
    case foreach(ForeachAction)
    /// An element in Switchyard's namespace (custom actions, routing, ...).
    case `extension`(ForeignElement)
    /// An element in some other foreign namespace: preserved, ignored at run time.
    case foreign(ForeignElement)

    /// Where the element starts.
    public var location: SourceLocation {
        switch self {
        case .raise(let a): a.location
        case .send(let a): a.location
        case .cancel(let a): a.location
        case .log(let a): a.location
        case .assign(let a): a.location
        case .script(let a): a.location
        case .if(let a): a.location
        case .foreach(let a): a.location
        case .extension(let e), .foreign(let e): e.location
        }
    }
}

/// `<raise event="...">`.
public struct RaiseAction: Hashable, Sendable, Codable {
    /// The `event` attribute.
    public var event: String
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(event: String, location: SourceLocation = .synthesized) {
        self.event = event
        self.location = location
    }
}

/// `<send>`.
public struct SendAction: Hashable, Sendable, Codable {
    /// The `event` attribute.
    public var event: String?
    /// The `eventexpr` attribute.
    public var eventExpr: ExpressionSource?
    /// The `target` attribute.
    public var target: String?
    /// The `targetexpr` attribute.
    public var targetExpr: ExpressionSource?
    /// The `type` attribute.
    public var type: String?
    /// The `typeexpr` attribute.
    public var typeExpr: ExpressionSource?
    /// The `id` attribute.
    public var id: String?
    /// The `idlocation` attribute.
    public var idLocation: ExpressionSource?
    /// The `delay` attribute as written (validated by the loader).
    public var delay: String?
    /// The `delayexpr` attribute.
    public var delayExpr: ExpressionSource?
    /// The names listed in the `namelist` attribute.
    public var namelist: [String]
    /// The `<param>` children, in document order.
    public var params: [Param]
    /// The `<content>` child, if any.
    public var content: Content?
    /// Where the element starts in the document.
    public var location: SourceLocation

    public init(
        event: String? = nil, eventExpr: ExpressionSource? = nil, target: String? = nil,
        targetExpr: ExpressionSource? = nil, type: String? = nil, typeExpr: ExpressionSource? = nil,
        id: String? = nil,
        idLocation: ExpressionSource? = nil, delay: String? = nil, delayExpr: ExpressionSource? = nil,
        namelist: [String] = [], params: [Param] = [], content: Content? = nil,
        location: SourceLocation = .synthesized
    ) {
        self.event = event
        self.eventExpr = eventExpr
        self.target = target
        self.targetExpr = targetExpr
        self.type = type
        self.typeExpr = typeExpr
        self.id = id
        self.idLocation = idLocation
        self.delay = delay
        self.delayExpr = delayExpr
        self.namelist = namelist
        self.params = params
        self.content = content
        self.location = location
    }
}

/// `<cancel sendid=... | sendidexpr=...>`.
public struct CancelAction: Hashable, Sendable, Codable {
    /// The `sendid` attribute.
    public var sendID: String?
    /// The `sendidexpr` attribute.
    public var sendIDExpr: ExpressionSource?
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(
        sendID: String? = nil, sendIDExpr: ExpressionSource? = nil, location: SourceLocation = .synthesized
    ) {
        self.sendID = sendID
        self.sendIDExpr = sendIDExpr
        self.location = location
    }
}

/// `<log label=... expr=...>`.
public struct LogAction: Hashable, Sendable, Codable {
    /// The `label` attribute.
    public var label: String?
    /// The `expr` attribute.
    public var expr: ExpressionSource?
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(label: String? = nil, expr: ExpressionSource? = nil, location: SourceLocation = .synthesized)
    {
        self.label = label
        self.expr = expr
        self.location = location
    }
}

/// `<assign location=... expr=...>` or with inline content.
public struct AssignAction: Hashable, Sendable, Codable {
    /// The `location` attribute.
    public var locationExpr: ExpressionSource
    /// The `expr` attribute.
    public var expr: ExpressionSource?
    /// Inline children, as text.
    public var content: ExpressionSource?
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(
        locationExpr: ExpressionSource, expr: ExpressionSource? = nil, content: ExpressionSource? = nil,
        location: SourceLocation = .synthesized
    ) {
        self.locationExpr = locationExpr
        self.expr = expr
        self.content = content
        self.location = location
    }
}

/// `<script>`: inline source, or `src` loaded by the loader (the body is then the file's text).
public struct ScriptAction: Hashable, Sendable, Codable {
    /// The script text (read from the file when `src` was given).
    public var source: ExpressionSource
    /// The `src` attribute as written, when the body came from a file.
    public var src: String?
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(source: ExpressionSource, src: String? = nil, location: SourceLocation = .synthesized) {
        self.source = source
        self.src = src
        self.location = location
    }
}

/// `<if>` with its `<elseif>`/`<else>` branches flattened: the first branch whose condition is
/// true (or nil, for `<else>`) runs.
public struct IfAction: Hashable, Sendable, Codable {
    /// One branch: its condition (nil for `<else>`) and its content.
    public struct Branch: Hashable, Sendable, Codable {
        /// The branch condition; nil for `<else>`.
        public var cond: ExpressionSource?
        /// The executable content inside the element, in document order.
        public var actions: [Action]
        /// Where the element starts in the document.
        public var location: SourceLocation
        public init(cond: ExpressionSource?, actions: [Action], location: SourceLocation = .synthesized) {
            self.cond = cond
            self.actions = actions
            self.location = location
        }
    }
    /// The `<if>`, `<elseif>` and `<else>` branches in document order.
    public var branches: [Branch]
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(branches: [Branch], location: SourceLocation = .synthesized) {
        self.branches = branches
        self.location = location
    }
}

/// `<foreach array=... item=... index=...>`.
public struct ForeachAction: Hashable, Sendable, Codable {
    /// The `array` attribute: the collection to iterate.
    public var array: ExpressionSource
    /// The `item` attribute: the variable that receives each element.
    public var item: ExpressionSource
    /// The `index` attribute: the variable that receives each position.
    public var index: ExpressionSource?
    /// The executable content inside the element, in document order.
    public var actions: [Action]
    /// Where the element starts in the document.
    public var location: SourceLocation
    public init(
        array: ExpressionSource, item: ExpressionSource, index: ExpressionSource? = nil,
        actions: [Action] = [],
        location: SourceLocation = .synthesized
    ) {
        self.array = array
        self.item = item
        self.index = index
        self.actions = actions
        self.location = location
    }
}
