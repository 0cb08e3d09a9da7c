import Foundation
import Switchyard

/// `parse`: loads (parses and validates) a generated document with `--states N` states and
/// 3N transitions, from bytes in memory. Reports the median of `--runs` loads (default 7):
/// `parse rate=<states per second> ms=<milliseconds>`.
enum ParseWorkload {
    static func run(_ arguments: [String]) throws {
        var states = 10_000
        var runs = 7
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--states" where i + 1 < arguments.count:
                states = Int(arguments[i + 1]) ?? states
                i += 1
            case "--runs" where i + 1 < arguments.count:
                runs = max(1, Int(arguments[i + 1]) ?? runs)
                i += 1
            default:
                throw BenchError.usage("parse [--states N] [--runs N]")
            }
            i += 1
        }
        let bytes = Array(document(states: states).utf8)
        let loader = SCXMLLoader(options: LoaderOptions(maxDocumentBytes: 256 << 20))
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var loadedStates = 0
        var transitions = 0
        for _ in 0..<runs {
            let cpuStart = threadCPUMilliseconds()
            let start = ContinuousClock.now
            let loaded = try loader.load(bytes: bytes, file: "generated.scxml")
            let elapsed = ContinuousClock.now - start
            cpuTimes.append(threadCPUMilliseconds() - cpuStart)
            times.append(
                Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15)
            (loadedStates, transitions) = count(loaded.document.states)
        }
        if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil {
            print("times:", times.map { String(format: "%.1f", $0) }.joined(separator: " "))
        }
        times.sort()
        cpuTimes.sort()
        let ms = times[times.count / 2]
        print("document: \(bytes.count) bytes, \(loadedStates) states, \(transitions) transitions")
        print(
            "runs: \(runs), best \(String(format: "%.2f", times[0])) ms, median \(String(format: "%.2f", ms)) ms"
        )
        // CPU time of this thread: what the load costs when the machine is busy with other work.
        print("cpu: median \(String(format: "%.2f", cpuTimes[cpuTimes.count / 2])) ms")
        print("parse rate=\(Int(Double(loadedStates) / (ms / 1e3))) ms=\(String(format: "%.2f", ms))")
    }

    static func threadCPUMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) * 1e-6
    }

    enum BenchError: Error, CustomStringConvertible {
        case usage(String)
        var description: String {
            switch self {
            case .usage(let u): "usage: switchyard-bench \(u)"
            }
        }
    }

    static func count(_ nodes: [StateNode]) -> (states: Int, transitions: Int) {
        var s = 0
        var t = 0
        for n in nodes {
            let (cs, ct) = count(n.children)
            s += 1 + cs
            t += n.transitions.count + ct
        }
        return (s, t)
    }

    /// Groups of ten states (a compound state with nine atomic children), three transitions per
    /// state with events, guards and pseudo-random targets, and a little executable content.
    static func document(states: Int) -> String {
        let groups = max(1, states / 10)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        func randomTarget() -> String {
            let g = next(groups)
            let k = next(10)
            return k == 0 ? "g\(g)" : "s\(g)_\(k)"
        }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="g0">
              <datamodel><data id="count" expr="0"/></datamodel>

            """
        out.reserveCapacity(groups * 2_200)
        for g in 0..<groups {
            out += "  <state id=\"g\(g)\" initial=\"s\(g)_1\">\n"
            out += "    <onentry><assign location=\"count\" expr=\"count + 1\"/></onentry>\n"
            for t in 0..<3 {
                out +=
                    "    <transition event=\"group.\(t)\" cond=\"count &lt; \(g + t)\" target=\"\(randomTarget())\"/>\n"
            }
            for k in 1...9 {
                out += "    <state id=\"s\(g)_\(k)\">\n"
                for t in 0..<3 {
                    out +=
                        "      <transition event=\"ev.\(k).\(t) done.*\" cond=\"count > \(t)\" target=\"\(randomTarget())\">"
                    out += "<log label=\"t\" expr=\"count\"/></transition>\n"
                }
                out += "    </state>\n"
            }
            out += "  </state>\n"
        }
        out += "</scxml>\n"
        return out
    }
}
