import CLibXML2
import Foundation
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

/// Parses bytes with libxml2's SAX2 interface and builds ``XElement``s directly from the
/// callbacks (no libxml2 tree is built, so there is nothing to copy or free afterwards).
enum XMLParser {
    /// The result of one parse: the root element, or libxml2's diagnostics.
    struct Output {
        var root: XElement?
        var diagnostics: [Diagnostic]
    }

    /// No network, no entity substitution, no DTD loading or validation, no huge-document mode.
    static let options: Int32 = Int32(bitPattern: XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)

    static func parse(_ source: SourceText, scan: StartTagScanner) -> Output {
        let start = SourceLocation(file: source.file, line: 1, column: 1)
        guard let context = XMLParserContext() else {
            return Output(
                root: nil, diagnostics: [Diagnostic(.error, "cannot create an XML parser", at: start)])
        }
        let collector = XMLErrorCollector()
        var builder = SAXTreeBuilder(source: source, scan: scan, context: context.pointer)
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = saxStartElement
        handler.endElementNs = saxEndElement
        handler.characters = saxCharacters
        handler.cdataBlock = saxCharacters
        context.pointer.pointee.sax.pointee = handler
        // The callbacks mutate the builder through this pointer, which is only valid (and only
        // stored in the context) for the duration of the read.
        withUnsafeMutablePointer(to: &builder) { builderPointer in
            context.pointer.pointee._private = UnsafeMutableRawPointer(builderPointer)
            defer { context.pointer.pointee._private = nil }
            withExtendedLifetime(collector) {
                xmlSetStructuredErrorFunc(
                    Unmanaged.passUnretained(collector).toOpaque(), collectStructuredError)
                defer { xmlSetStructuredErrorFunc(nil, nil) }
                let doc = source.bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        xmlCtxtReadMemory(
                            context.pointer, chars.baseAddress, Int32(chars.count), nil, nil, options)
                    }
                }
                // No startDocument handler, so libxml2 builds no document; free defensively.
                if let doc { xmlFreeDoc(doc) }
            }
        }
        let wellFormed = context.pointer.pointee.wellFormed != 0
        var diagnostics: [Diagnostic] = []
        for e in collector.entries {
            let location = SourceLocation(file: source.file, line: max(e.line, 1), column: max(e.column, 1))
            diagnostics.append(Diagnostic(e.isError ? .error : .warning, e.message, at: location))
        }
        guard wellFormed, !diagnostics.contains(where: { $0.severity == .error }) else {
            if !diagnostics.contains(where: { $0.severity == .error }) {
                diagnostics.append(Diagnostic(.error, "the document is not well-formed XML", at: start))
            }
            return Output(root: nil, diagnostics: diagnostics)
        }
        guard let root = builder.finish() else {
            diagnostics.append(Diagnostic(.error, "the document has no root element", at: start))
            return Output(root: nil, diagnostics: diagnostics)
        }
        return Output(root: root, diagnostics: diagnostics)
    }
}

private func builder(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<SAXTreeBuilder>? {
    guard let ctx else { return nil }
    let ctxt = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let priv = ctxt.pointee._private else { return nil }
    return priv.assumingMemoryBound(to: SAXTreeBuilder.self)
}

private func saxStartElement(
    _ ctx: UnsafeMutableRawPointer?, _ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?, _ nbNamespaces: Int32,
    _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
    _ nbAttributes: Int32, _ nbDefaulted: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    guard let b = builder(ctx), let localname else { return }
    b.pointee.startElement(localname, prefix, uri, Int(nbAttributes), attributes)
}

private func saxEndElement(
    _ ctx: UnsafeMutableRawPointer?, _ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?
) {
    builder(ctx)?.pointee.endElement()
}

private func saxCharacters(_ ctx: UnsafeMutableRawPointer?, _ ch: UnsafePointer<xmlChar>?, _ len: Int32) {
    guard let ch, len > 0 else { return }
    builder(ctx)?.pointee.characters(UnsafeBufferPointer(start: ch, count: Int(len)))
}

/// Builds ``XElement``s from SAX2 callbacks, attaching the scanner's offsets to elements and
/// attributes in document order (start tags arrive in the same order the scanner found them).
///
/// A struct reached through one pointer for the whole parse: elements are appended to `nodes` as
/// their start tags arrive, and ``finish()`` hands both arrays to an immutable ``XTree``.
private struct SAXTreeBuilder {
    let source: SourceText
    let tags: [StartTagScanner.Tag]
    let scannedAttributes: [StartTagScanner.Attribute]
    let context: xmlParserCtxtPtr
    var tagIndex = 0
    var matched = true
    var nodes: [XTree.Node] = []
    var attributes: [XAttribute] = []
    /// Open elements: the node index and the index of its last child so far (-1: none yet).
    var stack: [(node: Int, lastChild: Int)] = []
    var root = -1
    var scxmlNamespace: String? = SCXMLNamespace.scxml
    /// libxml2 interns names in its dictionary: one Swift string per distinct pointer. A
    /// document has few distinct names, so the first ones are found by a linear search over
    /// `recentKeys` (same indices as `recentStrings`).
    var recentKeys: [UnsafeRawPointer] = []
    var recentStrings: [String] = []
    var strings: [UnsafeRawPointer: String] = [:]

    init(source: SourceText, scan: StartTagScanner, context: xmlParserCtxtPtr) {
        self.source = source
        self.tags = scan.tags
        self.scannedAttributes = scan.attributes
        self.context = context
        stack.reserveCapacity(64)
        nodes.reserveCapacity(scan.tags.count)
        attributes.reserveCapacity(scan.attributes.count)
        recentKeys.reserveCapacity(32)
        recentStrings.reserveCapacity(32)
    }

    mutating func string(_ p: UnsafePointer<xmlChar>) -> String {
        let key = UnsafeRawPointer(p)
        if let i = recentKeys.firstIndex(of: key) { return recentStrings[i] }
        if let s = strings[key] { return s }
        let s = String(cString: p)
        if recentKeys.count < 32 {
            recentKeys.append(key)
            recentStrings.append(s)
        } else {
            strings[key] = s
        }
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

    mutating func startElement(
        _ localname: UnsafePointer<xmlChar>, _ prefix: UnsafePointer<xmlChar>?,
        _ uri: UnsafePointer<xmlChar>?,
        _ count: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        var tag: StartTagScanner.Tag?
        if matched, tagIndex < tags.count,
            spells(tags[tagIndex].start + 1, tags[tagIndex].nameEnd, prefix: prefix, name: localname)
        {
            tag = tags[tagIndex]
        } else {
            matched = false
        }
        tagIndex += 1
        let location =
            tag.map { source.location(of: $0.start) }
            ?? SourceLocation(
                file: source.file, line: Int(context.pointee.input?.pointee.line ?? 1), column: 1)
        let namespace = uri.map { string($0) }
        // The root decides where SCXML elements live: its namespace, or none at all.
        if root < 0, stack.isEmpty { scxmlNamespace = namespace == nil ? nil : SCXMLNamespace.scxml }
        var element = XTree.Node(
            namespace: namespace, prefix: prefix.map { string($0) }, name: string(localname),
            firstAttribute: self.attributes.count, location: location, scxmlNamespace: scxmlNamespace)
        if let tag { element.textOffset = tag.end }
        if let attributes, count > 0 {
            for i in 0..<count {
                let base = attributes + 5 * i
                guard let name = base[0] else { continue }
                var value = ""
                if let v = base[3], let e = base[4], e >= v {
                    let raw = UnsafeBufferPointer(start: v, count: e - v)
                    value = String(decoding: raw, as: UTF8.self)
                    // Without entity substitution libxml2 hands SAX2 `&amp;`/`&#38;` as the five
                    // characters `&#38;` (its tree builder decodes them later); decode them here.
                    if raw.contains(UInt8(ascii: "&")) {
                        value = value.replacingOccurrences(of: "&#38;", with: "&")
                    }
                }
                var a = XAttribute(
                    namespace: base[2].map { string($0) }, prefix: base[1].map { string($0) },
                    name: string(name), value: value)
                if let tag, i < tag.attributeCount {
                    let s = scannedAttributes[tag.firstAttribute + i]
                    if spells(s.nameStart, s.nameEnd, prefix: base[1], name: name) {
                        a.nameOffset = s.nameStart
                        a.valueOffset = s.valueStart
                        a.valueEnd = s.valueEnd
                    }
                }
                self.attributes.append(a)
                element.attributeCount += 1
            }
        }
        let index = nodes.count
        nodes.append(element)
        if !stack.isEmpty {
            let parent = stack[stack.count - 1]
            if parent.lastChild >= 0 {
                nodes[parent.lastChild].nextSibling = index
            } else {
                nodes[parent.node].firstChild = index
            }
            nodes[parent.node].childCount += 1
            stack[stack.count - 1].lastChild = index
        } else if root < 0 {
            root = index
        }
        stack.append((index, -1))
    }

    mutating func endElement() {
        guard let (i, _) = stack.popLast() else { return }
        if nodes[i].childCount > 0, nodes[i].textOffset >= 0, nodes[i].namespace == scxmlNamespace,
            nodes[i].name == "content" || nodes[i].name == "data" || nodes[i].name == "assign"
        {
            nodes[i].markup = markup(after: nodes[i].textOffset)
        }
    }

    /// The finished tree's root element, or nil when the document had none.
    func finish() -> XElement? {
        guard root >= 0 else { return nil }
        return XElement(tree: XTree(nodes: nodes, attributes: attributes), index: root)
    }

    /// The inline markup exactly as written: the bytes between the start tag (ending at
    /// `textOffset`) and the end tag (libxml2 has just consumed the end tag's `>`).
    func markup(after textOffset: Int) -> String? {
        let consumed = Int(xmlByteConsumed(context))
        guard consumed > textOffset, consumed <= source.bytes.count else { return nil }
        let bytes = source.bytes
        var p = consumed - 1
        while p > textOffset,
            !(bytes[p] == UInt8(ascii: "<") && p + 1 < bytes.count && bytes[p + 1] == UInt8(ascii: "/"))
        {
            p -= 1
        }
        return String(decoding: bytes[textOffset..<p], as: UTF8.self)
    }

    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) {
        guard let (i, _) = stack.last else { return }
        // Whitespace between the children of structural SCXML elements is never used; skip
        // building strings for it (most of a document's text nodes).
        if nodes[i].keepsWhitespace
            || text.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        {
            nodes[i].text += String(decoding: text, as: UTF8.self)
        }
    }
}
