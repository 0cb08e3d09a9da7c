import Switchyard

// The smallest embedding: a machine defined in Swift, run with the synchronous, pure
// `Interpreter` (no engine, no clock). Each step returns effects; here only logs occur.

// Validation errors (unknown targets, duplicate ids) would be thrown here as a DiagnosticList.
let definition = try ApprovalMachine.make().compile()

func show(_ event: String, _ step: MacrostepResult, _ instance: Interpreter) {
    for effect in step.effects {
        if case .log(_, let message) = effect { print("  log: \(message)") }
    }
    let state =
        instance.isFinished
        ? "finished in \(instance.finalStateID ?? "?")"
        : instance.configurationIDs.joined(separator: ", ")
    print("\(event) -> \(state)")
}

var instance = Interpreter(definition: definition, sessionID: "doc-1")
show("(start)", instance.start(), instance)
for event in ApprovalMachine.events {
    show(event.name, instance.handle(event), instance)
}
print("reviewer: \(instance.value(of: "reviewer")?.jsString ?? "none")")
