import Foundation
import SwitchyardCore
import SwitchyardSCXML
import Testing

/// Hostile and broken input: each must give a diagnostic quickly, never a hang or a crash.
@Suite struct LoaderLimitsTests {
    static func load(_ text: String, options: LoaderOptions = .init()) -> Result<
        LoadedDocument, DiagnosticList
    > {
        load(Array(text.utf8), options: options)
    }

    static func load(_ bytes: [UInt8], options: LoaderOptions = .init()) -> Result<
        LoadedDocument, DiagnosticList
    > {
        do {
            return .success(try SCXMLLoader(options: options).load(bytes: bytes, file: "t.scxml"))
        } catch {
            return .failure(error)
        }
    }

    static func errors(_ result: Result<LoadedDocument, DiagnosticList>) -> [Diagnostic] {
        if case .failure(let list) = result { return list.errors }
        return []
    }

    @Test func billionLaughsIsRefusedQuickly() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE scxml [\n <!ENTITY lol \"lol\">\n"
        for i in 1...9 {
            let prev = i == 1 ? "lol" : "lol\(i - 1)"
            text += " <!ENTITY lol\(i) \"" + String(repeating: "&\(prev);", count: 10) + "\">\n"
        }
        text += "]>\n<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\">"
        text += "<state id=\"a\"><onentry><log expr=\"'&lol9;'\"/></onentry></state></scxml>\n"
        let start = ContinuousClock.now
        let errors = Self.errors(Self.load(text))
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("declares entity 'lol'") == true)
        #expect(errors.first?.location == SourceLocation(file: "t.scxml", line: 3, column: 2))
    }

    @Test func externalEntityDeclarationIsRefused() {
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE scxml [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="&xxe;"/></scxml>
            """
        let errors = Self.errors(Self.load(text))
        #expect(
            errors.map(\.message) == [
                "the DOCTYPE declares entity 'xxe': entity declarations are not supported (they can expand without bound)"
            ])
    }

    @Test func deepNestingIsRefusedQuickly() {
        let depth = 100_000
        var text = "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\">"
        text += String(repeating: "<state>", count: depth)
        text += String(repeating: "</state>", count: depth)
        text += "</scxml>"
        let start = ContinuousClock.now
        let errors = Self.errors(Self.load(text))
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(errors.count == 1)
        #expect(errors.first?.message == "elements are nested deeper than the limit of 256")
        // The 257th open element: 61 bytes of <scxml ...>, then 255 <state> tags of 7 bytes.
        #expect(errors.first?.location.column == 62 + 255 * 7)
    }

    @Test func depthLimitIsConfigurable() {
        let text =
            "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\"><state id=\"a\"><state id=\"b\"/></state></scxml>"
        #expect(
            Self.errors(Self.load(text, options: LoaderOptions(maxDepth: 2))).first?.message
                == "elements are nested deeper than the limit of 2")
        if case .failure(let e) = Self.load(text) { Issue.record("unexpected: \(e)") }
    }

    @Test func oversizedDocumentIsRefused() {
        let text =
            "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\"><state id=\"a\"/></scxml>"
        let errors = Self.errors(Self.load(text, options: LoaderOptions(maxDocumentBytes: 20)))
        #expect(
            errors.map(\.headline) == [
                "t.scxml:1:1: error: the document is larger than the limit of 20 bytes"
            ])
    }

    @Test func invalidUTF8IsAnErrorWithLineAndColumn() {
        var bytes = Array(
            "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\">\n  <state id=\"été".utf8)
        bytes.append(0xFF)
        bytes += Array("\"/>\n</scxml>\n".utf8)
        let errors = Self.errors(Self.load(bytes))
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == 2)
        #expect(errors.first?.location.column == 17)  // columns count scalars: é is one column
        #expect(errors.first?.message.hasPrefix("Input is not proper UTF-8") == true)
    }

    @Test func malformedXMLGivesExactPositions() {
        let text = """
            <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0">
              <state id="a">
                <transition target="a" event="e"
              </state>
            </scxml>
            """
        let errors = Self.errors(Self.load(text))
        // libxml2 notices the unterminated tag at the next `<`.
        #expect(errors.first?.headline == "t.scxml:4:3: error: error parsing attribute name")
        #expect(errors.first?.sourceLine == "  </state>")
        #expect(errors.first?.rendered == "t.scxml:4:3: error: error parsing attribute name\n  </state>\n  ^")
    }

    @Test func emptyAndNonXMLInput() {
        #expect(!Self.errors(Self.load("")).isEmpty)
        #expect(!Self.errors(Self.load("hello")).isEmpty)
        #expect(!Self.errors(Self.load([0x00, 0x01, 0x02])).isEmpty)
    }

    @Test func concurrentLoadsAreIndependent() async {
        let good =
            "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\"><state id=\"a\"/></scxml>"
        let bad = "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\"><state id=\"a\"></scxml>"
        let results = await withTaskGroup(of: (Bool, Int).self) { group in
            for i in 0..<64 {
                group.addTask {
                    let ok = i % 2 == 0
                    let r = Self.load(ok ? good : bad)
                    return (ok, Self.errors(r).count)
                }
            }
            var all: [(Bool, Int)] = []
            for await r in group { all.append(r) }
            return all
        }
        for (ok, count) in results {
            if ok { #expect(count == 0) } else { #expect(count >= 1) }
        }
    }
}
