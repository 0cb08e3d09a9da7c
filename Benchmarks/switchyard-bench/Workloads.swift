/// The registry of workloads. Each workload file adds itself here.
enum Workloads {
    static let all: [String: @Sendable ([String]) throws -> Void] = [
        "durable": DurableWorkload.run,
        "engine": EngineWorkload.run,
        "engine-router": EngineWorkload.runRouter,
        "engine-timers": EngineWorkload.runTimers,
        "expr": ExprWorkload.run,
        "machine": MachineWorkload.run,
        "parse": ParseWorkload.run,
        "recovery": DurableWorkload.runRecovery,
        "rules": RulesWorkload.run,
    ]
    static var names: [String] { all.keys.sorted() }
}
