import Switchyard
import SwitchyardTestSupport
import Testing

/// Event-name matching through the descriptor tables: machines with at most 64 descriptors
/// match with bit masks, larger ones with id lists; both must pick the same transitions.
@Suite struct EventMatchingTests {
    /// A machine with `n` plain descriptors `e0 ... e(n-1)` (each leading back to `hub`), plus
    /// `order` (a prefix descriptor), `order.paid.late` and `*`.
    static func machine(descriptors n: Int) -> String {
        var states = ""
        var hub = ""
        for i in 0..<n {
            hub += "<transition event=\"e\(i)\" target=\"s\(i)\"/>"
            states += "<state id=\"s\(i)\"><transition event=\"back\" target=\"hub\"/></state>"
        }
        return """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="null" initial="hub">
              <state id="hub">
                \(hub)
                <transition event="order.paid.late" target="late"/>
                <transition event="order" target="order"/>
                <transition event="*" target="other"/>
              </state>
              \(states)
              <state id="late"><transition event="back" target="hub"/></state>
              <state id="order"><transition event="back" target="hub"/></state>
              <state id="other"><transition event="back" target="hub"/></state>
            </scxml>
            """
    }

    func visits(_ n: Int, _ events: [String]) throws -> [String] {
        let xml = Self.machine(descriptors: n)
        let definition = try MachineDefinition.load(bytes: Array(xml.utf8), file: "match.scxml")
        var m = Interpreter(definition: definition, sessionID: "s")
        _ = m.start()
        var out: [String] = []
        for e in events {
            _ = m.handle(Event(e))
            out.append(m.configurationIDs.joined(separator: ","))
            _ = m.handle(Event("back"))
        }
        return out
    }

    @Test(arguments: [3, 20, 40, 62, 63, 64, 65, 100])
    func sameTransitionsWithAndWithoutMasks(descriptors n: Int) throws {
        let events = [
            "e0", "e\(n - 1)", "order", "order.paid", "order.paid.late", "order.paid.late.x", "orders", "e",
            "zzz",
        ]
        #expect(
            try visits(n, events) == [
                "s0", "s\(n - 1)", "order", "order", "late", "late", "other", "other", "other",
            ])
    }
}
