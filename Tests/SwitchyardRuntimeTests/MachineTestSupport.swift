import Switchyard
import SwitchyardTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The repository's `machines/` directory, found from this file's path.
let machinesDirectory: String = {
    var parts = String(#filePath).split(separator: "/").map(String.init)
    parts.removeLast(3)  // MachineTestSupport.swift, SwitchyardRuntimeTests, Tests
    return "/" + parts.joined(separator: "/") + "/machines"
}()

/// Loads a shipped machine (`machines/<name>.scxml`) in strict mode: an expression that does
/// not compile fails the load instead of becoming a warning.
func loadShippedMachine(_ name: String) throws -> MachineDefinition {
    try MachineDefinition.load(path: machinesDirectory + "/" + name + ".scxml", strict: true)
}

/// The names of the files in `machines/` ending in `suffix`, sorted.
func shippedFiles(endingWith suffix: String) -> [String] {
    guard let dir = opendir(machinesDirectory) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name.hasSuffix(suffix) { names.append(name) }
    }
    return names.sorted()
}

/// Records every microstep, effect and event of an engine, per instance, in order.
final class EngineLog: EngineListener {
    private let steps = Mutex<[(instance: String, trace: MicrostepTrace)]>([])
    private let effectList = Mutex<[(instance: String, effect: Effect)]>([])

    func microstep(instanceID: String, trace: MicrostepTrace) {
        steps.withLock { $0.append((instanceID, trace)) }
    }

    func effectExecuted(instanceID: String, effect: Effect) {
        effectList.withLock { $0.append((instanceID, effect)) }
    }

    /// All microsteps, in the order they happened.
    var microsteps: [(instance: String, trace: MicrostepTrace)] { steps.withLock { $0 } }

    /// The microsteps of one instance.
    func microsteps(of id: String) -> [MicrostepTrace] {
        steps.withLock { $0.filter { $0.instance == id }.map(\.trace) }
    }

    /// The transitions one instance took, in order, as `source -[event]-> target`.
    func transitions(of id: String) -> [String] { microsteps(of: id).flatMap(\.transitions) }

    /// Clears the microsteps recorded so far (to look at the next step alone).
    func clear() { steps.withLock { $0.removeAll() } }
}

/// What a machine definition contains (states and transitions) against what microstep traces
/// show was entered and taken. Transitions are named the way traces name them:
/// `source -[event descriptors]-> targets`.
struct Coverage {
    /// Every `<state>`, `<parallel>` and `<final>` id (history pseudo-states are never entered).
    var states: Set<String> = []
    /// Every `<transition>` of a state, parallel or final state. The default transitions of
    /// `<initial>` and `<history>` are excluded: traces do not report them as transitions.
    var transitions: Set<String> = []
    /// Transition names that occur more than once (they would make coverage ambiguous).
    var duplicates: [String] = []

    init(definition: MachineDefinition) {
        func walk(_ node: StateNode) {
            if case .history = node.kind { return }
            if let id = node.id {
                states.insert(id)
                for t in node.transitions {
                    let name =
                        "\(id) -[\(t.events.joined(separator: " "))]-> "
                        + (t.targets.isEmpty ? "(targetless)" : t.targets.joined(separator: " "))
                    if !transitions.insert(name).inserted { duplicates.append(name) }
                }
            }
            for child in node.children { walk(child) }
        }
        for s in definition.document.states { walk(s) }
    }

    init(traces: [MicrostepTrace]) {
        for t in traces {
            states.formUnion(t.entered)
            transitions.formUnion(t.transitions)
        }
    }
}

/// The member `name` of an object value (nil for other values), for compact assertions.
func member(_ value: Value?, _ name: String) -> Value? {
    if case .object(let o)? = value { return o[name] }
    return nil
}

/// Renders a value the way JSON would (for assertions on structured data).
func json(_ value: Value?) -> String { value.flatMap { $0.jsonString() } ?? "nil" }
