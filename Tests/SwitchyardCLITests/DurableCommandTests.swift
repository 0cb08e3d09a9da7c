import Foundation
import Testing

/// `start`, `send` and `instances` over a database file, by exact output and exit status.
@Suite struct DurableCommandTests {
    static let machine = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="open" name="ledger">
          <datamodel><data id="count" expr="0"/></datamodel>
          <state id="open">
            <transition event="inc"><assign location="count" expr="count + (_event.data ? _event.data.by : 1)"/></transition>
            <transition event="close" target="closed"/>
          </state>
          <final id="closed"/>
        </scxml>
        """

    func workspace() throws -> (dir: String, machine: String, db: String) {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-cli-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let machine = dir + "/ledger.scxml"
        try Self.machine.write(toFile: machine, atomically: true, encoding: .utf8)
        return (dir, machine, dir + "/ledger.sqlite")
    }

    @Test func startSendAndListAcrossProcesses() throws {
        let w = try workspace()
        var r = try CLI.run([
            "start", "--db", w.db, "--machine", w.machine, "--id", "a", "--data", #"{"count": 5}"#,
        ])
        #expect(r.status == 0)
        #expect(r.stdout == "started a (ledger v1): open\n")
        r = try CLI.run(["start", "--db", w.db, "--machine", w.machine, "--id", "a"])
        #expect(r.stdout == "a is already running (ledger v1): open\n")
        r = try CLI.run(["start", "--db", w.db, "--machine", w.machine, "--id", "a", "--if-exists", "fail"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: an instance with id 'a' is running\n")

        r = try CLI.run([
            "send", "--db", w.db, "--id", "a", "inc", "--data", #"{"by": 2}"#, "--event-id", "k1",
        ])
        #expect(r.status == 0)
        #expect(r.stdout == "a: inc -> open\n")
        r = try CLI.run([
            "send", "--db", w.db, "--id", "a", "inc", "--data", #"{"by": 2}"#, "--event-id", "k1",
        ])
        #expect(r.status == 0)
        #expect(r.stdout == "duplicate: a has already processed event id 'k1'; nothing applied\n")
        r = try CLI.run(["send", "--db", w.db, "--id", "nope", "inc"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: no instance 'nope'\n")

        _ = try CLI.run(["start", "--db", w.db, "--machine", w.machine, "--id", "b"])
        r = try CLI.run(["send", "--db", w.db, "--id", "b", "close"])
        #expect(r.stdout == "b: close -> finished in closed\n")
        r = try CLI.run(["send", "--db", w.db, "--id", "b", "inc"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: instance 'b' has finished or was stopped\n")

        r = try CLI.run(["instances", "--db", w.db])
        #expect(r.status == 0)
        #expect(r.stdout == "a  ledger v1  running  2 records\nb  ledger v1  finished in closed  2 records\n")
        r = try CLI.run(["instances", "--db", w.db, "--json"])
        #expect(
            r.stdout
                == #"[{"id":"a","definition":"ledger","version":1,"status":"running","finalState":null,"records":2},{"id":"b","definition":"ledger","version":1,"status":"finished","finalState":"closed","records":2}]"#
                + "\n")

        r = try CLI.run(["instances", "--db", w.db, "show", "a"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ["instance a (ledger v1): running", "configuration: open", "  count = 7"])
        #expect(lines[3] == "history:")
        #expect(lines[4].hasPrefix("  1  20") && lines[4].hasSuffix("start -> open"))
        #expect(lines[5].hasSuffix("event inc [k1] -> open"))
        r = try CLI.run(["instances", "--db", w.db, "show", "zzz"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: no instance 'zzz' in \(w.db)\n")
    }

    /// An event that is delivered but that no transition takes is reported as ignored (exit 0).
    @Test func sendSaysWhenNoTransitionTakesTheEvent() throws {
        let w = try workspace()
        _ = try CLI.run(["start", "--db", w.db, "--machine", w.machine, "--id", "a"])
        var r = try CLI.run(["send", "--db", w.db, "--id", "a", "reopen"])
        #expect(r.status == 0)
        #expect(r.stdout == "ignored: no transition of a takes reopen in open; nothing changed\n")
        r = try CLI.run(["send", "--db", w.db, "--id", "a", "inc"])
        #expect(r.stdout == "a: inc -> open\n")
    }

    @Test func damagedOrMissingDatabaseIsAnError() throws {
        let w = try workspace()
        _ = FileManager.default.createFile(atPath: w.db, contents: Data())
        var r = try CLI.run(["send", "--db", w.db, "--id", "a", "inc"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(w.db) exists but is empty"))
        r = try CLI.run(["instances", "--db", w.dir + "/missing.sqlite"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(w.dir)/missing.sqlite does not exist\n")
        r = try CLI.run(["send", "--db", w.dir + "/other.sqlite", "--id", "a", "inc", "--data", "{nope"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--data is not valid JSON"))
    }
}

@Suite struct DurableCommandInputErrorTests {
    @Test func missingMachineFileAndBadInstancesArguments() throws {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-cli-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var r = try CLI.run([
            "start", "--db", dir + "/db.sqlite", "--machine", dir + "/nope.scxml", "--id", "a",
        ])
        #expect(r.status == 1)
        #expect(r.stdout == "\(dir)/nope.scxml:1:1: error: cannot read the document: no such file\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/db.sqlite"))  // nothing created
        _ = try CLI.run([
            "start", "--db", dir + "/db.sqlite", "--machine",
            CLI.repositoryRoot.path + "/machines/order_saga.scxml", "--id", "a",
        ])
        r = try CLI.run(["instances", "--db", dir + "/db.sqlite", "list"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("Error: expected no arguments or `show ID`\n"))
    }
}
