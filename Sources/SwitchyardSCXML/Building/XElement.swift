import SwitchyardCore

/// An element of the parsed XML tree, copied out of libxml2 into Swift values so that no libxml2
/// pointer outlives the parse. Byte offsets point into the raw document (see ``SourceText``); -1
/// means unknown (the scanner and libxml2 disagreed), and locations then fall back to the element.
final class XElement {
    let namespace: String?
    let prefix: String?
    let name: String
    var attributes: [XAttribute] = []
    /// Element children in document order.
    var children: [XElement] = []
    /// Direct text and CDATA content, concatenated.
    var text = ""
    /// Where `<` of the start tag stands.
    var location: SourceLocation
    /// Byte offset just after the start tag's `>`, or -1.
    var textOffset = -1
    /// The element's child nodes serialized back to XML (only kept for SCXML `<content>`,
    /// `<data>` and `<assign>` elements that have element children).
    var markup: String?

    /// Whether whitespace-only text matters (foreign elements and SCXML elements with text
    /// bodies); other elements only need to know whether they hold significant text.
    let keepsWhitespace: Bool
    /// Whether the element is in the document's SCXML namespace.
    let isSCXML: Bool

    /// `scxmlNamespace` is the namespace SCXML elements are in for this document (nil when the
    /// root has none).
    init(namespace: String?, prefix: String?, name: String, location: SourceLocation, scxmlNamespace: String?)
    {
        self.namespace = namespace
        self.prefix = prefix
        self.name = name
        self.location = location
        let scxml = namespace == scxmlNamespace
        isSCXML = scxml
        keepsWhitespace =
            !scxml || name == "content" || name == "data" || name == "script" || name == "assign"
    }

    /// `prefix:name` as written.
    var qualifiedName: String {
        if let prefix { return "\(prefix):\(name)" }
        return name
    }

    /// The unqualified attribute with this name.
    func attribute(_ name: String) -> XAttribute? {
        for a in attributes where a.namespace == nil && a.name == name { return a }
        return nil
    }

    /// True when the direct text content holds something other than XML whitespace.
    var hasSignificantText: Bool {
        text.utf8.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }
}

/// An attribute as written, with byte offsets into the raw document.
struct XAttribute {
    var namespace: String?
    var prefix: String?
    var name: String
    var value: String
    var nameOffset = -1
    var valueOffset = -1
    var valueEnd = -1

    var qualifiedName: String {
        if let prefix { return "\(prefix):\(name)" }
        return name
    }
}
