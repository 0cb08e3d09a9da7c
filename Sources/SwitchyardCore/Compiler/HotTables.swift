import SwitchyardExpressions

/// The parts of a ``MachineDefinition`` the interpreter reads on every event, as flat integer
/// buffers: reading them involves no reference counting, unlike the `CompiledState` and
/// `CompiledTransition` objects (which keep the executable content).
///
/// Immutable after `init`; the buffers are owned by this object and freed in `deinit`.
final class HotTables: @unchecked Sendable {
    // State flags.
    static let atomic: UInt16 = 1
    static let final: UInt16 = 2
    static let compound: UInt16 = 4
    static let parallel: UInt16 = 8
    static let history: UInt16 = 16
    static let deepHistory: UInt16 = 32
    static let hasInvokes: UInt16 = 64
    static let hasHistoryChildren: UInt16 = 128
    static let hasOnEntry: UInt16 = 256
    static let hasOnExit: UInt16 = 512
    static let hasData: UInt16 = 1024
    static let hasDoneData: UInt16 = 2048
    static let hasTimeout: UInt16 = 4096
    /// Every `<onentry>` (resp. `<onexit>`) element of the state has a ``SimpleOp``.
    static let simpleEntry: UInt16 = 8192
    static let simpleExit: UInt16 = 16384
    // Transition flags.
    static let eventless: UInt16 = 1
    static let matchesAny: UInt16 = 2
    static let hasCond: UInt16 = 4
    static let isInternal: UInt16 = 8
    static let historyTarget: UInt16 = 16
    static let hasActions: UInt16 = 32
    /// Every element of the transition's content has a ``SimpleOp``.
    static let simpleActions: UInt16 = 64
    /// The condition has a ``SimpleCond``.
    static let simpleCond: UInt16 = 128
    /// The transition's exit and entry sets are masks (``entryMask``, ``defaultEntryMask``,
    /// ``descendantMask`` of its domain): the machine has at most 64 states, no target of the
    /// transition is a history state, and computing its entry set visits no history state.
    static let staticEntry: UInt16 = 256

    let stateCount: Int
    let parent: UnsafeMutableBufferPointer<Int32>
    let stateFlags: UnsafeMutableBufferPointer<UInt16>
    let subtreeEnd: UnsafeMutableBufferPointer<Int32>
    /// Initial transition per state (-1: none) and history default transition (-1: none).
    let initialTransition: UnsafeMutableBufferPointer<Int32>
    /// CSR lists: a state's transitions and its `<state>/<parallel>/<final>` children.
    let transitionStart: UnsafeMutableBufferPointer<Int32>
    let transitionList: UnsafeMutableBufferPointer<Int32>
    let childStart: UnsafeMutableBufferPointer<Int32>
    let childList: UnsafeMutableBufferPointer<Int32>
    // Per transition.
    let source: UnsafeMutableBufferPointer<Int32>
    let transitionFlags: UnsafeMutableBufferPointer<UInt16>
    let descriptorStart: UnsafeMutableBufferPointer<Int32>
    let descriptorList: UnsafeMutableBufferPointer<Int32>
    let targetStart: UnsafeMutableBufferPointer<Int32>
    let targetList: UnsafeMutableBufferPointer<Int32>
    /// Appendix D `getTransitionDomain`, computed once: the domain state, ``noDomain`` for a
    /// targetless transition, or ``dynamicDomain`` when a target is a history state (its
    /// effective targets, and so its domain, depend on recorded history).
    let domain: UnsafeMutableBufferPointer<Int32>
    /// Per state (machines of at most 64 states): the bits of its proper descendants.
    let descendantMask: UnsafeMutableBufferPointer<UInt64>
    /// Per transition with ``staticEntry``: Appendix D `computeEntrySet` as masks, the states to
    /// enter and those among them entered by default (whose initial content runs).
    let entryMask: UnsafeMutableBufferPointer<UInt64>
    let defaultEntryMask: UnsafeMutableBufferPointer<UInt64>
    /// The states that have history children (their exit records history first).
    let historyParentMask: UInt64
    static let noDomain: Int32 = -1
    static let dynamicDomain: Int32 = -2
    /// Flat executable content (see ``SimpleOp``): CSR lists of a state's `<onentry>` elements,
    /// its `<onexit>` elements, and a transition's content, all in `simpleOps`. Filled only for
    /// states and transitions whose every element has a simple form (flags ``simpleEntry``,
    /// ``simpleExit``, ``simpleActions``); empty ranges otherwise.
    let entryOpStart: UnsafeMutableBufferPointer<Int32>
    let exitOpStart: UnsafeMutableBufferPointer<Int32>
    let actionOpStart: UnsafeMutableBufferPointer<Int32>
    let simpleOps: UnsafeMutableBufferPointer<SimpleOp>
    /// Per transition: the simple form of its condition (meaningful with ``simpleCond``).
    let simpleConds: UnsafeMutableBufferPointer<SimpleCond>

    /// Per transition: its descriptor ids below 64 as a bit mask (used when the definition has
    /// at most 64 descriptors).
    let descriptorMask: UnsafeMutableBufferPointer<UInt64>
    /// The small match table (``MachineDefinition/smallNames``): each name's fingerprint and the
    /// mask of the descriptors that match it.
    let nameFingerprints: UnsafeMutableBufferPointer<UInt64>
    let nameMasks: UnsafeMutableBufferPointer<UInt64>
    let nameCount: Int

    init(states: [CompiledState], transitions: [CompiledTransition], names: [(UInt64, UInt64)]) {
        stateCount = states.count
        func buffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
            _ = b.initialize(from: values)
            return b
        }
        var ops: [SimpleOp] = []
        var entryStart: [Int32] = [0]
        var simpleEntryStates = Set<Int>()
        var simpleExitStates = Set<Int>()
        for (i, s) in states.enumerated() {
            if let flat = Self.simpleOps(s.onEntry), !s.onEntry.isEmpty {
                ops += flat
                simpleEntryStates.insert(i)
            }
            entryStart.append(Int32(ops.count))
        }
        var exitStart: [Int32] = [Int32(ops.count)]
        for (i, s) in states.enumerated() {
            if let flat = Self.simpleOps(s.onExit), !s.onExit.isEmpty {
                ops += flat
                simpleExitStates.insert(i)
            }
            exitStart.append(Int32(ops.count))
        }
        var simpleActionTransitions = Set<Int>()
        var actionStart: [Int32] = [Int32(ops.count)]
        for (i, t) in transitions.enumerated() {
            if let flat = Self.simpleOps([t.actions]), !t.actions.isEmpty {
                ops += flat
                simpleActionTransitions.insert(i)
            }
            actionStart.append(Int32(ops.count))
        }
        entryOpStart = buffer(entryStart)
        exitOpStart = buffer(exitStart)
        actionOpStart = buffer(actionStart)
        simpleOps = buffer(ops)
        simpleConds = buffer(
            transitions.map { Self.simpleCond($0.cond) ?? SimpleCond(slot: -1, op: .eq, number: 0) })
        parent = buffer(states.map { Int32($0.parent) })
        subtreeEnd = buffer(states.map { Int32($0.subtreeEnd) })
        initialTransition = buffer(states.map { Int32($0.initialTransition ?? $0.historyDefault ?? -1) })
        stateFlags = buffer(
            states.indices.map { i in
                let s = states[i]
                var f: UInt16 = 0
                if simpleEntryStates.contains(i) { f |= Self.simpleEntry }
                if simpleExitStates.contains(i) { f |= Self.simpleExit }
                switch s.kind {
                case .atomic: f |= Self.atomic
                case .final: f |= Self.atomic | Self.final
                case .compound: f |= Self.compound
                case .parallel: f |= Self.parallel
                case .shallowHistory: f |= Self.history
                case .deepHistory: f |= Self.history | Self.deepHistory
                case .root: break
                }
                if !s.invokes.isEmpty { f |= Self.hasInvokes }
                if !s.historyChildren.isEmpty { f |= Self.hasHistoryChildren }
                if !s.onEntry.isEmpty { f |= Self.hasOnEntry }
                if !s.onExit.isEmpty { f |= Self.hasOnExit }
                if !s.data.isEmpty { f |= Self.hasData }
                if s.doneData != nil { f |= Self.hasDoneData }
                if s.timeout != nil { f |= Self.hasTimeout }
                return f
            })
        var tStart: [Int32] = [0]
        var tList: [Int32] = []
        var cStart: [Int32] = [0]
        var cList: [Int32] = []
        for s in states {
            tList += s.transitions.map { Int32($0) }
            tStart.append(Int32(tList.count))
            cList += s.children.map { Int32($0) }
            cStart.append(Int32(cList.count))
        }
        transitionStart = buffer(tStart)
        transitionList = buffer(tList)
        childStart = buffer(cStart)
        childList = buffer(cList)
        source = buffer(transitions.map { Int32($0.source) })
        var dStart: [Int32] = [0]
        var dList: [Int32] = []
        var gStart: [Int32] = [0]
        var gList: [Int32] = []
        func isDescendant(_ s: Int, of a: Int) -> Bool { s > a && s <= states[a].subtreeEnd }
        let domains = transitions.map { t -> Int32 in
            if t.targets.isEmpty { return Self.noDomain }
            if t.targets.contains(where: { states[$0].isHistory }) { return Self.dynamicDomain }
            return Int32(
                Self.staticDomain(
                    source: t.source, isInternal: t.isInternal, targets: t.targets, states: states,
                    isDescendant: isDescendant))
        }
        let small = states.count <= 64
        let entries = transitions.indices.map { i in
            small
                ? Self.staticEntry(
                    transitions[i], domain: Int(domains[i]), states: states, transitions: transitions) : nil
        }
        var flags: [UInt16] = []
        for t in transitions {
            dList += t.descriptors.map { Int32($0) }
            dStart.append(Int32(dList.count))
            gList += t.targets.map { Int32($0) }
            gStart.append(Int32(gList.count))
            var f: UInt16 = 0
            if t.isEventless { f |= Self.eventless }
            if t.matchesAnyEvent { f |= Self.matchesAny }
            if t.cond != nil { f |= Self.hasCond }
            if t.isInternal { f |= Self.isInternal }
            if t.targets.contains(where: { states[$0].isHistory }) { f |= Self.historyTarget }
            if !t.actions.isEmpty { f |= Self.hasActions }
            if simpleActionTransitions.contains(flags.count) { f |= Self.simpleActions }
            if Self.simpleCond(t.cond) != nil { f |= Self.simpleCond }
            if entries[flags.count] != nil { f |= Self.staticEntry }
            flags.append(f)
        }
        descriptorMask = buffer(transitions.map { MachineDefinition.mask($0.descriptors) })
        nameFingerprints = buffer(names.map(\.0))
        nameMasks = buffer(names.map(\.1))
        nameCount = names.count
        descriptorStart = buffer(dStart)
        descriptorList = buffer(dList)
        targetStart = buffer(gStart)
        targetList = buffer(gList)
        transitionFlags = buffer(flags)
        domain = buffer(domains)
        entryMask = buffer(entries.map { $0?.enter ?? 0 })
        defaultEntryMask = buffer(entries.map { $0?.defaultEntry ?? 0 })
        descendantMask = buffer(
            states.indices.map { s -> UInt64 in
                guard small else { return 0 }
                var m: UInt64 = 0
                var d = s + 1
                while d <= states[s].subtreeEnd {
                    m |= 1 << UInt64(d)
                    d += 1
                }
                return m
            })
        var historyParents: UInt64 = 0
        if small {
            for (i, s) in states.enumerated() where !s.historyChildren.isEmpty {
                historyParents |= 1 << UInt64(i)
            }
        }
        historyParentMask = historyParents
    }

    /// Appendix D `computeEntrySet` for one transition of a machine of at most 64 states, as
    /// masks; nil when a history state is involved (its recorded value is only known at run
    /// time) or the domain is not static. Mirrors `Interpreter.computeEntrySet` step by step
    /// (same order, so parallel regions are completed the same way).
    static func staticEntry(
        _ t: CompiledTransition, domain: Int, states: [CompiledState], transitions: [CompiledTransition]
    ) -> (enter: UInt64, defaultEntry: UInt64)? {
        if domain == Int(dynamicDomain) { return nil }
        var enter: UInt64 = 0
        var defaultEntry: UInt64 = 0
        var sawHistory = false
        func bit(_ s: Int) -> UInt64 { 1 << UInt64(s) }
        func subtree(_ s: Int) -> UInt64 {
            var m: UInt64 = 0
            for d in s...states[s].subtreeEnd { m |= bit(d) }
            return m
        }
        func addDescendants(_ s: Int) {
            let st = states[s]
            if st.isHistory {
                sawHistory = true
                return
            }
            enter |= bit(s)
            if st.kind == .compound {
                defaultEntry |= bit(s)
                guard let it = st.initialTransition else { return }
                let targets = transitions[it].targets
                for x in targets { addDescendants(x) }
                for x in targets { addAncestors(x, s) }
            } else if st.kind == .parallel {
                addParallelChildren(s)
            }
        }
        func addParallelChildren(_ s: Int) {
            for child in states[s].children where enter & subtree(child) == 0 { addDescendants(child) }
        }
        func addAncestors(_ s: Int, _ ancestor: Int) {
            var anc = states[s].parent
            while anc > 0 && anc != ancestor {
                enter |= bit(anc)
                if states[anc].kind == .parallel { addParallelChildren(anc) }
                anc = states[anc].parent
            }
        }
        for x in t.targets { addDescendants(x) }
        for x in t.targets { addAncestors(x, domain) }
        return sawHistory ? nil : (enter, defaultEntry)
    }

    /// Appendix D `getTransitionDomain` for known targets: the source itself for an internal
    /// transition of a compound state whose targets all lie inside it, otherwise `findLCCA` (the
    /// nearest compound proper ancestor of the source containing every target; the root when
    /// none). The root's initial transition has the root as domain.
    static func staticDomain(
        source: Int, isInternal: Bool, targets: [Int], states: [CompiledState],
        isDescendant: (Int, Int) -> Bool
    ) -> Int {
        if source == 0 { return 0 }
        if isInternal, states[source].kind == .compound, targets.allSatisfy({ isDescendant($0, source) }) {
            return source
        }
        var anc = states[source].parent
        while anc > 0 {
            if states[anc].kind == .compound, targets.allSatisfy({ isDescendant($0, anc) }) { return anc }
            anc = states[anc].parent
        }
        return 0
    }

    deinit {
        for b in [
            parent, subtreeEnd, initialTransition, transitionStart, transitionList, childStart, childList,
            source,
        ] {
            b.deallocate()
        }
        for b in [
            descriptorStart, descriptorList, targetStart, targetList, domain, entryOpStart, exitOpStart,
            actionOpStart,
        ] {
            b.deallocate()
        }
        for b in [descendantMask, entryMask, defaultEntryMask] { b.deallocate() }
        simpleOps.deallocate()
        descriptorMask.deallocate()
        nameFingerprints.deallocate()
        nameMasks.deallocate()
        simpleConds.deallocate()
        stateFlags.deallocate()
        transitionFlags.deallocate()
    }

    /// The flat form of blocks of executable content, or nil when some element has none.
    static func simpleOps(_ blocks: [Block]) -> [SimpleOp]? {
        var out: [SimpleOp] = []
        for (b, block) in blocks.enumerated() {
            for (i, op) in block.enumerated() {
                guard case .assignSlot(let slot, .expr(let e)) = op, e.failure == nil,
                    let form = e.compiled.simple
                else { return nil }
                switch form {
                case .slotPlus(let src, let addend):
                    out.append(
                        SimpleOp(
                            dst: Int32(slot), src: Int32(src), block: Int32(b), index: Int32(i), value: addend
                        ))
                case .number(let n):
                    out.append(
                        SimpleOp(dst: Int32(slot), src: -1, block: Int32(b), index: Int32(i), value: n))
                case .compare:
                    return nil
                }
            }
        }
        return out
    }

    /// The flat form of a transition condition, or nil.
    static func simpleCond(_ cond: CompiledExpr?) -> SimpleCond? {
        guard let cond, cond.failure == nil, case .compare(let slot, let op, let n)? = cond.compiled.simple
        else {
            return nil
        }
        return SimpleCond(slot: Int32(slot), op: op, number: n)
    }

    @inline(__always) func isDescendant(_ s: Int, of ancestor: Int) -> Bool {
        s > ancestor && s <= Int(subtreeEnd[ancestor])
    }

    @inline(__always) func flags(_ s: Int) -> UInt16 { stateFlags[s] }
}

/// One `<assign>` of executable content in flat form: `dst = src + value` when slot `src` holds
/// a number, or `dst = value` when `src` is -1. Any other case runs the element's compiled
/// ``Op`` (element `index` of block `block`), so results and errors are exactly the general
/// path's; `block` also tells which elements a failing element stops (SCXML 4.9: the rest of
/// its block).
struct SimpleOp {
    var dst: Int32
    var src: Int32
    var block: Int32
    var index: Int32
    var value: Double
}

/// A transition condition `slot <op> number`, answered from the slot when it holds a number
/// (otherwise the compiled condition runs).
struct SimpleCond {
    var slot: Int32
    var op: SimpleComparison
    var number: Double
}
