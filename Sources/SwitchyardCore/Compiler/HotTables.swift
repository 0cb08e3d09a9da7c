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
    // Transition flags.
    static let eventless: UInt16 = 1
    static let matchesAny: UInt16 = 2
    static let hasCond: UInt16 = 4
    static let isInternal: UInt16 = 8
    static let historyTarget: UInt16 = 16
    static let hasActions: UInt16 = 32

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
    static let noDomain: Int32 = -1
    static let dynamicDomain: Int32 = -2

    init(states: [CompiledState], transitions: [CompiledTransition]) {
        stateCount = states.count
        func buffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
            _ = b.initialize(from: values)
            return b
        }
        parent = buffer(states.map { Int32($0.parent) })
        subtreeEnd = buffer(states.map { Int32($0.subtreeEnd) })
        initialTransition = buffer(states.map { Int32($0.initialTransition ?? $0.historyDefault ?? -1) })
        stateFlags = buffer(
            states.map { s in
                var f: UInt16 = 0
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
            flags.append(f)
        }
        descriptorStart = buffer(dStart)
        descriptorList = buffer(dList)
        targetStart = buffer(gStart)
        targetList = buffer(gList)
        transitionFlags = buffer(flags)
        func isDescendant(_ s: Int, of a: Int) -> Bool { s > a && s <= states[a].subtreeEnd }
        domain = buffer(
            transitions.map { t -> Int32 in
                if t.targets.isEmpty { return Self.noDomain }
                if t.targets.contains(where: { states[$0].isHistory }) { return Self.dynamicDomain }
                return Int32(
                    Self.staticDomain(
                        source: t.source, isInternal: t.isInternal, targets: t.targets, states: states,
                        isDescendant: isDescendant))
            })
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
        for b in [descriptorStart, descriptorList, targetStart, targetList, domain] { b.deallocate() }
        stateFlags.deallocate()
        transitionFlags.deallocate()
    }

    @inline(__always) func isDescendant(_ s: Int, of ancestor: Int) -> Bool {
        s > ancestor && s <= Int(subtreeEnd[ancestor])
    }

    @inline(__always) func flags(_ s: Int) -> UInt16 { stateFlags[s] }
}
