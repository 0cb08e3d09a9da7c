import CLibXML2
import SwitchyardCore

/// libxml2 must be initialised once, before any thread parses.
private let libxml2Initialized: Void = { xmlInitParser() }()

/// The single Swift owner of a libxml2 parser context (one per load, so loads are thread-safe).
final class XMLParserContext {
    let pointer: xmlParserCtxtPtr

    init?() {
        _ = libxml2Initialized
        guard let p = xmlNewParserCtxt() else { return nil }
        pointer = p
    }

    deinit { xmlFreeParserCtxt(pointer) }
}

/// The single Swift owner of a parsed libxml2 document tree.
final class XMLDocumentTree {
    let pointer: xmlDocPtr
    init(_ pointer: xmlDocPtr) { self.pointer = pointer }
    deinit { xmlFreeDoc(pointer) }
}

/// The single Swift owner of a libxml2 output buffer (used to serialize inline markup).
final class XMLOutputBuffer {
    let pointer: xmlBufferPtr
    init?() {
        guard let p = xmlBufferCreate() else { return nil }
        pointer = p
    }
    deinit { xmlBufferFree(pointer) }

    var string: String {
        guard let c = xmlBufferContent(pointer) else { return "" }
        return String(cString: c)
    }
}

/// Receives libxml2's structured errors for one parse.
final class XMLErrorCollector {
    struct Entry {
        var isError: Bool
        var message: String
        var line: Int
        var column: Int
    }
    var entries: [Entry] = []
}

/// libxml2's structured error callback, installed for the current thread only during one parse
/// (libxml2 keeps its error handlers in thread-local storage), so parser, encoding and I/O errors
/// all reach the collector of this load and nothing is printed to stderr.
private func collectStructuredError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error, let userData else { return }
    let collector = Unmanaged<XMLErrorCollector>.fromOpaque(userData).takeUnretainedValue()
    var message = error.pointee.message.map { String(cString: $0) } ?? "XML error \(error.pointee.code)"
    // libxml2 messages end with a newline and sometimes carry a second line of detail.
    message = message.split(separator: "\n", omittingEmptySubsequences: true)
        .map { $0.trimmingCharacters() }.joined(separator: "; ")
    collector.entries.append(
        .init(
            isError: error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue, message: message,
            line: Int(error.pointee.line), column: Int(error.pointee.int2)))
}

extension Substring {
    fileprivate func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}

/// Parses bytes with libxml2 and copies the tree out into ``XElement`` values.
enum XMLParser {
    /// The result of one parse: the root element, or libxml2's diagnostics.
    struct Output {
        var root: XElement?
        var diagnostics: [Diagnostic]
    }

    static let options: Int32 = Int32(
        bitPattern: XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_COMPACT.rawValue)

    static func parse(_ source: SourceText, tags: [StartTagScanner.Tag]) -> Output {
        guard let context = XMLParserContext() else {
            return Output(
                root: nil,
                diagnostics: [
                    Diagnostic(
                        .error, "cannot create an XML parser",
                        at: SourceLocation(file: source.file, line: 1, column: 1))
                ])
        }
        let collector = XMLErrorCollector()
        let docPointer: xmlDocPtr? = withExtendedLifetime(collector) {
            xmlSetStructuredErrorFunc(Unmanaged.passUnretained(collector).toOpaque(), collectStructuredError)
            defer { xmlSetStructuredErrorFunc(nil, nil) }
            return source.bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    xmlCtxtReadMemory(
                        context.pointer, chars.baseAddress, Int32(chars.count), nil, nil, options)
                }
            }
        }
        let tree = docPointer.map(XMLDocumentTree.init)
        var diagnostics: [Diagnostic] = []
        for e in collector.entries {
            let line = max(e.line, 1)
            let location = SourceLocation(file: source.file, line: line, column: max(e.column, 1))
            diagnostics.append(Diagnostic(e.isError ? .error : .warning, e.message, at: location))
        }
        guard let tree, !diagnostics.contains(where: { $0.severity == .error }) else {
            if diagnostics.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        .error, "the document is not well-formed XML",
                        at: SourceLocation(file: source.file, line: 1, column: 1)))
            }
            return Output(root: nil, diagnostics: diagnostics)
        }
        guard let rootNode = xmlDocGetRootElement(tree.pointer) else {
            diagnostics.append(
                Diagnostic(
                    .error, "the document has no root element",
                    at: SourceLocation(file: source.file, line: 1, column: 1)))
            return Output(root: nil, diagnostics: diagnostics)
        }
        var converter = TreeConverter(source: source, tags: tags, doc: tree.pointer)
        let root = withExtendedLifetime(tree) { converter.convert(rootNode) }
        return Output(root: root, diagnostics: diagnostics)
    }
}

/// Copies a libxml2 tree into ``XElement``s, attaching the scanner's offsets to elements and
/// attributes in document order.
private struct TreeConverter {
    let source: SourceText
    let tags: [StartTagScanner.Tag]
    let doc: xmlDocPtr
    var tagIndex = 0
    var matched = true
    /// libxml2 interns names in its dictionary: one Swift string per distinct pointer.
    var strings: [UnsafeRawPointer: String] = [:]

    init(source: SourceText, tags: [StartTagScanner.Tag], doc: xmlDocPtr) {
        self.source = source
        self.tags = tags
        self.doc = doc
    }

    mutating func string(_ p: UnsafePointer<xmlChar>) -> String {
        let key = UnsafeRawPointer(p)
        if let s = strings[key] { return s }
        let s = String(cString: p)
        strings[key] = s
        return s
    }

    /// True when the raw bytes `start..<end` spell `prefix:name` (or `name`).
    func spells(_ start: Int, _ end: Int, prefix: UnsafePointer<xmlChar>?, name: UnsafePointer<xmlChar>)
        -> Bool
    {
        source.bytes.withUnsafeBufferPointer { b in
            var p = start
            if let prefix {
                var q = prefix
                while q.pointee != 0 {
                    guard p < end, b[p] == q.pointee else { return false }
                    p += 1
                    q += 1
                }
                guard p < end, b[p] == UInt8(ascii: ":") else { return false }
                p += 1
            }
            var q = name
            while q.pointee != 0 {
                guard p < end, b[p] == q.pointee else { return false }
                p += 1
                q += 1
            }
            return p == end
        }
    }

    mutating func convert(_ node: xmlNodePtr) -> XElement {
        let ns = node.pointee.ns
        let name = string(node.pointee.name)
        let namespace = ns.flatMap { $0.pointee.href }.map { string($0) }
        let prefix = ns.flatMap { $0.pointee.prefix }.map { string($0) }

        var tag: StartTagScanner.Tag?
        if matched, tagIndex < tags.count {
            let t = tags[tagIndex]
            if spells(t.start + 1, t.nameEnd, prefix: ns?.pointee.prefix, name: node.pointee.name) {
                tag = t
            } else {
                matched = false
            }
        } else {
            matched = false
        }
        tagIndex += 1
        let location =
            tag.map { source.location(of: $0.start) }
            ?? SourceLocation(file: source.file, line: Int(xmlGetLineNo(node)), column: 1)
        let element = XElement(namespace: namespace, prefix: prefix, name: name, location: location)
        if let tag { element.textOffset = tag.end }

        // Attributes: libxml2 keeps them in source order, without namespace declarations.
        var attrIndex = 0
        var attr = node.pointee.properties
        while let a = attr {
            let aNS = a.pointee.ns
            var value = ""
            var child = a.pointee.children
            while let c = child {
                if let content = c.pointee.content { value += String(cString: content) }
                child = c.pointee.next
            }
            var x = XAttribute(
                namespace: aNS.flatMap { $0.pointee.href }.map { string($0) },
                prefix: aNS.flatMap { $0.pointee.prefix }.map { string($0) }, name: string(a.pointee.name),
                value: value)
            if let tag, attrIndex < tag.attributes.count {
                let s = tag.attributes[attrIndex]
                if spells(s.nameStart, s.nameEnd, prefix: aNS?.pointee.prefix, name: a.pointee.name) {
                    x.nameOffset = s.nameStart
                    x.valueOffset = s.valueStart
                    x.valueEnd = s.valueEnd
                }
            }
            element.attributes.append(x)
            attrIndex += 1
            attr = a.pointee.next
        }

        var hasElementChildren = false
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                hasElementChildren = true
                element.children.append(convert(c))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content { element.text += String(cString: content) }
            default:
                break
            }
            child = c.pointee.next
        }
        if hasElementChildren, namespace == nil || namespace == SCXMLNamespace.scxml,
            name == "content" || name == "data" || name == "assign"
        {
            element.markup = serializeChildren(node)
        }
        return element
    }

    func serializeChildren(_ node: xmlNodePtr) -> String {
        guard let buffer = XMLOutputBuffer() else { return "" }
        var child = node.pointee.children
        while let c = child {
            xmlNodeDump(buffer.pointer, doc, c, 0, 0)
            child = c.pointee.next
        }
        return buffer.string
    }
}
