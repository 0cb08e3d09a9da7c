/// The registry of workloads. Each workload file adds itself here.
enum Workloads {
    static let all: [String: @Sendable ([String]) throws -> Void] = [
        "expr": ExprWorkload.run,
        "machine": MachineWorkload.run,
        "parse": ParseWorkload.run,
        "rules": RulesWorkload.run,
    ]
    static var names: [String] { all.keys.sorted() }
}
