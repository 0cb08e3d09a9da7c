/// An XML element outside the SCXML namespace, kept as written.
///
/// Elements in Switchyard's own namespace (``SCXMLNamespace/switchyard``) are extensions the
/// runtime understands; elements in any other foreign namespace are preserved and ignored.
public struct ForeignElement: Hashable, Sendable, Codable {
    /// The namespace URI (nil when unqualified).
    public var namespace: String?
    /// The local name.
    public var name: String
    /// Attributes in document order.
    public var attributes: [ForeignAttribute]
    /// Child elements in document order.
    public var children: [ForeignElement]
    /// Concatenated text content directly inside this element (whitespace kept).
    public var text: String
    /// Where the element starts.
    public var location: SourceLocation

    public init(
        namespace: String?, name: String, attributes: [ForeignAttribute] = [],
        children: [ForeignElement] = [],
        text: String = "", location: SourceLocation = .synthesized
    ) {
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.location = location
    }

    /// The value of the attribute with this local name and namespace (nil namespace: unqualified).
    public func attribute(_ name: String, namespace: String? = nil) -> ForeignAttribute? {
        attributes.first { $0.name == name && $0.namespace == namespace }
    }
}

/// An attribute kept as written: on a foreign element, or a foreign-namespace attribute on an
/// SCXML element (for example `sy:timeout="24h"` on a `<state>`).
public struct ForeignAttribute: Hashable, Sendable, Codable {
    /// The namespace URI (nil when unqualified).
    public var namespace: String?
    /// The local name.
    public var name: String
    /// The value after XML decoding.
    public var value: String
    /// The location of the first character of the value.
    public var location: SourceLocation
    /// Column corrections for entity references in the value (`&amp;&amp;` is two scalars but
    /// ten source columns); see ``ExpressionSource/entityShifts``.
    public var entityShifts: [ExpressionSource.EntityShift]

    public init(
        namespace: String?, name: String, value: String, location: SourceLocation = .synthesized,
        entityShifts: [ExpressionSource.EntityShift] = []
    ) {
        self.namespace = namespace
        self.name = name
        self.value = value
        self.location = location
        self.entityShifts = entityShifts
    }

    /// The value as an expression source positioned at the value, so an error inside it maps to
    /// its exact column (``ExpressionSource/location(ofLine:column:)``).
    public var expression: ExpressionSource {
        ExpressionSource(value, at: location, entityShifts: entityShifts)
    }
}

/// The XML namespaces the loader knows.
public enum SCXMLNamespace {
    /// The W3C SCXML namespace.
    public static let scxml = "http://www.w3.org/2005/07/scxml"
    /// Switchyard's extension namespace (conventional prefix `sy`).
    public static let switchyard = "urn:switchyard:scxml:1"
}
