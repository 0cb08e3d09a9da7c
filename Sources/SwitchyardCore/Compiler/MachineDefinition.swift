import SwitchyardExpressions

/// A validated SCXML document compiled into index tables: the immutable, shareable input of the
/// ``Interpreter``.
///
/// States and transitions are numbered in document order (index 0 is the `<scxml>` root), so
/// entry order is ascending index, exit order descending, and the descendants of state `s` are
/// exactly the indices `s+1 ... subtreeEnd[s]`. Event descriptors are interned; expressions are
/// compiled once. Build one with ``MachineDefinition/compile(_:options:warnings:routing:bindings:)``.
public final class MachineDefinition: Sendable {
    /// The document this definition was compiled from, as given: source positions, expressions
    /// and content as written (what drawings and diagnostics show). A durable engine names the
    /// version by the SHA-256 of its canonical form (``SCXMLDocument/canonicalized()``: no
    /// positions, code and inline content without layout), so moving lines or re-indenting the
    /// file is not a new version, and stores it as given.
    public let document: SCXMLDocument
    /// Warnings found while compiling (expressions that do not parse, in non-strict mode).
    public let warnings: [Diagnostic]

    let states: [CompiledState]
    let transitions: [CompiledTransition]
    /// The same structure as flat integer buffers, for the hot loop.
    let hot: HotTables
    let stateIndexByID: [String: Int]
    let symbols: SymbolTable
    let dataModel: DataModelKind
    let binding: DataBinding
    let eventSlot: Int?
    let sessionIDSlot: Int?
    let nameSlot: Int?
    let ioProcessorsSlot: Int?
    let descriptorIDs: [String: Int]
    /// For every event name that is itself a descriptor: the ids of all descriptors matching it.
    let prefixMatches: [String: [Int]]
    /// The same as parallel lists when it is short: comparing a few small strings beats hashing
    /// one.
    let usesSmallMatchTable: Bool
    let smallNames: [String]
    let smallMatches: [[Int]]
    /// ``fingerprint(_:)`` of each name in `smallNames`, same order.
    let smallFingerprints: [UInt64]
    /// Whether descriptor ids fit one 64-bit mask (see ``HotTables/descriptorMask``).
    let usesDescriptorMasks: Bool
    /// Whether any state has an eventless transition (if not, the eventless pass is skipped).
    let hasEventlessTransitions: Bool

    /// The set of descriptor ids below 64 as a bit mask.
    static func mask(_ ids: [Int]) -> UInt64 {
        var m: UInt64 = 0
        for id in ids where id < 64 { m |= 1 << UInt64(id) }
        return m
    }

    /// The length and first bytes of a name packed in one integer: names with different
    /// fingerprints are different, so most comparisons need no string comparison.
    @inline(__always) static func fingerprint(_ name: String) -> UInt64 {
        let utf8 = name.utf8
        // Contiguous (native or small) strings: read the bytes directly.
        if let f = utf8.withContiguousStorageIfAvailable({ bytes -> UInt64 in
            var f = UInt64(truncatingIfNeeded: bytes.count) << 56
            var shift: UInt64 = 0
            for byte in bytes.prefix(7) {
                f |= UInt64(byte) << shift
                shift += 8
            }
            return f
        }) {
            return f
        }
        var f = UInt64(truncatingIfNeeded: utf8.count) << 56
        var shift: UInt64 = 0
        var iterator = utf8.makeIterator()
        while shift < 56, let byte = iterator.next() {
            f |= UInt64(byte) << shift
            shift += 8
        }
        return f
    }
    let rootScript: CompiledBody?
    let usesIn: Bool
    let usesEvent: Bool
    /// All `<data>` in document order (for early binding).
    let allData: [CompiledData]
    let baseDirectory: String?
    let options: CompileOptions
    /// Swift functions and actions bound at compile time.
    public let bindings: HostBindings
    /// Whether `bindings` has actions (the interpreter then keeps the current event for them).
    let hasBoundActions: Bool
    /// The resolver `<sy:route>` rule sets were compiled with; reused for documents this one
    /// invokes and for older versions a durable engine recompiles from its store.
    public let routing: (any RoutingTableResolver)?

    init(
        document: SCXMLDocument, warnings: [Diagnostic], states: [CompiledState],
        transitions: [CompiledTransition],
        stateIndexByID: [String: Int], symbols: SymbolTable, dataModel: DataModelKind, eventSlot: Int?,
        sessionIDSlot: Int?, nameSlot: Int?, ioProcessorsSlot: Int?, descriptorIDs: [String: Int],
        rootScript: CompiledBody?, usesIn: Bool, usesEvent: Bool, allData: [CompiledData],
        baseDirectory: String?,
        options: CompileOptions, bindings: HostBindings, routing: (any RoutingTableResolver)? = nil
    ) {
        self.routing = routing
        self.bindings = bindings
        self.hasBoundActions = !bindings.actions.isEmpty
        self.document = document
        self.warnings = warnings
        self.states = states
        self.transitions = transitions
        self.stateIndexByID = stateIndexByID
        self.symbols = symbols
        self.dataModel = dataModel
        self.binding = document.binding
        self.eventSlot = eventSlot
        self.sessionIDSlot = sessionIDSlot
        self.nameSlot = nameSlot
        self.ioProcessorsSlot = ioProcessorsSlot
        self.descriptorIDs = descriptorIDs
        var prefixMatches: [String: [Int]] = [:]
        for (name, _) in descriptorIDs {
            var ids: [Int] = []
            var end = name.startIndex
            while let dot = name[end...].firstIndex(of: ".") {
                if let id = descriptorIDs[String(name[..<dot])] { ids.append(id) }
                end = name.index(after: dot)
            }
            if let id = descriptorIDs[name] { ids.append(id) }
            prefixMatches[name] = ids
        }
        self.prefixMatches = prefixMatches
        let small = prefixMatches.count <= 24 ? Array(prefixMatches) : []
        usesSmallMatchTable = prefixMatches.count <= 24
        smallNames = small.map(\.key)
        smallMatches = small.map(\.value)
        smallFingerprints = small.map { Self.fingerprint($0.key) }
        // With at most 64 descriptors a set of descriptor ids is one word: matching a
        // transition is one AND of its mask with the event's.
        let masks = descriptorIDs.count <= 64
        usesDescriptorMasks = masks
        self.hot = HotTables(
            states: states, transitions: transitions,
            names: small.map { (Self.fingerprint($0.key), masks ? Self.mask($0.value) : 0) })
        hasEventlessTransitions = states.contains { s in
            s.transitions.contains { transitions[$0].isEventless }
        }
        self.rootScript = rootScript
        self.usesIn = usesIn
        self.usesEvent = usesEvent
        self.allData = allData
        self.baseDirectory = baseDirectory
        self.options = options
    }

    /// The `name` attribute of `<scxml>`.
    public var name: String? { document.name }

    /// The data-model fields the machine lets hosts search instances by (`sy:searchable` on
    /// `<scxml>`), e.g. `GET /v1/instances?data.assignee=rita` of `switchyard serve`.
    public var searchableFields: [String] { document.searchableFields }

    /// Ids of all states (including generated ones) in document order, without the root.
    public var stateIDs: [String] { states.dropFirst().map(\.id) }

    /// The number of states, without the root.
    public var stateCount: Int { states.count - 1 }

    /// The number of transitions (including initial and history-default transitions).
    public var transitionCount: Int { transitions.count }

    /// Whether `id` names a state of this machine.
    public func hasState(_ id: String) -> Bool { stateIndexByID[id] != nil }

    /// The `sy:timeout` of the state with this id, if it declares one.
    public func timeout(ofState id: String) -> Duration? {
        stateIndexByID[id].flatMap { states[$0].timeout }
    }

    @inline(__always) func isDescendant(_ s: Int, of ancestor: Int) -> Bool {
        s > ancestor && s <= states[ancestor].subtreeEnd
    }
}

/// Which data model a document declares (SCXML 5.1, B).
public enum DataModelKind: String, Hashable, Sendable, Codable {
    case ecmascript
    case null
}

/// A state (or the root, or a history pseudo-state) in the compiled table. Immutable; a
/// reference type so the hot loop reads it without copying its arrays.
final class CompiledState: Sendable {
    enum Kind: Sendable, Equatable {
        case root
        case atomic
        case compound
        case parallel
        case final
        case shallowHistory
        case deepHistory
    }
    let id: String
    let kind: Kind
    let parent: Int
    let depth: Int
    let subtreeEnd: Int
    let children: [Int]
    let historyChildren: [Int]
    let initialTransition: Int?
    let transitions: [Int]
    let historyDefault: Int?
    let onEntry: [Block]
    let onExit: [Block]
    let data: [CompiledData]
    let invokes: [CompiledInvoke]
    let doneData: CompiledDoneData?
    /// `sy:timeout`: raise `timeout.<id>` this long after entry unless the state was exited.
    let timeout: Duration?
    let location: SourceLocation
    init(_ d: StateDraft) {
        id = d.id
        kind = d.kind
        parent = d.parent
        depth = d.depth
        subtreeEnd = d.subtreeEnd
        children = d.children
        historyChildren = d.historyChildren
        initialTransition = d.initialTransition
        transitions = d.transitions
        historyDefault = d.historyDefault
        onEntry = d.onEntry
        onExit = d.onExit
        data = d.data
        invokes = d.invokes
        doneData = d.doneData
        timeout = d.timeout
        location = d.location
    }

    var isAtomic: Bool { kind == .atomic || kind == .final }
    var isHistory: Bool { kind == .shallowHistory || kind == .deepHistory }
}

/// A transition in the compiled table. Immutable; a reference type so the hot loop reads it
/// without copying.
final class CompiledTransition: Sendable {
    let source: Int
    let descriptors: [Int]
    let matchesAnyEvent: Bool
    let eventText: String
    let cond: CompiledExpr?
    let targets: [Int]
    let isInternal: Bool
    let actions: Block
    let location: SourceLocation
    init(_ d: TransitionDraft) {
        source = d.source
        descriptors = d.descriptors
        matchesAnyEvent = d.matchesAnyEvent
        eventText = d.eventText
        cond = d.cond
        targets = d.targets
        isInternal = d.isInternal
        actions = d.actions
        location = d.location
    }

    var isEventless: Bool { descriptors.isEmpty && !matchesAnyEvent }
}

/// A state while the compiler fills it in; frozen into ``CompiledState``.
struct StateDraft: Sendable {
    var id: String
    var kind: CompiledState.Kind
    var parent: Int
    var depth: Int
    /// The largest index among this state's descendants (itself when it has none).
    var subtreeEnd: Int
    /// `<state>`, `<parallel>`, `<final>` children in document order (no history).
    var children: [Int]
    var historyChildren: [Int]
    /// The default-entry transition (from `<initial>`, `initial=`, or the first child).
    var initialTransition: Int?
    /// Event and eventless transitions in document order.
    var transitions: [Int]
    /// For history states: the default transition.
    var historyDefault: Int?
    var onEntry: [Block]
    var onExit: [Block]
    var data: [CompiledData]
    var invokes: [CompiledInvoke]
    var doneData: CompiledDoneData?
    var timeout: Duration? = nil
    var location: SourceLocation

    var isAtomic: Bool { kind == .atomic || kind == .final }
    var isHistory: Bool { kind == .shallowHistory || kind == .deepHistory }
}

/// A transition while the compiler builds it; frozen into ``CompiledTransition``.
struct TransitionDraft: Sendable {
    var source: Int
    /// Interned descriptor ids; empty for eventless transitions.
    var descriptors: [Int]
    /// `*` is among the descriptors.
    var matchesAnyEvent: Bool
    /// The `event` attribute as written (for traces and errors).
    var eventText: String
    var cond: CompiledExpr?
    var targets: [Int]
    var isInternal: Bool
    var actions: Block
    var location: SourceLocation

    var isEventless: Bool { descriptors.isEmpty && !matchesAnyEvent }
}
