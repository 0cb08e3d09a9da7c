import Foundation
import Switchyard
import SwitchyardTestSupport
import Testing

/// A definition's content hash — its version's identity in the store — depends on what the
/// machine is, not on how its file is laid out.
@Suite struct DefinitionHashTests {
    static let document = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="open" name="m">
          <datamodel>
            <data id="count" expr="0"/>
            <data id="limits">{"low": 1, "high": [10, 20]}</data>
          </datamodel>
          <script>
            function bump(n) {
              return n + 1
            }
          </script>
          <state id="open">
            <onentry><log label="entered" expr="'open ' + count"/></onentry>
            <transition event="inc" cond="count &lt; limits.high[0] &amp;&amp; true">
              <assign location="count" expr="bump(count)"/>
            </transition>
            <transition event="wait"><send event="ping" delay="5s"/></transition>
            <transition event="close" target="closed"/>
          </state>
          <final id="closed"/>
        </scxml>
        """

    /// The same machine moved down, re-indented with tabs, attributes and bodies reflowed,
    /// comments added and spacing inside code changed.
    static let relaid = """


        <!-- moved down and re-indented -->
        <scxml xmlns="http://www.w3.org/2005/07/scxml"
        \tversion="1.0" datamodel="ecmascript"
        \tinitial="open" name="m">
        \t<datamodel>
        \t\t<data id="count"   expr=" 0 "/>
        \t\t<data id="limits">
        \t\t\t{ "low" : 1,
        \t\t\t  "high" : [ 10, 20 ] }
        \t\t</data>
        \t</datamodel>

        \t<script>
        \t\tfunction bump( n ) {   // one more
        \t\t\treturn n+1
        \t\t}
        \t</script>

        \t<state id="open">
        \t\t<onentry>
        \t\t\t<log label="entered" expr="'open '+count"/>
        \t\t</onentry>
        \t\t<transition event="inc"
        \t\t\tcond="count &lt; limits.high[ 0 ]
        \t\t\t      &amp;&amp; true">
        \t\t\t<assign location="count" expr="bump( count )"/>
        \t\t</transition>
        \t\t<transition event="wait">
        \t\t\t<send event="ping" delay="5s"/>
        \t\t</transition>
        \t\t<transition event="close" target="closed"/>
        \t</state>
        \t<final id="closed"/>
        </scxml>

        """

    /// Semantic changes, each a replacement in ``document``.
    static let changes: [(String, String, String)] = [
        ("a state id", #""closed""#, #""done""#),
        ("a transition target", #"target="closed""#, #"target="open""#),
        ("an event descriptor", #"event="close""#, #"event="shut""#),
        ("an operator", "count &lt; limits", "count &lt;= limits"),
        ("an expression", #"expr="bump(count)""#, #"expr="bump(count) + 1""#),
        ("a string literal's spaces", "'open '", "'open  '"),
        ("an attribute", #"delay="5s""#, #"delay="6s""#),
        ("a log label", #"label="entered""#, #"label="entered!""#),
        ("a data value", #""low": 1"#, #""low": 2"#),
        ("a script statement", "return n + 1", "return n + 2"),
        ("a line break that ends a statement", "return n + 1", "return n\n + 1"),
    ]

    static func definition(_ xml: String) throws -> MachineDefinition {
        try MachineDefinition.load(bytes: Array(xml.utf8), file: "m.scxml")
    }

    static func hash(_ xml: String) throws -> String {
        let engine = Engine(clock: ManualClock())
        try engine.register(definition(xml), as: "m")
        return try #require(engine.definitionVersions.first?.hash)
    }

    @Test func layoutDoesNotChangeTheHash() throws {
        #expect(try Self.hash(Self.relaid) == Self.hash(Self.document))
        #expect(
            try Self.definition(Self.relaid).document.canonicalized()
                == Self.definition(Self.document).document.canonicalized())
    }

    @Test(arguments: changes.map(\.0))
    func aSemanticChangeChangesTheHash(what: String) throws {
        let (_, old, new) = try #require(Self.changes.first { $0.0 == what })
        #expect(Self.document.contains(old))
        let changed = Self.document.replacingOccurrences(of: old, with: new)
        #expect(try Self.hash(changed) != Self.hash(Self.document), "\(what)")
    }

    @Test func upgradingToTheRelaidFileKeepsTheVersion() throws {
        let engine = Engine(clock: ManualClock())
        try engine.register(Self.definition(Self.document), as: "m")
        #expect(try engine.upgrade(Self.definition(Self.relaid), as: "m") == 1)
        let changed = Self.document.replacingOccurrences(of: #"delay="5s""#, with: #"delay="6s""#)
        #expect(try engine.upgrade(Self.definition(changed), as: "m") == 2)
    }

    /// Across processes: a re-indented deploy is the stored version (the instance recovers on
    /// it); a changed one is version 2, and the instance recovers on version 1 compiled from
    /// the stored (canonical) document.
    @Test func storedInstancesRecoverAcrossARelaidAndAChangedDeploy() async throws {
        let path = temporaryDirectory() + "/db.sqlite"
        let inc = Event("inc")
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(Self.definition(Self.document), as: "m")
            try await engine.recover()
            try await engine.start("m", id: "x")
            try await engine.deliverAndWait(inc, to: "x")
            await engine.shutdown()
        }
        do {
            let (engine, _) = try durableEngine(path)
            try engine.register(Self.definition(Self.relaid), as: "m")
            let report = try await engine.recover()
            #expect(report.failures.isEmpty)
            #expect(engine.definitionVersions.map(\.version) == [1])
            try await engine.deliverAndWait(inc, to: "x")
            #expect(await engine.snapshot("x")?.value(of: "count") == .number(2))
            await engine.shutdown()
        }
        let (engine, _) = try durableEngine(path)
        let changed = Self.document.replacingOccurrences(of: "return n + 1", with: "return n + 10")
        try engine.register(Self.definition(changed), as: "m")
        let report = try await engine.recover()
        #expect(report.failures.isEmpty)
        #expect(engine.definitionVersions.map(\.version) == [1, 2])
        #expect(await engine.snapshot("x")?.version == 1)
        try await engine.deliverAndWait(inc, to: "x")
        #expect(await engine.snapshot("x")?.value(of: "count") == .number(3))
        try await engine.start("m", id: "y")
        try await engine.deliverAndWait(inc, to: "y")
        #expect(await engine.snapshot("y")?.value(of: "count") == .number(10))
        await engine.shutdown()
    }

    /// The canonical document writes `In('a')`; the compiler must see a call to `In` in
    /// `In ('a')` too, or the two would not mean the same.
    @Test func inIsACallWithSpaceBeforeTheParenthesis() async throws {
        let engine = Engine(clock: ManualClock())
        try engine.register(
            machine(
                #"<state id="a"><transition event="go" cond="In ('a')" target="b"/></state><state id="b"/>"#,
                initial: "a"),
            as: "m")
        try await engine.start("m", id: "x")
        try await engine.deliverAndWait(Event("go"), to: "x")
        #expect(await engine.snapshot("x")?.configuration == ["b"])
        await engine.shutdown()
    }
}
