import Switchyard

/// `machine FILE --events e1,e2,... [--count N] [--instances N]`: events per second through the
/// interpreter with effects executed by the session driver, cycling the event list; plus the
/// hand-written baseline when the file is the approval benchmark machine, bytes per idle
/// instance, and the time to create 1,000,000 instances.
enum MachineWorkload {
    static func run(_ arguments: [String]) throws {
        let args = BenchArguments(arguments)
        guard let file = args.positional.first else {
            throw BenchError("usage: switchyard-bench machine FILE --events e1,e2,... [--count N]")
        }
        guard let eventList = args.options["events"], !eventList.isEmpty else {
            throw BenchError("--events e1,e2,... is required")
        }
        let count = try args.int("count", default: 3_000_000)
        let names = eventList.split(separator: ",").map { String($0) }
        let definition: MachineDefinition
        do {
            definition = try MachineDefinition.load(path: file)
        } catch {
            throw BenchError(error.description)
        }
        let events = names.map { Event($0) }

        // Interpreter with effects executed by the driver.
        let driver = InstanceRunner(definition: definition, sessionID: "bench")
        driver.keepLogs = false
        driver.start()
        var best = 0.0
        var bestWall = 0.0
        for _ in 0..<3 {
            let t0 = threadCPUSeconds()
            let w0 = monotonicSeconds()
            var i = 0
            for _ in 0..<count {
                driver.enqueue(events[i])
                driver.runUntilIdle()
                i += 1
                if i == events.count { i = 0 }
            }
            best = max(best, Double(count) / (threadCPUSeconds() - t0))
            bestWall = max(bestWall, Double(count) / (monotonicSeconds() - w0))
        }
        let state = driver.top.configurationIDs.joined(separator: ",")
        print(
            "machine-driver events=\(count) best-of-3 rate=\(formatRate(best))/s (thread CPU time; wall clock \(formatRate(bestWall))/s) final=[\(state)]"
        )

        // Interpreter alone (effects collected, not executed).
        var interpreter = Interpreter(definition: definition, sessionID: "bench")
        _ = interpreter.start()
        var bestRaw = 0.0
        for _ in 0..<3 {
            let t0 = threadCPUSeconds()
            var i = 0
            for _ in 0..<count {
                _ = interpreter.handle(events[i])
                i += 1
                if i == events.count { i = 0 }
            }
            bestRaw = max(bestRaw, Double(count) / (threadCPUSeconds() - t0))
        }
        print("machine-interpreter rate=\(formatRate(bestRaw))/s (thread CPU time)")

        if definition.stateIDs.contains("secondReview") && definition.stateIDs.contains("archived") {
            let baseline = HandWrittenApproval.rate(events: names, count: count)
            print(
                "machine-baseline (hand-written Swift enum/switch) rate=\(formatRate(baseline))/s ratio=\(String(format1(best / baseline)))"
            )
        }

        // Memory: bytes per idle instance and time to create 1,000,000 instances.
        let instances = try args.int("instances", default: 1_000_000)
        let before = residentBytes()
        let t0 = monotonicSeconds()
        var all: [Interpreter] = []
        all.reserveCapacity(instances)
        for n in 0..<instances {
            var m = Interpreter(definition: definition, sessionID: "i\(n)")
            _ = m.start()
            all.append(m)
        }
        let created = monotonicSeconds() - t0
        let after = residentBytes()
        let perInstance = Double(after - before) / Double(instances)
        print(
            "machine-instances count=\(instances) create+start=\(format1(created * 1000)) ms bytes-per-instance=\(Int(perInstance.rounded())) (resident, includes session id strings)"
        )
        withExtendedLifetime(all) {}
        print("machine rate=\(Int(best.rounded()))")
    }
}

func format1(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return "\(r)"
}
