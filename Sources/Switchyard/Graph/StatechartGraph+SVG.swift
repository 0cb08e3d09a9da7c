extension StatechartGraph {
    /// The drawing as a standalone SVG document, laid out by Graphviz's `dot` engine in process.
    ///
    /// The picture is the ``render(_:)`` DOT drawing. On top of what Graphviz writes, every
    /// state's element says which state it is, so a page can mark the active configuration by
    /// adding a class to the elements whose `data-state-id` is in it:
    /// - an atomic, final or history state is a node `<g>`, a compound or parallel state a
    ///   cluster `<g>`;
    /// - each of them has `id="state_N"` (N: the state's position in document order, from 1),
    ///   `data-state-id="ID"` (the state id, XML-escaped) and a `class` that starts with Graphviz's
    ///   `node` or `cluster` followed by `state` and one of `atomic`, `compound`, `parallel`,
    ///   `final`, `history`;
    /// - initial points and junction points are not states and carry no `data-state-id`.
    ///
    /// The document starts with the XML declaration and then `<svg>`; Graphviz's DOCTYPE and its
    /// generator comment (which names the Graphviz version) are left out, so it can be served
    /// as a file or put inline in HTML. The same document gives the same bytes every time, and
    /// label sizes come from Graphviz's built-in font metrics rather than the installed fonts
    /// (see the discussion of the renderer in the source), so the layout does not change when a
    /// font is installed. A different Graphviz version may lay the graph out differently.
    ///
    /// ```swift
    /// let svg = try StatechartGraph(machine).renderSVG()
    /// // <g id="state_3" class="node state atomic" data-state-id="draft">
    /// ```
    ///
    /// - Throws: ``GraphvizError`` when Graphviz fails (a missing plugin, no memory).
    public func renderSVG() throws(GraphvizError) -> String {
        let svg = try GraphvizRenderer.svg(fromDOT: markedDOT())
        guard let start = svg.range(of: "<svg") else {
            throw GraphvizError(stage: .render, message: "the output has no <svg> element")
        }
        let ids = statesBySerial()
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
        // Graphviz writes each state as `<g id="state_N" class="...">` on its own line; text
        // and comments are escaped (`<` is `&lt;`), so the marker cannot occur anywhere else.
        let marker = "<g id=\"state_"
        var rest = svg[start.lowerBound...]
        while let found = rest.range(of: marker) {
            out += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let serial = Int(digits), let id = ids[serial], let close = rest.firstIndex(of: ">") else {
                continue
            }
            out += rest[..<close]
            out += " data-state-id=\"" + Self.escapeXML(id) + "\""
            rest = rest[close...]
        }
        out += rest
        return out
    }

    /// Text for an XML attribute value or element: markup characters as entities, line breaks
    /// and tabs as character references, and other control characters (not allowed in XML 1.0)
    /// as U+FFFD.
    static func escapeXML(_ s: String) -> String {
        var r = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&apos;"
            case "\t": r += "&#9;"
            case "\n": r += "&#10;"
            case "\r": r += "&#13;"
            case _ where c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF: r += "\u{FFFD}"
            default: r.unicodeScalars.append(c)
            }
        }
        return r
    }

    /// What ``render(_:)`` returns for `.svg` when Graphviz fails: a one-line SVG document
    /// (class `graphviz-error`) that states the error.
    static func failureSVG(_ error: GraphvizError) -> String {
        let text = escapeXML(error.description)
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <svg xmlns="http://www.w3.org/2000/svg" class="graphviz-error" width="640" height="40" \
            viewBox="0 0 640 40"><text x="8" y="24" font-family="Helvetica,sans-Serif" \
            font-size="14">\(text)</text></svg>

            """
    }
}
