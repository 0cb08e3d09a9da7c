import SwitchyardCore

/// The parsed XML tree, copied out of libxml2 into Swift values so that no libxml2 pointer
/// outlives the parse: every element in document order (pre-order) in one array, and every
/// attribute in another, each element naming its attributes by range and its children by index.
/// Both arrays are `let`, so reading the tree needs no dynamic exclusivity checks, and freeing it
/// frees two buffers rather than one object and two arrays per element.
final class XTree {
    /// One element. Byte offsets point into the raw document (see ``SourceText``); -1 means
    /// unknown (the scanner and libxml2 disagreed), and locations then fall back to the element.
    struct Node {
        var namespace: String?
        var prefix: String?
        var name: String
        /// This element's attributes: `attributes[firstAttribute ..< firstAttribute + attributeCount]`.
        var firstAttribute: Int
        var attributeCount = 0
        /// Index of the first element child, or -1.
        var firstChild = -1
        /// Index of the next element child of the same parent, or -1.
        var nextSibling = -1
        var childCount = 0
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
        var keepsWhitespace: Bool
        /// Whether the element is in the document's SCXML namespace.
        var isSCXML: Bool

        /// `scxmlNamespace` is the namespace SCXML elements are in for this document (nil when
        /// the root has none).
        init(
            namespace: String?, prefix: String?, name: String, firstAttribute: Int, location: SourceLocation,
            scxmlNamespace: String?
        ) {
            self.namespace = namespace
            self.prefix = prefix
            self.name = name
            self.firstAttribute = firstAttribute
            self.location = location
            let scxml = namespace == scxmlNamespace
            isSCXML = scxml
            keepsWhitespace =
                !scxml || name == "content" || name == "data" || name == "script" || name == "assign"
        }
    }

    let nodes: [Node]
    let attributes: [XAttribute]

    init(nodes: [Node], attributes: [XAttribute]) {
        self.nodes = nodes
        self.attributes = attributes
    }
}

/// An element of an ``XTree``: the tree and the element's index.
struct XElement {
    let tree: XTree
    let index: Int

    var namespace: String? { tree.nodes[index].namespace }
    var prefix: String? { tree.nodes[index].prefix }
    var name: String { tree.nodes[index].name }
    /// Direct text and CDATA content, concatenated.
    var text: String { tree.nodes[index].text }
    /// Where `<` of the start tag stands.
    var location: SourceLocation { tree.nodes[index].location }
    /// Byte offset just after the start tag's `>`, or -1.
    var textOffset: Int { tree.nodes[index].textOffset }
    /// See ``XTree/Node/markup``.
    var markup: String? { tree.nodes[index].markup }
    /// See ``XTree/Node/keepsWhitespace``.
    var keepsWhitespace: Bool { tree.nodes[index].keepsWhitespace }
    /// Whether the element is in the document's SCXML namespace.
    var isSCXML: Bool { tree.nodes[index].isSCXML }

    /// The attributes as written, in order.
    var attributes: ArraySlice<XAttribute> {
        let first = tree.nodes[index].firstAttribute
        return tree.attributes[first..<first + tree.nodes[index].attributeCount]
    }

    /// Element children in document order.
    var children: Children {
        Children(tree: tree, head: tree.nodes[index].firstChild, count: tree.nodes[index].childCount)
    }

    /// The element children of one element, following the sibling links.
    struct Children: Sequence {
        let tree: XTree
        /// Index of the first child, or -1.
        let head: Int
        let count: Int

        var isEmpty: Bool { count == 0 }
        var underestimatedCount: Int { count }
        var first: XElement? { head >= 0 ? XElement(tree: tree, index: head) : nil }

        func makeIterator() -> Iterator { Iterator(tree: tree, position: head) }

        struct Iterator: IteratorProtocol {
            let tree: XTree
            /// The next child's index, or -1.
            var position: Int

            mutating func next() -> XElement? {
                guard position >= 0 else { return nil }
                let element = XElement(tree: tree, index: position)
                position = tree.nodes[position].nextSibling
                return element
            }
        }
    }

    /// `prefix:name` as written.
    var qualifiedName: String {
        if let prefix { return "\(prefix):\(name)" }
        return name
    }

    /// The unqualified attribute with this name.
    func attribute(_ name: String) -> XAttribute? {
        let first = tree.nodes[index].firstAttribute
        let attributes = tree.attributes
        for i in first..<first + tree.nodes[index].attributeCount
        where attributes[i].namespace == nil && attributes[i].name == name {
            return attributes[i]
        }
        return nil
    }

    /// True when the direct text content holds something other than XML whitespace.
    var hasSignificantText: Bool {
        tree.nodes[index].text.utf8.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
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
