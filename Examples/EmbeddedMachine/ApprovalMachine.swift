import Switchyard

/// A small approval workflow written with the Swift DSL. `embedded.scxml` beside this file is
/// the same machine in SCXML; a test proves the two take identical microsteps.
///
/// A document is submitted with an amount. Under 10,000 one reviewer approves; from 10,000 on,
/// legal and finance review in parallel and the document is approved when both are done. It can
/// be withdrawn at any time during review and resumed where it was (deep history).
enum ApprovalMachine {
    /// The machine. `assign_reviewer` is a Swift action; the `accept` transitions show a guard
    /// written as a Swift closure and one written as an expression.
    static func make() -> Machine {
        Machine("embedded_approval", initial: "draft") {
            Variable("amount", .number(0))
            Variable("reviewer", expr: "null")
            State("draft") {
                On("submit", to: "review") { Assign("amount", "_event.data.amount") }
            }
            State("review", initial: "triage") {
                OnEntry {
                    Execute("assign_reviewer") { _, context in
                        let amount = context.value(of: "amount")?.jsNumber ?? 0
                        try context.setValue(.string(amount >= 10_000 ? "board" : "alice"), for: "reviewer")
                    }
                    Log("'review by ' + reviewer")
                }
                OnExit { Log("'review closed'") }
                History("resume_point", .deep, default: "triage")
                State("triage") {
                    On("accept", to: "single").when { $0["amount"].jsNumber < 10_000 }
                    On("accept", to: "dual", guard: "amount >= 10000")
                }
                State("single") {
                    On("approve", to: "approved")
                }
                Parallel("dual") {
                    State("legal") {
                        State("legal_pending") { On("legal.ok", to: "legal_done") }
                        Final("legal_done")
                    }
                    State("finance") {
                        State("finance_pending") { On("finance.ok", to: "finance_done") }
                        Final("finance_done")
                    }
                    On("done.state.dual", to: "approved")
                }
                On("withdraw", to: "withdrawn")
                On("reject", to: "rejected")
            }
            State("withdrawn") {
                On("resume", to: "resume_point")
            }
            Final("approved") { OnEntry { Log("'approved'") } }
            Final("rejected")
        }
    }

    /// The events the example feeds the machine.
    static let events: [Event] = [
        Event("submit", data: ["amount": 12_000]),
        Event("accept"),
        Event("legal.ok"),
        Event("withdraw"),
        Event("resume"),
        Event("finance.ok"),
    ]
}
