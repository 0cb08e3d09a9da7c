public import SwitchyardExpressions

/// The SCXML interpreter: a pure, deterministic step function over one machine instance.
///
/// `Interpreter` is a value type. ``start()`` enters the initial configuration and
/// ``handle(_:)`` processes one external event; each runs a complete macrostep (W3C SCXML 1.0,
/// Appendix D) and returns the ``Effect``s for the executor — it performs no I/O and reads no
/// clock. Function names follow Appendix D so the code can be read beside the specification.
public struct Interpreter: Sendable {
    /// The compiled machine.
    public let definition: MachineDefinition
    /// This session's id (`_sessionid`).
    public let sessionID: String
    /// Limits and tracing.
    public var options: InterpreterOptions
    /// The sessions this one can address with `#_scxml_<id>`; when set, sending to a session
    /// not in it raises `error.communication` at once (SCXML 6.2.4). The executor provides it.
    public var instanceDirectory: (any InstanceLookup)?
    /// Runs Switchyard extension actions (`<sy:action>` and other `sy:` elements in executable
    /// content) synchronously, inside the macrostep. Without one they are no-ops.
    public var actionHandler: (any CustomActionHandler)? {
        didSet { hasActionHandler = actionHandler != nil }
    }
    /// Where this session receives events through the Basic HTTP Event I/O Processor
    /// (`_ioprocessors.basichttp.location`, SCXML D.2), when its host serves one. Without it the
    /// data model has no `basichttp` entry; sending through the processor still works. The
    /// executor provides it; setting it on a started session updates `_ioprocessors`.
    public var basicHTTPLocation: String? {
        didSet { if started { setSystemVariables() } }
    }
    /// Whether ``actionHandler`` is set: testing the flag per event costs no existential copy.
    var hasActionHandler = false
    /// The storage of the event being processed (`_event`), for custom actions; set only while
    /// a macrostep runs and only when a handler or bound action may read it. Unretained, so
    /// setting it per event costs no reference counting: an external event is kept alive by
    /// the caller of ``handle(_:)`` for the whole macrostep, an internal one by
    /// ``heldInternalEvent``; ``finishMacrostep()`` clears it before either can go away.
    unowned(unsafe) var currentEventStorage: Event.Storage?
    /// Keeps the internal event being processed alive while ``currentEventStorage`` refers to it.
    var heldInternalEvent: Event?

    /// The event being processed, as custom actions see it.
    var currentEvent: Event? { currentEventStorage.map { Event(sharing: $0) } }

    var configuration: StateSet
    var environment: Environment
    var historyValue: [Int: [Int]] = [:]
    var internalQueue: [Event] = []
    var internalHead = 0
    var statesToInvoke: [Int] = []
    var initialized: StateSet
    var activeInvocations: [ActiveInvocation] = []
    var sendCounter = 0
    var invokeCounter = 0
    /// Whether the session is running (false once a top-level final state was reached).
    public internal(set) var isRunning = false
    /// The top-level `<final>` the session stopped in, once finished.
    public internal(set) var finalStateID: String?
    var started = false
    var exited = false

    // Per-macrostep output.
    var effects: [Effect] = []
    var trace: [MicrostepTrace] = []
    var currentEventName: String?
    var microsteps = 0
    var limitError: InterpreterError?
    /// Whether the last event given to ``handle(_:)`` enabled at least one transition. False
    /// means no transition took it: the configuration did not move because of it.
    public internal(set) var lastEventHandled = false
    /// Whether ``actionHandler`` ran during the last macrostep (the executor then collects what
    /// built-in actions recorded).
    public internal(set) var handlerRan = false
    var recentTransitions: [Int] = []
    var matchedDescriptors: [Int] = []
    /// The descriptors matching the current event as a mask (``MachineDefinition/usesDescriptorMasks``).
    var matchedMask: UInt64 = 0
    var enabledBuffer: [Int] = []
    var inHost: InPredicate?
    // Scratch buffers reused across microsteps so the hot path does not allocate.
    var exitScratch: StateSet
    var enterScratch: StateSet
    var defaultEntryScratch: StateSet

    /// Creates an instance that has not started yet.
    ///
    /// - Parameters:
    ///   - definition: the compiled machine.
    ///   - sessionID: the session id (`_sessionid`); the executor chooses it.
    ///   - data: initial values that override `<data>` declarations of the same name (invoke
    ///     parameters, application input).
    ///   - declareUndeclared: add names the document does not declare (true), or ignore them
    ///     (false: what an invoked child does with parameters it does not declare).
    ///   - options: limits and tracing.
    public init(
        definition: MachineDefinition, sessionID: String, data: [NamedValue] = [],
        declareUndeclared: Bool = true,
        options: InterpreterOptions = .init()
    ) {
        self.definition = definition
        self.sessionID = sessionID
        self.options = options
        configuration = StateSet(capacity: definition.states.count)
        initialized = StateSet(capacity: definition.states.count)
        exitScratch = StateSet(capacity: definition.states.count)
        enterScratch = StateSet(capacity: definition.states.count)
        defaultEntryScratch = StateSet(capacity: definition.states.count)
        environment = Environment(symbols: definition.symbols)
        initialData = data
        self.declareUndeclared = declareUndeclared
    }

    var initialData: [NamedValue]
    var declareUndeclared: Bool

    // MARK: Public queries

    /// Whether the session has stopped in a top-level final state.
    public var isFinished: Bool { started && !isRunning }

    /// Ids of the active states in document order (atomic, compound and parallel).
    public var configurationIDs: [String] {
        configuration.members.map { definition.states[$0].id }
    }

    /// Ids of the active atomic states in document order.
    public var atomicConfigurationIDs: [String] {
        configuration.members.filter { definition.states[$0].isAtomic }.map { definition.states[$0].id }
    }

    /// Whether the state with this id is active.
    public func isActive(_ stateID: String) -> Bool {
        guard let i = definition.stateIndexByID[stateID] else { return false }
        return configuration.contains(i)
    }

    /// The value of a data model variable (nil when not declared).
    public func value(of name: String) -> Value? {
        environment.value(named: name)
    }

    /// All data model variables except the system variables, in declaration order.
    public var dataModel: [NamedValue] {
        var out: [NamedValue] = []
        for (slot, name) in environment.symbols.names.enumerated()
        where !name.hasPrefix("_") || !isSystem(name) {
            out.append(NamedValue(name, environment[slot]))
        }
        return out
    }

    func isSystem(_ name: String) -> Bool {
        name == "_event" || name == "_sessionid" || name == "_name" || name == "_ioprocessors"
    }

    /// The invocations currently running.
    public var invocations: [ActiveInvocation] { activeInvocations }

    // MARK: Entry points

    /// Starts the session: initialises the data model (early binding), runs the top-level
    /// script, enters the initial configuration and completes the first macrostep.
    public mutating func start() -> MacrostepResult {
        _ = startInPlace()
        return endMacrostep()
    }

    /// ``start()`` leaving the macrostep's output in place (``effects``, ``trace``,
    /// ``limitError``) for the executor to take, instead of returning it: no result to build
    /// and destroy when, as usual, there is nothing in it. Returns whether there is anything
    /// for the executor to look at (``needsAttention``).
    package mutating func startInPlace() -> Bool {
        beginMacrostep()
        guard !started else {
            finishMacrostep()
            return needsAttention
        }
        started = true
        isRunning = true
        setSystemVariables()
        if definition.binding == .early {
            for d in definition.allData { initializeData(d) }
            for i in 1..<definition.states.count { initialized.insert(i) }
        } else {
            for d in definition.allData where definition.document.data.contains(where: { $0.id == d.id }) {
                initializeData(d)
            }
        }
        applyInitialData()
        if let script = definition.rootScript { _ = runScript(script) }
        if let t = definition.states[0].initialTransition {
            var entered: [String] = []
            enterStates([t], trace: &entered)
            if options.tracing {
                trace.append(MicrostepTrace(event: nil, transitions: [], exited: [], entered: entered))
            }
        }
        runMacrostep()
        finishMacrostep()
        return needsAttention
    }

    /// Processes one external event: finalize and autoforward for invocations, then the
    /// transitions it enables, then eventless transitions and internal events until stable.
    /// Events arriving after the session finished are ignored (an empty result).
    public mutating func handle(_ event: Event) -> MacrostepResult {
        _ = handleInPlace(event)
        return endMacrostep()
    }

    /// ``handle(_:)`` leaving the macrostep's output in place (see ``startInPlace()``).
    /// Returns whether there is anything for the executor to look at (``needsAttention``).
    package mutating func handleInPlace(_ event: Event) -> Bool {
        beginMacrostep()
        guard isRunning else {
            finishMacrostep()
            return needsAttention
        }
        setEvent(event)
        if !activeInvocations.isEmpty {
            for inv in activeInvocations
            where configuration.contains(definition.stateIndexByID[inv.stateID] ?? 0) {
                if let id = event.invokeID, id == inv.invokeID {
                    applyFinalize(inv)
                }
                if inv.autoforward {
                    effects.append(.send(event: event, target: .invoked(inv.invokeID)))
                }
            }
        }
        let enabled = selectTransitions(event)
        lastEventHandled = !enabled.isEmpty
        if lastEventHandled {
            microstep(enabled)
        }
        runMacrostep()
        finishMacrostep()
        return needsAttention
    }

    /// Whether the macrostep just run left anything beyond the new configuration and data: effects,
    /// a trace, an error, custom actions that ran, or the end of the session.
    @inline(__always) var needsAttention: Bool {
        !effects.isEmpty || !trace.isEmpty || limitError != nil || handlerRan || !isRunning
    }

    /// Takes the effects of the macrostep just run (``startInPlace()``, ``handleInPlace(_:)``).
    package mutating func takeEffects() -> [Effect] {
        var out: [Effect] = []
        swap(&out, &effects)
        return out
    }

    /// Takes the trace of the macrostep just run.
    package mutating func takeTrace() -> [MicrostepTrace] {
        var out: [MicrostepTrace] = []
        swap(&out, &trace)
        return out
    }

    /// The error that stopped the macrostep just run, if a limit did.
    package var macrostepError: InterpreterError? { limitError }

    // MARK: Macrostep (Appendix D: mainEventLoop)

    mutating func beginMacrostep() {
        if handlerRan { handlerRan = false }
        if !effects.isEmpty { effects.removeAll(keepingCapacity: true) }
        if !trace.isEmpty { trace.removeAll(keepingCapacity: true) }
        microsteps = 0
        limitError = nil
        if !recentTransitions.isEmpty { recentTransitions.removeAll() }
        if definition.usesIn && inHost == nil { inHost = InPredicate(definition: definition) }
    }

    /// Ends a macrostep: nothing may refer to its event or its `In()` host any longer.
    @inline(__always) mutating func finishMacrostep() {
        currentEventStorage = nil
        if heldInternalEvent != nil { heldInternalEvent = nil }
        if inHost != nil { inHost = nil }
    }

    /// The output of the macrostep just finished, moved out of the interpreter.
    mutating func endMacrostep() -> MacrostepResult {
        let result = MacrostepResult(effects: effects, trace: trace, error: limitError)
        effects = []
        trace = []
        return result
    }

    /// Takes eventless transitions and internal events until the configuration is stable, then
    /// starts the invocations of states entered (and not left) during the macrostep.
    mutating func runMacrostep() {
        while isRunning && limitError == nil {
            var macrostepDone = false
            while isRunning && !macrostepDone && limitError == nil {
                var enabled = selectEventlessTransitions()
                if enabled.isEmpty {
                    if internalHead >= internalQueue.count {
                        macrostepDone = true
                    } else {
                        let internalEvent = internalQueue[internalHead]
                        internalHead += 1
                        if internalHead == internalQueue.count {
                            internalQueue.removeAll(keepingCapacity: true)
                            internalHead = 0
                        }
                        if hasActionHandler || definition.hasBoundActions {
                            heldInternalEvent = internalEvent
                        }
                        setEvent(internalEvent)
                        enabled = selectTransitions(internalEvent)
                    }
                }
                if !enabled.isEmpty { microstep(enabled) }
            }
            if !isRunning { break }
            if limitError != nil { break }
            if !statesToInvoke.isEmpty {
                let states = statesToInvoke.sorted()
                statesToInvoke.removeAll(keepingCapacity: true)
                for s in states {
                    for i in definition.states[s].invokes.indices { invoke(state: s, index: i) }
                }
            }
            if internalHead >= internalQueue.count { break }
        }
        if !isRunning && !exited { exitInterpreter() }
        if limitError != nil {
            internalQueue.removeAll()
            internalHead = 0
        }
        currentEventName = nil
    }

    /// SCXML `exitInterpreter`: leave every state, cancel invocations, report done.
    mutating func exitInterpreter() {
        exited = true
        let statesToExit = configuration.members.reversed()
        var doneData: Value = .undefined
        for s in statesToExit {
            for block in definition.states[s].onExit { _ = executeBlock(block) }
            cancelInvocations(of: s)
            configuration.remove(s)
            let st = definition.states[s]
            if st.kind == .final && st.parent == 0 {
                doneData = evaluateDoneData(st.doneData)
            }
        }
        internalQueue.removeAll()
        internalHead = 0
        effects.append(.done(data: doneData))
    }

    // MARK: Transition selection

    /// Interned descriptor ids that match `name`: descriptors equal to one of its
    /// dot-separated prefixes. Names that are themselves descriptors use a table built at
    /// compile time; others are split here.
    mutating func matchDescriptors(_ name: String) {
        if definition.usesDescriptorMasks {
            if definition.usesSmallMatchTable {
                let hot = definition.hot
                let print = MachineDefinition.fingerprint(name)
                for i in 0..<hot.nameCount
                where hot.nameFingerprints[i] == print && definition.smallNames[i] == name {
                    matchedMask = hot.nameMasks[i]
                    return
                }
            } else if let precomputed = definition.prefixMatches[name] {
                matchedMask = MachineDefinition.mask(precomputed)
                return
            }
            matchDescriptorsByPrefix(name)
            matchedMask = MachineDefinition.mask(matchedDescriptors)
            return
        }
        if definition.usesSmallMatchTable {
            let print = MachineDefinition.fingerprint(name)
            let fingerprints = definition.smallFingerprints
            for i in fingerprints.indices where fingerprints[i] == print && definition.smallNames[i] == name {
                matchedDescriptors = definition.smallMatches[i]
                return
            }
        } else if let precomputed = definition.prefixMatches[name] {
            matchedDescriptors = precomputed
            return
        }
        matchDescriptorsByPrefix(name)
    }

    /// Descriptor ids matching `name`, from its dot-separated prefixes.
    mutating func matchDescriptorsByPrefix(_ name: String) {
        matchedDescriptors = []
        let table = definition.descriptorIDs
        guard !table.isEmpty else { return }
        var end = name.startIndex
        while let dot = name[end...].firstIndex(of: ".") {
            if let id = table[String(name[..<dot])] { matchedDescriptors.append(id) }
            end = name.index(after: dot)
        }
        if let id = table[name] { matchedDescriptors.append(id) }
    }

    @inline(__always) func nameMatch(_ ti: Int, _ hot: HotTables) -> Bool {
        if hot.transitionFlags[ti] & HotTables.matchesAny != 0 { return true }
        if definition.usesDescriptorMasks { return hot.descriptorMask[ti] & matchedMask != 0 }
        var k = Int(hot.descriptorStart[ti])
        let end = Int(hot.descriptorStart[ti + 1])
        while k < end {
            if matchedDescriptors.contains(Int(hot.descriptorList[k])) { return true }
            k += 1
        }
        return false
    }

    mutating func selectEventlessTransitions() -> [Int] {
        guard definition.hasEventlessTransitions else { return [] }
        return selectTransitions(eventless: true)
    }

    mutating func selectTransitions(_ event: Event) -> [Int] {
        matchDescriptors(event.name)
        return selectTransitions(eventless: false)
    }

    /// Appendix D `selectTransitions` / `selectEventlessTransitions`: for each atomic state in
    /// document order, the first transition (in the state, then its ancestors) whose event and
    /// condition match.
    mutating func selectTransitions(eventless: Bool) -> [Int] {
        // removeLast keeps the buffer and, unlike removeAll(keepingCapacity:), is not a generic
        // range replacement; the buffer holds one or two transitions.
        while !enabledBuffer.isEmpty { enabledBuffer.removeLast() }
        let hot = definition.hot
        for wordIndex in configuration.words.indices {
            var w = configuration.words[wordIndex]
            while w != 0 {
                let atomicIndex = wordIndex << 6 + w.trailingZeroBitCount
                w &= w - 1
                guard hot.stateFlags[atomicIndex] & HotTables.atomic != 0 else { continue }
                var s = atomicIndex
                search: while s > 0 {
                    var k = Int(hot.transitionStart[s])
                    let end = Int(hot.transitionStart[s + 1])
                    while k < end {
                        let ti = Int(hot.transitionList[k])
                        k += 1
                        let flags = hot.transitionFlags[ti]
                        if eventless {
                            guard flags & HotTables.eventless != 0 else { continue }
                        } else {
                            guard flags & HotTables.eventless == 0, nameMatch(ti, hot) else { continue }
                        }
                        if flags & HotTables.hasCond == 0
                            || (flags & HotTables.simpleCond != 0
                                ? simpleConditionMatch(ti, hot) : conditionMatch(definition.transitions[ti]))
                        {
                            if !enabledBuffer.contains(ti) { enabledBuffer.append(ti) }
                            break search
                        }
                    }
                    s = Int(hot.parent[s])
                }
            }
        }
        if enabledBuffer.count > 1 { return removeConflictingTransitions(enabledBuffer) }
        return enabledBuffer
    }

    /// A condition with a ``SimpleCond``: answered from the slot when it holds a number.
    @inline(__always) mutating func simpleConditionMatch(_ ti: Int, _ hot: HotTables) -> Bool {
        let c = hot.simpleConds[ti]
        if let x = environment.number(at: Int(c.slot)) { return c.op.test(x, c.number) }
        return conditionMatch(definition.transitions[ti])
    }

    mutating func conditionMatch(_ t: CompiledTransition) -> Bool {
        guard let cond = t.cond else { return true }
        return evaluateCondition(cond)
    }

    /// Appendix D `removeConflictingTransitions`: when two transitions' exit sets intersect,
    /// keep the one whose source is a descendant of the other's, else the earlier one.
    func removeConflictingTransitions(_ enabled: [Int]) -> [Int] {
        var filtered: [(Int, StateSet)] = []
        for t1 in enabled {
            let exit1 = computeExitSet([t1])
            var preempted = false
            var toRemove: [Int] = []
            for (i, (t2, exit2)) in filtered.enumerated() where exit1.intersects(exit2) {
                if definition.isDescendant(
                    definition.transitions[t1].source, of: definition.transitions[t2].source)
                {
                    toRemove.append(i)
                } else {
                    preempted = true
                    break
                }
            }
            if !preempted {
                for i in toRemove.reversed() { filtered.remove(at: i) }
                filtered.append((t1, exit1))
            }
        }
        return filtered.map(\.0)
    }

    // MARK: Microstep

    mutating func microstep(_ enabled: [Int]) {
        microsteps += 1
        if microsteps > options.maxMicrosteps {
            reportLoop()
            return
        }
        // Remember the last transitions only near the limit: they name the loop in the error.
        if microsteps > options.maxMicrosteps - 16 { recentTransitions.append(enabled[0]) }
        if enabled.count == 1, !options.tracing, fastMicrostep(enabled[0]) { return }
        var exitedTrace: [String] = []
        var enteredTrace: [String] = []
        exitStates(enabled, trace: &exitedTrace)
        executeTransitionContent(enabled)
        enterStates(enabled, trace: &enteredTrace)
        if options.tracing {
            trace.append(
                MicrostepTrace(
                    event: currentEventName, transitions: enabled.map(describeTransition),
                    exited: exitedTrace,
                    entered: enteredTrace))
        }
    }

    /// A microstep of one transition with ``HotTables/staticEntry``: exit and entry sets are
    /// masks, so nothing is computed or allocated. Returns false (having done nothing) when
    /// the general path must run: the transition is not static, or a state to exit has
    /// history to record.
    mutating func fastMicrostep(_ t: Int) -> Bool {
        let hot = definition.hot
        guard hot.transitionFlags[t] & HotTables.staticEntry != 0 else { return false }
        let domain = Int(hot.domain[t])
        let exitMask = domain >= 0 ? configuration.words[0] & hot.descendantMask[domain] : 0
        if exitMask & hot.historyParentMask != 0 { return false }
        if exitMask != 0 {
            if !statesToInvoke.isEmpty { statesToInvoke.removeAll { exitMask & (1 << UInt64($0)) != 0 } }
            var m = exitMask
            while m != 0 {
                let s = 63 - m.leadingZeroBitCount
                m &= ~(1 << UInt64(s))
                exitState(s, hot)
            }
        }
        executeContent(ofTransition: t, hot)
        var m = hot.entryMask[t]
        let defaultEntry = hot.defaultEntryMask[t]
        while m != 0 {
            let s = m.trailingZeroBitCount
            m &= m - 1
            enterState(
                s, hot, isDefaultEntry: defaultEntry & (1 << UInt64(s)) != 0, defaultHistoryContent: [:])
        }
        return true
    }

    mutating func reportLoop() {
        let active = configuration.members.filter { definition.states[$0].isAtomic }.map {
            definition.states[$0].id
        }
        var seen: [String] = []
        for t in recentTransitions {
            let d = describeTransition(t)
            if !seen.contains(d) { seen.append(d) }
        }
        limitError = .microstepLimitExceeded(limit: options.maxMicrosteps, states: active, transitions: seen)
    }

    func describeTransition(_ ti: Int) -> String {
        let t = definition.transitions[ti]
        let source = definition.states[t.source].id
        let targets = t.targets.map { definition.states[$0].id }.joined(separator: " ")
        return "\(source) -[\(t.eventText)]-> \(targets.isEmpty ? "(targetless)" : targets)"
    }

    mutating func executeTransitionContent(_ enabled: [Int]) {
        let hot = definition.hot
        for t in enabled { executeContent(ofTransition: t, hot) }
    }

    @inline(__always) mutating func executeContent(ofTransition t: Int, _ hot: HotTables) {
        let flags = hot.transitionFlags[t]
        if flags & HotTables.hasActions == 0 { return }
        if flags & HotTables.simpleActions != 0 {
            runSimpleOps(Int(hot.actionOpStart[t]), Int(hot.actionOpStart[t + 1]), in: .transition(t))
        } else {
            _ = executeBlock(definition.transitions[t].actions)
        }
    }

    // MARK: Exit

    /// Appendix D `computeExitSet`: active descendants of each targeted transition's domain.
    func computeExitSet(_ enabled: [Int], into statesToExit: inout StateSet) {
        statesToExit.removeAll()
        let hot = definition.hot
        for ti in enabled {
            if hot.targetStart[ti] == hot.targetStart[ti + 1] { continue }
            guard let domain = getTransitionDomain(ti) else { continue }
            let end = Int(hot.subtreeEnd[domain])
            if domain + 1 <= end {
                configuration.forEachMember(in: (domain + 1)...end) { statesToExit.insert($0) }
            }
        }
    }

    func computeExitSet(_ enabled: [Int]) -> StateSet {
        var statesToExit = StateSet(capacity: definition.states.count)
        computeExitSet(enabled, into: &statesToExit)
        return statesToExit
    }

    mutating func exitStates(_ enabled: [Int], trace: inout [String]) {
        var statesToExit = exitScratch
        exitScratch = StateSet(capacity: 0)
        computeExitSet(enabled, into: &statesToExit)
        defer { exitScratch = statesToExit }
        if statesToExit.isEmpty { return }
        if !statesToInvoke.isEmpty { statesToInvoke.removeAll { statesToExit.contains($0) } }
        let hot = definition.hot
        // Record history before any onexit runs.
        statesToExit.forEachDescending { s in
            guard hot.stateFlags[s] & HotTables.hasHistoryChildren != 0 else { return }
            for h in definition.states[s].historyChildren {
                let deep = hot.stateFlags[h] & HotTables.deepHistory != 0
                var value: [Int] = []
                let end = Int(hot.subtreeEnd[s])
                configuration.forEachMember(in: (s + 1)...max(s + 1, end)) { s0 in
                    if deep {
                        if hot.stateFlags[s0] & HotTables.atomic != 0 { value.append(s0) }
                    } else if Int(hot.parent[s0]) == s {
                        value.append(s0)
                    }
                }
                historyValue[h] = value
            }
        }
        statesToExit.forEachDescending { s in
            exitState(s, hot)
            if options.tracing { trace.append(definition.states[s].id) }
        }
    }

    /// Appendix D `exitStates`, for one state of the exit set (history already recorded): its
    /// `<onexit>`, its timeout timer and invocations, and its removal from the configuration.
    @inline(__always) mutating func exitState(_ s: Int, _ hot: HotTables) {
        let flags = hot.stateFlags[s]
        if flags & HotTables.simpleExit != 0 {
            runSimpleOps(Int(hot.exitOpStart[s]), Int(hot.exitOpStart[s + 1]), in: .exit(s))
        } else if flags & HotTables.hasOnExit != 0 {
            for block in definition.states[s].onExit { _ = executeBlock(block) }
        }
        if flags & HotTables.hasTimeout != 0 {
            effects.append(.cancel(sendID: Self.timeoutSendID(definition.states[s].id)))
        }
        if !activeInvocations.isEmpty { cancelInvocations(of: s) }
        configuration.remove(s)
    }

    /// The send id of a state's `sy:timeout` timer.
    public static func timeoutSendID(_ stateID: String) -> String { "sy.timeout.\(stateID)" }

    mutating func cancelInvocations(of state: Int) {
        guard !activeInvocations.isEmpty else { return }
        let id = definition.states[state].id
        activeInvocations.removeAll { inv in
            if inv.stateID == id {
                effects.append(.cancelInvoke(invokeID: inv.invokeID))
                return true
            }
            return false
        }
    }

    // MARK: Enter

    mutating func enterStates(_ enabled: [Int]) {
        var ignored: [String] = []
        enterStates(enabled, trace: &ignored)
    }

    mutating func enterStates(_ enabled: [Int], trace: inout [String]) {
        var statesToEnter = enterScratch
        var statesForDefaultEntry = defaultEntryScratch
        enterScratch = StateSet(capacity: 0)
        defaultEntryScratch = StateSet(capacity: 0)
        statesToEnter.removeAll()
        statesForDefaultEntry.removeAll()
        defer {
            enterScratch = statesToEnter
            defaultEntryScratch = statesForDefaultEntry
        }
        var defaultHistoryContent: [Int: Int] = [:]
        computeEntrySet(enabled, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
        let hot = definition.hot
        statesToEnter.forEachMember { s in
            if options.tracing { trace.append(definition.states[s].id) }
            enterState(
                s, hot, isDefaultEntry: statesForDefaultEntry.contains(s),
                defaultHistoryContent: defaultHistoryContent)
        }
    }

    /// Appendix D `enterStates`, for one state of the entry set: configuration, invocations
    /// to start, late data, `<onentry>`, timeout timer, default-entry and history-default
    /// content, and `done.state` events for final states.
    @inline(__always) mutating func enterState(
        _ s: Int, _ hot: HotTables, isDefaultEntry: Bool, defaultHistoryContent: [Int: Int]
    ) {
        let flags = hot.stateFlags[s]
        configuration.insert(s)
        if flags & HotTables.hasInvokes != 0 { statesToInvoke.append(s) }
        if definition.binding == .late && !initialized.contains(s) {
            initialized.insert(s)
            if flags & HotTables.hasData != 0 {
                for d in definition.states[s].data { initializeData(d) }
            }
        }
        if flags & HotTables.simpleEntry != 0 {
            runSimpleOps(Int(hot.entryOpStart[s]), Int(hot.entryOpStart[s + 1]), in: .entry(s))
        } else if flags & HotTables.hasOnEntry != 0 {
            for block in definition.states[s].onEntry { _ = executeBlock(block) }
        }
        if flags & HotTables.hasTimeout != 0, let timeout = definition.states[s].timeout {
            let id = definition.states[s].id
            effects.append(
                .schedule(
                    sendID: Self.timeoutSendID(id), delay: timeout, event: Event("timeout.\(id)"),
                    target: .this))
        }
        if isDefaultEntry {
            let it = Int(hot.initialTransition[s])
            if it >= 0, hot.transitionFlags[it] & HotTables.hasActions != 0 {
                _ = executeBlock(definition.transitions[it].actions)
            }
        }
        if !defaultHistoryContent.isEmpty, let ht = defaultHistoryContent[s] {
            _ = executeBlock(definition.transitions[ht].actions)
        }
        if flags & HotTables.final != 0 {
            let parent = Int(hot.parent[s])
            if parent == 0 {
                isRunning = false
                finalStateID = definition.states[s].id
            } else {
                let grandparent = Int(hot.parent[parent])
                let data =
                    flags & HotTables.hasDoneData != 0
                    ? evaluateDoneData(definition.states[s].doneData) : .undefined
                enqueueInternal(
                    Event("done.state.\(definition.states[parent].id)", kind: .platform, data: data))
                if grandparent > 0, hot.stateFlags[grandparent] & HotTables.parallel != 0,
                    childrenAllInFinalState(grandparent, hot)
                {
                    enqueueInternal(
                        Event("done.state.\(definition.states[grandparent].id)", kind: .platform))
                }
            }
        }
    }

    func childrenAllInFinalState(_ s: Int, _ hot: HotTables) -> Bool {
        var k = Int(hot.childStart[s])
        let end = Int(hot.childStart[s + 1])
        while k < end {
            if !isInFinalState(Int(hot.childList[k])) { return false }
            k += 1
        }
        return true
    }

    func computeEntrySet(
        _ enabled: [Int], _ statesToEnter: inout StateSet, _ statesForDefaultEntry: inout StateSet,
        _ defaultHistoryContent: inout [Int: Int]
    ) {
        let hot = definition.hot
        for ti in enabled {
            var k = Int(hot.targetStart[ti])
            let end = Int(hot.targetStart[ti + 1])
            while k < end {
                addDescendantStatesToEnter(
                    Int(hot.targetList[k]), &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
                k += 1
            }
            let ancestor = getTransitionDomain(ti)
            if hot.transitionFlags[ti] & HotTables.historyTarget == 0 {
                k = Int(hot.targetStart[ti])
                while k < end {
                    addAncestorStatesToEnter(
                        Int(hot.targetList[k]), ancestor, &statesToEnter, &statesForDefaultEntry,
                        &defaultHistoryContent)
                    k += 1
                }
            } else {
                for s in getEffectiveTargetStates(ti) {
                    addAncestorStatesToEnter(
                        s, ancestor, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
                }
            }
        }
    }

    func addDescendantStatesToEnter(
        _ state: Int, _ statesToEnter: inout StateSet, _ statesForDefaultEntry: inout StateSet,
        _ defaultHistoryContent: inout [Int: Int]
    ) {
        let hot = definition.hot
        let flags = hot.stateFlags[state]
        if flags & HotTables.history != 0 {
            let parent = Int(hot.parent[state])
            if let value = historyValue[state] {
                for s in value {
                    addDescendantStatesToEnter(
                        s, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
                }
                for s in value {
                    addAncestorStatesToEnter(
                        s, parent, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
                }
            } else {
                let ti = Int(hot.initialTransition[state])
                guard ti >= 0 else { return }
                defaultHistoryContent[parent] = ti
                let targets = definition.transitions[ti].targets
                for s in targets {
                    addDescendantStatesToEnter(
                        s, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
                }
                for s in targets {
                    addAncestorStatesToEnter(
                        s, parent, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
                }
            }
            return
        }
        statesToEnter.insert(state)
        if flags & HotTables.compound != 0 {
            statesForDefaultEntry.insert(state)
            let it = Int(hot.initialTransition[state])
            guard it >= 0 else { return }
            let start = Int(hot.targetStart[it])
            let end = Int(hot.targetStart[it + 1])
            for k in start..<end {
                addDescendantStatesToEnter(
                    Int(hot.targetList[k]), &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
            }
            for k in start..<end {
                addAncestorStatesToEnter(
                    Int(hot.targetList[k]), state, &statesToEnter, &statesForDefaultEntry,
                    &defaultHistoryContent)
            }
        } else if flags & HotTables.parallel != 0 {
            addParallelChildren(state, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
        }
    }

    /// Enters every child region of a parallel state that nothing else enters yet.
    func addParallelChildren(
        _ state: Int, _ statesToEnter: inout StateSet, _ statesForDefaultEntry: inout StateSet,
        _ defaultHistoryContent: inout [Int: Int]
    ) {
        let hot = definition.hot
        for k in Int(hot.childStart[state])..<Int(hot.childStart[state + 1]) {
            let child = Int(hot.childList[k])
            if !statesToEnter.containsAny(in: child...Int(hot.subtreeEnd[child])) {
                addDescendantStatesToEnter(
                    child, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
            }
        }
    }

    func addAncestorStatesToEnter(
        _ state: Int, _ ancestor: Int?, _ statesToEnter: inout StateSet,
        _ statesForDefaultEntry: inout StateSet,
        _ defaultHistoryContent: inout [Int: Int]
    ) {
        let hot = definition.hot
        var anc = Int(hot.parent[state])
        while anc > 0 && anc != ancestor {
            statesToEnter.insert(anc)
            if hot.stateFlags[anc] & HotTables.parallel != 0 {
                addParallelChildren(anc, &statesToEnter, &statesForDefaultEntry, &defaultHistoryContent)
            }
            anc = Int(hot.parent[anc])
        }
    }

    /// Appendix D `isInFinalState`.
    func isInFinalState(_ s: Int) -> Bool {
        let hot = definition.hot
        let flags = hot.stateFlags[s]
        let start = Int(hot.childStart[s])
        let end = Int(hot.childStart[s + 1])
        if flags & HotTables.compound != 0 {
            for k in start..<end {
                let c = Int(hot.childList[k])
                if hot.stateFlags[c] & HotTables.final != 0 && configuration.contains(c) { return true }
            }
            return false
        }
        if flags & HotTables.parallel != 0 {
            for k in start..<end where !isInFinalState(Int(hot.childList[k])) { return false }
            return true
        }
        return false
    }

    /// Appendix D `getTransitionDomain`: precomputed at load time unless a target is a history
    /// state, whose effective targets depend on recorded history.
    func getTransitionDomain(_ ti: Int) -> Int? {
        let hot = definition.hot
        let d = hot.domain[ti]
        if d >= 0 { return Int(d) }
        if d == HotTables.noDomain { return nil }
        let targets = getEffectiveTargetStates(ti)
        if targets.isEmpty { return nil }
        return HotTables.staticDomain(
            source: Int(hot.source[ti]), isInternal: hot.transitionFlags[ti] & HotTables.isInternal != 0,
            targets: targets, states: definition.states, isDescendant: { hot.isDescendant($0, of: $1) })
    }

    /// Appendix D `getEffectiveTargetStates`: targets with history states replaced by their
    /// recorded value or default targets.
    func getEffectiveTargetStates(_ ti: Int) -> [Int] {
        let t = definition.transitions[ti]
        if definition.hot.transitionFlags[ti] & HotTables.historyTarget == 0 { return t.targets }
        var out: [Int] = []
        for s in t.targets {
            if definition.states[s].isHistory {
                if let value = historyValue[s] {
                    for v in value where !out.contains(v) { out.append(v) }
                } else if let d = definition.states[s].historyDefault {
                    for v in getEffectiveTargetStates(d) where !out.contains(v) { out.append(v) }
                }
            } else if !out.contains(s) {
                out.append(s)
            }
        }
        return out
    }

    // MARK: Queues

    mutating func enqueueInternal(_ event: Event) {
        if internalQueue.count - internalHead >= options.maxInternalQueue {
            if limitError == nil { limitError = .internalQueueOverflow(limit: options.maxInternalQueue) }
            return
        }
        internalQueue.append(event)
    }
}
