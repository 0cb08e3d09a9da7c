import Foundation
import SwitchyardTestSupport
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
                + #"{"configuration":["open"],"data":{"count":5},"due":null,"dueTimestamp":null,"entered":["open"],"event":null,"eventID":null,"exited":[],"kind":"start","seq":1},"#
                + #"{"configuration":["open"],"data":{"by":2},"due":null,"dueTimestamp":null,"entered":[],"event":"inc","eventID":"k1","exited":[],"kind":"event","seq":2}"#
                + #"],"id":"a","pendingTimers":[],"run":1,"runs":1,"startSeq":1,"status":"running","version":1}"#
        )
    }

    /// The ledger with one more transition: a new version when `start` registers it.
    static let ledgerV2 = DurableCommandTests.machine.replacingOccurrences(
        of: #"<transition event="close" target="closed"/>"#,
        with:
            #"<transition event="close" target="closed"/><transition event="reset"><assign location="count" expr="0"/></transition>"#
    )

    /// The text with every ISO 8601 instant replaced by `T`.
    func untimed(_ text: String) -> String {
        text.replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/, with: "T")
    }

    @Test func aReusedIDShowsTheLatestRunAndEarlierOnesWithRun() throws {
        let w = try workspace()
        let v2 = w.machine.replacingOccurrences(of: "ledger.scxml", with: "ledger-v2.scxml")
        try Self.ledgerV2.write(toFile: v2, atomically: true, encoding: .utf8)
        _ = try CLI.run([
            "start", "--db", w.db, "--machine", w.machine, "--id", "b", "--data", #"{"count": 5}"#,
        ])
        _ = try CLI.run(["send", "--db", w.db, "--id", "b", "close"])
        var r = try CLI.run(["start", "--db", w.db, "--machine", v2, "--id", "b"])
        #expect(r.stdout == "started b (ledger v2): open\n")
        _ = try CLI.run(["send", "--db", w.db, "--id", "b", "inc", "--event-id", "k9"])

        r = try CLI.run(["instances", "--db", w.db, "show", "b"])
        #expect(r.status == 0)
        #expect(
            untimed(r.stdout) == """
                instance b (ledger v2): running, run 2 of 2
                configuration: open
                  count = 1
                history:
                  3  T  start -> open
                  4  T  event inc [k9] -> open

                """)

        r = try CLI.run(["instances", "--db", w.db, "show", "b", "--run", "1"])
        #expect(r.status == 0)
        #expect(
            untimed(r.stdout) == """
                instance b (ledger v1): finished, run 1 of 2
                final state: closed
                history:
                  1  T  start -> open
                  2  T  event close -> closed

                """)

        r = try CLI.run(["instances", "--db", w.db, "show", "b", "--json"])
        #expect(
            try document(r.stdout)
                == #"{"configuration":["open"],"data":{"count":1},"definition":"ledger","history":["#
                + #"{"configuration":["open"],"data":{},"due":null,"dueTimestamp":null,"entered":["open"],"event":null,"eventID":null,"exited":[],"kind":"start","seq":3},"#
                + #"{"configuration":["open"],"data":null,"due":null,"dueTimestamp":null,"entered":[],"event":"inc","eventID":"k9","exited":[],"kind":"event","seq":4}"#
                + #"],"id":"b","pendingTimers":[],"run":2,"runs":2,"startSeq":3,"status":"running","version":2}"#
        )

        r = try CLI.run(["instances", "--db", w.db, "show", "b", "--run", "1", "--json"])
        #expect(
            try document(r.stdout)
                == #"{"definition":"ledger","finalState":"closed","history":["#
                + #"{"configuration":["open"],"data":{"count":5},"due":null,"dueTimestamp":null,"entered":["open"],"event":null,"eventID":null,"exited":[],"kind":"start","seq":1},"#
                + #"{"configuration":["closed"],"data":null,"due":null,"dueTimestamp":null,"entered":["closed"],"event":"close","eventID":null,"exited":["open"],"kind":"event","seq":2}"#
                + #"],"id":"b","run":1,"runs":2,"startSeq":1,"status":"finished","version":1}"#)
    }

    @Test func badRunNumbers() throws {
        let w = try workspace()
        _ = try CLI.run(["start", "--db", w.db, "--machine", w.machine, "--id", "a"])
        var r = try CLI.run(["instances", "--db", w.db, "show", "a", "--run", "2"])
        #expect(r.stdout == "")
        #expect(r.stderr == "error: instance 'a' has 1 run; there is no run 2\n")
        #expect(r.status == 1)
        r = try CLI.run(["instances", "--db", w.db, "show", "a", "--run", "0"])
        #expect(r.stderr.hasPrefix("Error: --run must be 1 or more, not 0\n"))
        #expect(r.status == 64)
        r = try CLI.run(["instances", "--db", w.db, "--run", "1"])
        #expect(r.stderr.hasPrefix("Error: --run needs `show ID`\n"))
        #expect(r.status == 64)
    }
}

/// A timer that fell due while no process ran fires when the next command recovers the
/// database; `instances show` prints when it was due and how late it fired.
@Suite struct OverdueTimerShowTests {
    static let machine = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="waiting" name="nag">
          <state id="waiting">
            <onentry><send event="remind" delay="1s"/></onentry>
            <transition event="remind" target="reminded"/>
          </state>
          <state id="reminded"/>
        </scxml>
        """

    @Test func showPrintsDueTimeAndLatenessOfAnOverdueTimer() throws {
        let dir = temporaryDirectory()
        let file = dir + "/nag.scxml"
        try writeText(file, Self.machine)
        let db = dir + "/nag.sqlite"
        var r = try CLI.run(["start", "--db", db, "--machine", file, "--id", "n"])
        #expect(r.stdout == "started n (nag v1): waiting\n")
        // No process runs while the 1 s timer falls due.
        Thread.sleep(forTimeInterval: 2.5)
        r = try CLI.run(["instances", "--db", db, "show", "n"])
        #expect(r.stdout.contains("configuration: waiting"))  // read-only: nothing fired yet
        r = try CLI.run(["send", "--db", db, "--id", "n", "poke"])
        #expect(r.status == 0)
        #expect(r.stdout == "ignored: no transition of n takes poke in reminded; nothing changed\n")
        r = try CLI.run(["instances", "--db", db, "show", "n"])
        let timerLine = try #require(r.stdout.split(separator: "\n").first { $0.contains("  timer remind") })
        #expect(timerLine.contains(" (due 20"), "\(timerLine)")
        #expect(timerLine.contains("Z, fired "), "\(timerLine)")
        #expect(timerLine.hasSuffix(" late) -> reminded"), "\(timerLine)")
        r = try CLI.run(["instances", "--db", db, "show", "n", "--json"])
        #expect(r.stdout.contains(#""kind":"timer""#))
        #expect(r.stdout.contains(#""dueTimestamp":"20"#))
    }
}
