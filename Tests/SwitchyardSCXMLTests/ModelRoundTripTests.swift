import Foundation
import SwitchyardCore
import SwitchyardSCXML
import Testing

/// Loads `Fixtures/everything.scxml`, which uses every element and attribute the model has, and
/// checks that each model field is filled with the right value and location.
@Suite struct ModelRoundTripTests {
    static let fixtures = TestPaths.goldenDirectory.deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
    static let file = "everything.scxml"

    static func loadEverything() throws -> LoadedDocument {
        let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
        return try SCXMLLoader(options: LoaderOptions(baseDirectory: fixtures.path)).load(
            bytes: bytes, file: file)
    }

    func at(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: Self.file, line: line, column: column)
    }

    @Test func documentLevelFields() throws {
        let loaded = try Self.loadEverything()
        #expect(loaded.warnings.isEmpty)
        let doc = loaded.document
        #expect(doc.name == "everything")
        #expect(doc.initial == ["main"])
        #expect(doc.initialLocation == at(3, 49))
        #expect(doc.datamodel == "ecmascript")
        #expect(doc.binding == .late)
        #expect(doc.location == at(2, 1))
        #expect(doc.sourcePath == Self.file)
        #expect(
            doc.extensionAttributes == [
                ForeignAttribute(
                    namespace: SCXMLNamespace.switchyard, name: "owner", value: "ops", location: at(3, 103))
            ])
        #expect(doc.extensionElements.map(\.name) == ["rules", "note"])
        #expect(doc.extensionElements[0].children.first?.attribute("then")?.value == "b")
        #expect(doc.extensionElements[1].namespace == "urn:example:other")
        #expect(doc.extensionElements[1].text == "kept")

        #expect(doc.data.map(\.id) == ["n", "fromFile", "fromURI", "inline", "xml"])
        #expect(
            doc.data[0].expr
                == ExpressionSource("1 < 2", at: at(5, 24), entityShifts: [.init(offset: 3, shift: 3)]))
        #expect(doc.data[0].location == at(5, 5))
        #expect(doc.data[1].src == "data.json")
        #expect(doc.data[1].content?.text == "{\"from\": \"file\"}\n")
        #expect(doc.data[2].src == "file:data.json")
        #expect(doc.data[2].content?.text == "{\"from\": \"file\"}\n")
        #expect(doc.data[3].content == ExpressionSource("{\"a\": 1}", at: at(8, 23)))
        #expect(doc.data[4].content?.text == "<books><book title=\"x\"/></books>")

        #expect(doc.script?.src == "helper.js")
        #expect(doc.script?.source.text == "var fromFile = 42;\n")
        #expect(doc.script?.location == at(11, 3))
        #expect(doc.states.map(\.id) == ["main", "end"])
    }

    @Test func stateFields() throws {
        let main = try Self.loadEverything().document.states[0]
        #expect(main.kind == .state)
        #expect(main.id == "main")
        #expect(main.idLocation == at(14, 14))
        #expect(main.initial == ["p"])
        #expect(main.initialLocation == at(14, 29))
        #expect(main.extensionAttributes.map(\.value) == ["24h"])
        #expect(main.extensionAttributes.first?.location == at(14, 44))
        #expect(main.data.map(\.id) == ["local"])
        #expect(main.onEntry.count == 1)
        #expect(main.onExit.count == 2)
        #expect(main.children.map(\.id) == ["p", "fin"])
        #expect(main.invokes.count == 5)

        let p = main.children[0]
        #expect(p.kind == .parallel)
        #expect(p.children.map(\.id) == ["ph", "pa", "pb"])
        #expect(p.children[0].kind == .history(.deep))
        #expect(p.children[0].transitions.first?.targets == ["pa2"])
        let pa = p.children[1]
        #expect(pa.initialTransition?.targets == ["pa2"])
        #expect(pa.initialTransition?.actions.count == 1)

        let fin = main.children[1]
        #expect(fin.kind == .final)
        #expect(fin.doneData?.params.map(\.name) == ["result"])
        let end = try Self.loadEverything().document.states[1]
        #expect(end.doneData?.content?.body == .text(ExpressionSource("done", at: at(72, 38))))
    }

    @Test func transitionFields() throws {
        let t = try Self.loadEverything().document.states[0].transitions[0]
        #expect(t.events == ["go", "done.*", "error"])
        #expect(
            t.cond == ExpressionSource("n > 0", at: at(44, 47), entityShifts: [.init(offset: 3, shift: 3)]))
        #expect(t.targets == ["pa1", "pb"])
        #expect(t.targetLocation == at(44, 65))
        #expect(t.targetLocations == [at(44, 65), at(44, 69)])
        #expect(t.type == .internal)
        #expect(t.actions.count == 1)
        #expect(t.location == at(44, 5))
    }

    @Test func executableContentFields() throws {
        let actions = try Self.loadEverything().document.states[0].onEntry[0]
        guard actions.count == 13 else {
            Issue.record("expected 13 actions, got \(actions.count)")
            return
        }
        #expect(actions[0] == .raise(RaiseAction(event: "started", location: at(17, 7))))
        guard case .send(let s1) = actions[1], case .send(let s2) = actions[2] else {
            Issue.record("sends")
            return
        }
        #expect(s1.event == "e")
        #expect(s1.target == "#_parent")
        #expect(s1.type == "http://www.w3.org/TR/scxml/#SCXMLEventProcessor")
        #expect(s1.id == "s1")
        #expect(s1.delay == "1.5s")
        #expect(s1.namelist == ["n", "local"])
        #expect(s1.params.map(\.name) == ["p1", "p2"])
        #expect(s1.params[0].expr?.text == "n + 1")
        #expect(s1.params[1].locationExpr?.text == "local")
        #expect(s2.eventExpr?.text == "'e2'")
        #expect(s2.targetExpr?.text == "'#_internal'")
        #expect(s2.typeExpr?.text == "'scxml'")
        #expect(s2.idLocation?.text == "sid")
        #expect(s2.delayExpr?.text == "'2s'")
        #expect(s2.content?.body == .expression(ExpressionSource("{x: 1}", at: at(23, 24))))
        #expect(actions[3] == .cancel(CancelAction(sendID: "s1", location: at(25, 7))))
        #expect(
            actions[4]
                == .cancel(
                    CancelAction(sendIDExpr: ExpressionSource("sid", at: at(26, 27)), location: at(26, 7))))
        #expect(
            actions[5]
                == .log(
                    LogAction(label: "L", expr: ExpressionSource("'hi'", at: at(27, 28)), location: at(27, 7))
                ))
        guard case .assign(let a1) = actions[6], case .assign(let a2) = actions[7] else {
            Issue.record("assigns")
            return
        }
        #expect(a1.locationExpr.text == "n")
        #expect(a1.expr?.text == "n * 2")
        #expect(a2.content?.text == "<obj a=\"1\"/>")
        #expect(
            actions[8]
                == .script(
                    ScriptAction(
                        source: ExpressionSource("var inline = n;", at: at(30, 15)), location: at(30, 7))))
        guard case .if(let ifAction) = actions[9] else {
            Issue.record("if")
            return
        }
        #expect(ifAction.branches.count == 3)
        #expect(ifAction.branches.map { $0.cond?.text } == ["n > 1", "n == 1", nil])
        #expect(ifAction.branches.map(\.actions.count) == [1, 1, 1])
        #expect(ifAction.branches[1].location == at(33, 7))
        guard case .foreach(let f) = actions[10] else {
            Issue.record("foreach")
            return
        }
        #expect(f.array.text == "[1,2]")
        #expect(f.item.text == "it")
        #expect(f.index?.text == "ix")
        #expect(f.actions.count == 1)
        guard case .extension(let ext) = actions[11], case .foreign(let foreign) = actions[12] else {
            Issue.record("extension elements")
            return
        }
        #expect(ext.namespace == SCXMLNamespace.switchyard)
        #expect(ext.name == "call")
        #expect(ext.attribute("action")?.value == "notify")
        #expect(ext.location == at(39, 7))
        #expect(foreign.namespace == "urn:example:other")
        #expect(foreign.name == "ignored")
    }

    @Test func invokeFields() throws {
        let invokes = try Self.loadEverything().document.states[0].invokes
        let i0 = invokes[0]
        #expect(i0.id == "child")
        #expect(i0.type == "http://www.w3.org/TR/scxml/")
        #expect(i0.autoforward)
        #expect(i0.params.map(\.name) == ["ip"])
        #expect(i0.finalize.count == 1)
        #expect(i0.extensionAttributes.map(\.name) == ["retry"])
        guard case .document(let child)? = i0.content?.body else {
            Issue.record("inline scxml content must become a nested document")
            return
        }
        #expect(child.initial == ["c1"])
        #expect(child.states.map(\.id) == ["c1", "c2"])
        #expect(child.states[0].transitions.first?.targets == ["c2"])
        #expect(child.location == at(47, 9))

        #expect(invokes[1].typeExpr?.text == "'scxml'")
        #expect(invokes[1].srcExpr?.text == "'child.scxml'")
        #expect(invokes[1].idLocation?.text == "invid")
        #expect(invokes[1].namelist == ["n"])
        #expect(invokes[2].src == "child.scxml")
        #expect(invokes[3].content?.body == .markup("<payload kind=\"m\">text</payload>"))
        #expect(invokes[4].content?.body == .text(ExpressionSource("plain text", at: at(58, 53))))
    }

    @Test func loadPathResolvesSrcAgainstTheDocumentDirectory() throws {
        let path = Self.fixtures.appendingPathComponent(Self.file).path
        let loaded = try SCXMLLoader().load(path: path)
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.document.script?.source.text == "var fromFile = 42;\n")
        #expect(loaded.document.location.file == path)
        #expect(throws: DiagnosticList.self) {
            try SCXMLLoader(options: LoaderOptions(maxDocumentBytes: 100)).load(path: path)
        }
        do {
            _ = try SCXMLLoader(options: LoaderOptions(maxResourceBytes: 4)).load(path: path)
            Issue.record("a script over the resource limit must be refused")
        } catch {
            #expect(
                error.errors.map(\.message) == [
                    "cannot read script src 'helper.js': the file is larger than the limit of 4 bytes"
                ])
            // The two data src files.
            #expect(error.diagnostics.filter { $0.severity == .warning }.count == 2)
        }
    }

    @Test func modelIsCodableRoundTrip() throws {
        let doc = try Self.loadEverything().document
        let data = try JSONEncoder().encode(doc)
        let decoded = try JSONDecoder().decode(SCXMLDocument.self, from: data)
        #expect(decoded == doc)
    }
}

/// Expression locations inside attributes, including entity and character references.
@Suite struct ExpressionLocationTests {
    @Test func entityShiftsMapColumnsBackIntoTheAttribute() throws {
        let text = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">
              <state id="a"><transition cond="x &lt; 1 &amp;&amp; y &#62; 2 &#x26; z" target="a"/></state>
            </scxml>
            """
        let doc = try SCXMLLoader().load(bytes: Array(text.utf8), file: "e.scxml").document
        let cond = try #require(doc.states[0].transitions[0].cond)
        #expect(cond.text == "x < 1 && y > 2 & z")
        #expect(cond.location == SourceLocation(file: "e.scxml", line: 2, column: 35))
        // Map every decoded column back and check it lands on the same character in the source.
        let sourceLine = Array(text.split(separator: "\n")[1].unicodeScalars)
        let decoded = Array(cond.text.unicodeScalars)
        for (i, scalar) in decoded.enumerated() where scalar != " " {
            let loc = cond.location(ofLine: 1, column: i + 1)
            let src = sourceLine[loc.column - 1]
            if "<>&".unicodeScalars.contains(scalar) {
                #expect(src == "&", "decoded \(i) '\(scalar)' should map to the start of its reference")
            } else {
                #expect(src == scalar, "decoded \(i) '\(scalar)' mapped to '\(src)' at column \(loc.column)")
            }
        }
    }

    @Test func nonASCIIColumnsCountScalars() throws {
        let text =
            "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\">\n<state id=\"ü\"><transition cond=\"ä &lt; ö\" target=\"nowhere\"/></state></scxml>"
        do {
            _ = try SCXMLLoader().load(bytes: Array(text.utf8), file: "u.scxml")
            Issue.record("must fail")
        } catch {
            #expect(
                error.errors.map(\.headline) == [
                    "u.scxml:2:51: error: transition target 'nowhere' does not exist"
                ])
        }
    }

    @Test func foreignElementsKeepWhitespaceAndNoNamespaceDocumentsWork() throws {
        let namespaced = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><x:n xmlns:x="urn:x">  </x:n><p xmlns=""> </p><state id="a"/></scxml>
            """
        let doc = try SCXMLLoader().load(bytes: Array(namespaced.utf8), file: "f.scxml").document
        #expect(doc.extensionElements.map(\.text) == ["  ", " "])
        #expect(doc.extensionElements.map(\.namespace) == ["urn:x", nil])

        let bare = """
            <scxml version="1.0"><state id="a"><onentry><send event="e"><content><b>x</b></content></send></onentry></state></scxml>
            """
        let loaded = try SCXMLLoader().load(bytes: Array(bare.utf8), file: "b.scxml")
        #expect(loaded.warnings.count == 1)
        guard case .send(let send) = loaded.document.states[0].onEntry[0][0] else {
            Issue.record("send")
            return
        }
        #expect(send.content?.body == .markup("<b>x</b>"))
    }

    @Test func scriptBodyLocation() throws {
        let text = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">
              <script><![CDATA[var a = 1 < 2;]]></script>
              <state id="a"/>
            </scxml>
            """
        let doc = try SCXMLLoader().load(bytes: Array(text.utf8), file: "s.scxml").document
        let source = try #require(doc.script?.source)
        #expect(source.text == "var a = 1 < 2;")
        #expect(source.location == SourceLocation(file: "s.scxml", line: 2, column: 11))
        // "a" (offset 4) sits after the 9-character CDATA marker.
        #expect(source.location(ofLine: 1, column: 5).column == 11 + 9 + 4)
    }
}
