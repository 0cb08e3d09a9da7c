import Foundation
import Testing

/// `switchyard instances show ID`: the text and the `--json` document, by exact output.
@Suite struct InstancesShowTests {
    func workspace() throws -> (machine: String, db: String) {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-show-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let machine = dir + "/ledger.scxml"
        try DurableCommandTests.machine.write(toFile: machine, atomically: true, encoding: .utf8)
        return (machine, dir + "/ledger.sqlite")
    }

    /// Parses `text` as exactly one JSON object, checks that every history entry has a
    /// numeric `time` and an ISO 8601 `timestamp`, and returns the object without them as
    /// sorted-key JSON (the instants differ on every run).
    func document(_ text: String) throws -> String {
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        var object = try #require(parsed as? [String: Any])
        let history = try #require(object["history"] as? [[String: Any]])
        object["history"] = history.map { entry in
            #expect(entry["time"] is NSNumber)
            #expect((entry["timestamp"] as? String)?.hasSuffix("Z") == true)
            return entry.filter { $0.key != "time" && $0.key != "timestamp" }
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func jsonIsOneDocumentWithTheHistoryInside() throws {
        let w = try workspace()
        _ = try CLI.run([
            "start", "--db", w.db, "--machine", w.machine, "--id", "a", "--data", #"{"count": 5}"#,
        ])
        _ = try CLI.run([
            "send", "--db", w.db, "--id", "a", "inc", "--data", #"{"by": 2}"#, "--event-id", "k1",
        ])
        let r = try CLI.run(["instances", "--db", w.db, "show", "a", "--json"])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout.hasSuffix("}\n"))
        #expect(
            try document(r.stdout)
                == #"{"configuration":["open"],"data":{"count":7},"definition":"ledger","history":["#
                + #"{"configuration":["open"],"data":{"count":5},"entered":["open"],"event":null,"eventID":null,"exited":[],"kind":"start","seq":1},"#
                + #"{"configuration":["open"],"data":{"by":2},"entered":[],"event":"inc","eventID":"k1","exited":[],"kind":"event","seq":2}"#
                + #"],"id":"a","pendingTimers":[],"status":"running","version":1}"#)
    }
}
