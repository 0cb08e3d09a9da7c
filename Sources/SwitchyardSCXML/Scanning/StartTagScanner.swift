/// A small scanner over the raw document bytes that finds every start tag and the byte offsets of
/// its attribute names and values.
///
/// libxml2 records only the line of an element, never the column, and nothing for attributes.
/// Start tags appear in the text in document order, so the scanner's tags match libxml2's
/// elements 1:1 in a pre-order walk; the converter checks names as it matches and falls back to
/// libxml2's line (column 1) if the two ever disagree.
///
/// The scanner also enforces two limits before libxml2 sees the bytes: entity declarations in a
/// DOCTYPE are refused (so an entity-expansion bomb never reaches the parser) and nesting deeper
/// than the configured limit is refused.
struct StartTagScanner {
    /// One attribute of a start tag (namespace declarations are skipped).
    struct Attribute {
        var nameStart: Int
        var nameEnd: Int
        /// Offset of the first byte of the value (after the quote).
        var valueStart: Int
        /// Offset of the closing quote.
        var valueEnd: Int
    }

    /// One start tag.
    struct Tag {
        /// Offset of `<`.
        var start: Int
        var nameEnd: Int
        /// Offset just after the closing `>`.
        var end: Int
        /// This tag's attributes: `attributes[firstAttribute ..< firstAttribute + attributeCount]`
        /// of the scanner (one shared array, not one allocation per tag).
        var firstAttribute: Int
        var attributeCount: Int
    }

    /// Why scanning stopped early.
    enum Problem: Equatable {
        /// `<!ENTITY` inside a DOCTYPE; the offset is that of `<!ENTITY`.
        case entityDeclaration(offset: Int, name: String)
        /// A start tag deeper than the limit.
        case tooDeep(offset: Int, limit: Int)
    }

    var tags: [Tag] = []
    /// The attributes of all tags, in order.
    var attributes: [Attribute] = []
    var problem: Problem?

    /// Scans `bytes`. Malformed input is tolerated (libxml2 reports it); the scanner just stops.
    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        tags.reserveCapacity(bytes.count / 64)
        let n = bytes.count
        var i = 0
        var depth = 0

        @inline(__always) func starts(_ s: StaticString, at p: Int) -> Bool {
            let len = s.utf8CodeUnitCount
            guard p + len <= n else { return false }
            let u = s.utf8Start
            for k in 0..<len where bytes[p + k] != u[k] { return false }
            return true
        }
        /// Offset just after the first occurrence of `s` at or after `p`, or `n`.
        func skip(past s: StaticString, from p: Int) -> Int {
            var q = p
            let first = s.utf8Start[0]
            while q < n {
                if bytes[q] == first && starts(s, at: q) { return q + s.utf8CodeUnitCount }
                q += 1
            }
            return n
        }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool {
            b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
        }

        while i < n {
            guard bytes[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            if starts("<!--", at: i) {
                i = skip(past: "-->", from: i + 4)
            } else if starts("<![CDATA[", at: i) {
                i = skip(past: "]]>", from: i + 9)
            } else if starts("<!DOCTYPE", at: i) {
                i = scanDoctype(bytes, from: i + 9)
                if problem != nil { return }
            } else if starts("<?", at: i) {
                i = skip(past: "?>", from: i + 2)
            } else if starts("</", at: i) {
                depth -= 1
                i = skip(past: ">", from: i + 2)
            } else if starts("<!", at: i) {
                i = skip(past: ">", from: i + 2)
            } else {
                // A start tag.
                var tag = Tag(
                    start: i, nameEnd: i + 1, end: n, firstAttribute: attributes.count, attributeCount: 0)
                var p = i + 1
                while p < n, !isSpace(bytes[p]), bytes[p] != UInt8(ascii: ">"), bytes[p] != UInt8(ascii: "/")
                {
                    p += 1
                }
                tag.nameEnd = p
                var selfClosing = false
                scanning: while p < n {
                    let b = bytes[p]
                    if isSpace(b) {
                        p += 1
                    } else if b == UInt8(ascii: ">") {
                        p += 1
                        break scanning
                    } else if b == UInt8(ascii: "/") {
                        if p + 1 < n, bytes[p + 1] == UInt8(ascii: ">") {
                            selfClosing = true
                            p += 2
                            break scanning
                        }
                        p += 1
                    } else if b == UInt8(ascii: "<") {
                        break scanning  // malformed; let libxml2 report it
                    } else {
                        let nameStart = p
                        while p < n, !isSpace(bytes[p]), bytes[p] != UInt8(ascii: "="),
                            bytes[p] != UInt8(ascii: ">"),
                            bytes[p] != UInt8(ascii: "/")
                        {
                            p += 1
                        }
                        let nameEnd = p
                        while p < n, isSpace(bytes[p]) { p += 1 }
                        guard p < n, bytes[p] == UInt8(ascii: "=") else { continue }
                        p += 1
                        while p < n, isSpace(bytes[p]) { p += 1 }
                        guard p < n, bytes[p] == UInt8(ascii: "\"") || bytes[p] == UInt8(ascii: "'") else {
                            continue
                        }
                        let quote = bytes[p]
                        p += 1
                        let valueStart = p
                        while p < n, bytes[p] != quote { p += 1 }
                        let valueEnd = p
                        if p < n { p += 1 }
                        if !Self.isNamespaceDeclaration(bytes, nameStart, nameEnd) {
                            tag.attributeCount += 1
                            attributes.append(
                                Attribute(
                                    nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart,
                                    valueEnd: valueEnd))
                        }
                    }
                }
                tag.end = p
                tags.append(tag)
                // An empty-element tag is nested as deep as an open one; it just closes at once.
                if depth + 1 > maxDepth {
                    problem = .tooDeep(offset: i, limit: maxDepth)
                    return
                }
                if !selfClosing { depth += 1 }
                i = p
            }
        }
    }

    private static func isNamespaceDeclaration(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int)
        -> Bool
    {
        let len = end - start
        guard len >= 5 else { return false }
        guard bytes[start] == UInt8(ascii: "x"), bytes[start + 1] == UInt8(ascii: "m"),
            bytes[start + 2] == UInt8(ascii: "l"), bytes[start + 3] == UInt8(ascii: "n"),
            bytes[start + 4] == UInt8(ascii: "s")
        else { return false }
        return len == 5 || bytes[start + 5] == UInt8(ascii: ":")
    }

    /// Skips a DOCTYPE declaration starting after `<!DOCTYPE`, including an internal subset, and
    /// records a problem when the subset declares an entity.
    private mutating func scanDoctype(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = bytes.count
        var p = start
        var inSubset = false
        while p < n {
            let b = bytes[p]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                p += 1
                while p < n, bytes[p] != b { p += 1 }
                p += 1
            } else if b == UInt8(ascii: "[") {
                inSubset = true
                p += 1
            } else if b == UInt8(ascii: "]") {
                inSubset = false
                p += 1
            } else if b == UInt8(ascii: ">") && !inSubset {
                return p + 1
            } else if inSubset && b == UInt8(ascii: "<") && p + 3 < n && bytes[p + 1] == UInt8(ascii: "!")
                && bytes[p + 2] == UInt8(ascii: "-") && bytes[p + 3] == UInt8(ascii: "-")
            {
                p += 4
                while p + 2 < n,
                    !(bytes[p] == UInt8(ascii: "-") && bytes[p + 1] == UInt8(ascii: "-")
                        && bytes[p + 2] == UInt8(ascii: ">"))
                {
                    p += 1
                }
                p += 3
            } else if inSubset && b == UInt8(ascii: "<") && Self.matches(bytes, p, "<!ENTITY") {
                var q = p + 8
                while q < n,
                    bytes[q] == 0x20 || bytes[q] == 0x09 || bytes[q] == 0x0A || bytes[q] == 0x0D
                        || bytes[q] == UInt8(ascii: "%")
                {
                    q += 1
                }
                let nameStart = q
                while q < n, bytes[q] != 0x20, bytes[q] != 0x09, bytes[q] != 0x0A, bytes[q] != 0x0D,
                    q - nameStart < 64
                {
                    q += 1
                }
                let name = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<q]), as: UTF8.self)
                problem = .entityDeclaration(offset: p, name: name)
                return n
            } else {
                p += 1
            }
        }
        return n
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ p: Int, _ s: StaticString) -> Bool {
        let len = s.utf8CodeUnitCount
        guard p + len <= bytes.count else { return false }
        for k in 0..<len where bytes[p + k] != s.utf8Start[k] { return false }
        return true
    }
}
