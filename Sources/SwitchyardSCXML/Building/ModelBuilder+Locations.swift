import SwitchyardCore

extension ModelBuilder {
    /// Where the value of `a` starts (the element, if the scanner could not place it).
    func valueLocation(_ a: XAttribute, in el: XElement) -> SourceLocation {
        a.valueOffset >= 0 ? source.location(of: a.valueOffset) : el.location
    }

    /// Where the name of `a` starts.
    func nameLocation(_ a: XAttribute, in el: XElement) -> SourceLocation {
        a.nameOffset >= 0 ? source.location(of: a.nameOffset) : el.location
    }

    /// Where the text content of `el` starts (just after its start tag).
    func textLocation(_ el: XElement) -> SourceLocation {
        el.textOffset >= 0 ? source.location(of: el.textOffset) : el.location
    }

    /// The value of `a` as an expression positioned at its first character, with corrections for
    /// entity and character references (and CR LF pairs) that take more source columns than the
    /// one scalar they decode to.
    func expression(_ a: XAttribute, in el: XElement) -> ExpressionSource {
        guard a.valueOffset >= 0 else { return ExpressionSource(a.value, at: el.location) }
        let shifts = referenceShifts(from: a.valueOffset, to: a.valueEnd, decodedCount: Int.max)
        return ExpressionSource(a.value, at: source.location(of: a.valueOffset), entityShifts: shifts)
    }

    /// The direct text of `el` as an expression (script bodies, inline data).
    func textExpression(_ el: XElement) -> ExpressionSource {
        guard el.textOffset >= 0 else { return ExpressionSource(el.text, at: el.location) }
        let shifts = referenceShifts(
            from: el.textOffset, to: source.bytes.count, decodedCount: el.text.unicodeScalars.count)
        return ExpressionSource(el.text, at: source.location(of: el.textOffset), entityShifts: shifts)
    }

    /// Walks raw bytes from `start` and records where the decoded text falls behind the source:
    /// `&...;` references, `\r\n` pairs, CDATA markers and comments. Stops at `end`, at a markup
    /// `<` (a child element or end tag) or when `decodedCount` scalars have been accounted for.
    func referenceShifts(from start: Int, to end: Int, decodedCount: Int) -> [ExpressionSource.EntityShift] {
        var shifts: [ExpressionSource.EntityShift] = []
        source.bytes.withUnsafeBufferPointer { b in
            let end = min(end, b.count)
            // Fast path: nothing to correct.
            var p = start
            var needs = false
            while p < end {
                let c = b[p]
                if c == UInt8(ascii: "&") || c == 0x0D || c == UInt8(ascii: "<") {
                    needs = true
                    break
                }
                p += 1
            }
            guard needs else { return }

            func starts(_ s: String, _ at: Int) -> Bool {
                var q = at
                for u in s.utf8 {
                    guard q < end, b[q] == u else { return false }
                    q += 1
                }
                return true
            }
            p = start
            var decoded = 0
            var inCDATA = false
            while p < end, decoded < decodedCount {
                let c = b[p]
                if inCDATA {
                    if c == UInt8(ascii: "]"), starts("]]>", p) {
                        shifts.append(.init(offset: decoded, shift: 3))
                        inCDATA = false
                        p += 3
                        continue
                    }
                } else if c == UInt8(ascii: "&") {
                    var q = p + 1
                    while q < end, b[q] != UInt8(ascii: ";"), q - p < 40 { q += 1 }
                    shifts.append(.init(offset: decoded + 1, shift: q - p))
                    decoded += 1
                    p = q + 1
                    continue
                } else if c == UInt8(ascii: "<") {
                    if starts("<![CDATA[", p) {
                        shifts.append(.init(offset: decoded, shift: 9))
                        inCDATA = true
                        p += 9
                        continue
                    } else if starts("<!--", p) {
                        var q = p + 4
                        while q < end, !starts("-->", q) { q += 1 }
                        shifts.append(.init(offset: decoded, shift: q + 3 - p))
                        p = q + 3
                        continue
                    } else {
                        break
                    }
                }
                if c == 0x0D, p + 1 < end, b[p + 1] == 0x0A {
                    shifts.append(.init(offset: decoded + 1, shift: 1))
                    decoded += 1
                    p += 2
                    continue
                }
                if c & 0xC0 != 0x80 { decoded += 1 }
                p += 1
            }
        }
        return shifts
    }
}
