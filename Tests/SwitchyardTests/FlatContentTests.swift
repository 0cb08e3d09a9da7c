import Switchyard
import SwitchyardTestSupport
import Testing

/// `<assign>`s of the form `x = y ± number` / `x = number` and guards `x <op> number` run from
/// flat tables when the operand holds a number; these tests pin the results of both that path
/// and the general one it falls back to for every other value.
@Suite struct FlatContentTests {
    func run(_ xml: String, events: [String]) throws -> Interpreter {
        let definition = try MachineDefinition.load(bytes: Array(xml.utf8), file: "flat.scxml")
        var m = Interpreter(definition: definition, sessionID: "s")
        _ = m.start()
        for e in events { _ = m.handle(Event(e)) }
        return m
    }

    static func machine(initial x: String) -> String {
        """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="a">
          <datamodel>
            <data id="x" expr="\(x)"/>
            <data id="y" expr="0"/>
            <data id="z" expr="0"/>
            <data id="w" expr="'w'"/>
          </datamodel>
          <state id="a">
            <onentry><assign location="x" expr="x + 1"/><assign location="y" expr="x - 0.5"/></onentry>
            <onentry><assign location="z" expr="2 + x"/></onentry>
            <onexit><assign location="w" expr="-3"/></onexit>
            <transition event="go" cond="x &lt; 10" target="small"><assign location="y" expr="y - 1"/></transition>
            <transition event="go" cond="10 &lt;= x" target="big"/>
          </state>
          <state id="small"/>
          <state id="big"/>
        </scxml>
        """
    }

    @Test func numbersTakeTheFlatPathInDocumentOrder() throws {
        let m = try run(Self.machine(initial: "4"), events: ["go"])
        #expect(m.value(of: "x") == .number(5))
        #expect(m.value(of: "y") == .number(3.5))  // 5 - 0.5, then the transition's y - 1
        #expect(m.value(of: "z") == .number(7))
        #expect(m.value(of: "w") == .number(-3))
        #expect(m.configurationIDs == ["small"])
        let big = try run(Self.machine(initial: "9.5"), events: ["go"])
        #expect(big.value(of: "x") == .number(10.5))
        #expect(big.configurationIDs == ["big"])
    }

    @Test func stringsFallBackToTheGeneralOperators() throws {
        let m = try run(Self.machine(initial: "'4'"), events: ["go"])
        #expect(m.value(of: "x") == .string("41"))  // string concatenation
        #expect(m.value(of: "y") == .number(40.5))  // '41' - 0.5
        #expect(m.value(of: "z") == .string("241"))
        #expect(m.configurationIDs == ["big"])  // '41' < 10 is false, 10 <= '41' is true
    }

    @Test func undefinedAndNullFollowECMAScript() throws {
        let m = try run(Self.machine(initial: "undefined"), events: ["go"])
        #expect(m.value(of: "x")?.jsNumber.isNaN == true)
        #expect(m.value(of: "z")?.jsNumber.isNaN == true)
        // NaN compares false both ways: neither transition is taken.
        #expect(m.configurationIDs == ["a"])
        let n = try run(Self.machine(initial: "null"), events: ["go"])
        #expect(n.value(of: "x") == .number(1))
        #expect(n.configurationIDs == ["small"])
    }
}
