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
    public var event: String
    public var location: SourceLocation
    public init(event: String, location: SourceLocation = .synthesized) {
        self.event = event
        self.location = location
    }
}

/// `<send>`.
public struct SendAction: Hashable, Sendable, Codable {
    public var event: String?
    public var eventExpr: ExpressionSource?
    public var target: String?
    public var targetExpr: ExpressionSource?
    public var type: String?
    public var typeExpr: ExpressionSource?
    public var id: String?
    public var idLocation: ExpressionSource?
    /// The `delay` attribute as written (validated by the loader).
    public var delay: String?
    public var delayExpr: ExpressionSource?
    public var namelist: [String]
    public var params: [Param]
    public var content: Content?
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
    public var sendID: String?
    public var sendIDExpr: ExpressionSource?
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
    public var label: String?
    public var expr: ExpressionSource?
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
    public var locationExpr: ExpressionSource
    public var expr: ExpressionSource?
    /// Inline children, as text.
    public var content: ExpressionSource?
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
    public var source: ExpressionSource
    /// The `src` attribute as written, when the body came from a file.
    public var src: String?
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
    public struct Branch: Hashable, Sendable, Codable {
        public var cond: ExpressionSource?
        public var actions: [Action]
        public var location: SourceLocation
        public init(cond: ExpressionSource?, actions: [Action], location: SourceLocation = .synthesized) {
            self.cond = cond
            self.actions = actions
            self.location = location
        }
    }
    public var branches: [Branch]
    public var location: SourceLocation
    public init(branches: [Branch], location: SourceLocation = .synthesized) {
        self.branches = branches
        self.location = location
    }
}

/// `<foreach array=... item=... index=...>`.
public struct ForeachAction: Hashable, Sendable, Codable {
    public var array: ExpressionSource
    public var item: ExpressionSource
    public var index: ExpressionSource?
    public var actions: [Action]
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
