import SwitchyardCore

/// An element of the parsed XML tree, copied out of libxml2 into Swift values so that no libxml2
/// pointer outlives the parse. Byte offsets point into the raw document (see ``SourceText``); -1
/// means unknown (the scanner and libxml2 disagreed), and locations then fall back to the element.
///
/// Every property is a `let`: the SAX builder collects an element in a ``Fields`` value and
/// creates the element when its end tag arrives, so reading the tree needs no dynamic
/// exclusivity checks.
final class XElement {
    /// The parts of an element collected while its content is parsed.
    struct Fields {
        var namespace: String?
        var prefix: String?
        var name: String
        var attributes: [XAttribute] = []
        var children: [XElement] = []
        var text = ""
        var location: SourceLocation
        var textOffset = -1
        var markup: String?
        var keepsWhitespace: Bool
        var isSCXML: Bool

        /// `scxmlNamespace` is the namespace SCXML elements are in for this document (nil when
        /// the root has none).
        init(
            namespace: String?, prefix: String?, name: String, location: SourceLocation,
            scxmlNamespace: String?
        ) {
            self.namespace = namespace
            self.prefix = prefix
            self.name = name
            self.location = location
            let scxml = namespace == scxmlNamespace
            isSCXML = scxml
            keepsWhitespace =
                !scxml || name == "content" || name == "data" || name == "script" || name == "assign"
        }
    }

    let namespace: String?
    let prefix: String?
    let name: String
    let attributes: [XAttribute]
    /// Element children in document order.
    let children: [XElement]
    /// Direct text and CDATA content, concatenated.
    let text: String
    /// Where `<` of the start tag stands.
    let location: SourceLocation
    /// Byte offset just after the start tag's `>`, or -1.
    let textOffset: Int
    /// The element's child nodes serialized back to XML (only kept for SCXML `<content>`,
    /// `<data>` and `<assign>` elements that have element children).
    let markup: String?

    /// Whether whitespace-only text matters (foreign elements and SCXML elements with text
    /// bodies); other elements only need to know whether they hold significant text.
    let keepsWhitespace: Bool
    /// Whether the element is in the document's SCXML namespace.
    let isSCXML: Bool

    init(_ fields: consuming Fields) {
        namespace = fields.namespace
        prefix = fields.prefix
        name = fields.name
        attributes = fields.attributes
        children = fields.children
        text = fields.text
        location = fields.location
        textOffset = fields.textOffset
        markup = fields.markup
        keepsWhitespace = fields.keepsWhitespace
        isSCXML = fields.isSCXML
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
