import SwitchyardCore

/// The raw bytes of a document with a line table: maps byte offsets to 1-based line and column
/// (columns in Unicode scalars) and returns the text of a line for caret snippets.
final class SourceText {
    let file: String
    let bytes: [UInt8]
    /// Byte offset of the first byte of each line; `lineStarts[0] == 0`.
    let lineStarts: [Int]
    /// The line of the last lookup: locations are mostly asked for in document order.
    private var hint = 0

    init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 32 + 1)
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<b.count where b[i] == 0x0A { starts.append(i + 1) }
        }
        lineStarts = starts
    }

    /// The 0-based index of the line holding `offset`.
    func lineIndex(of offset: Int) -> Int {
        let h = hint
        if lineStarts[h] <= offset {
            if h + 1 == lineStarts.count || offset < lineStarts[h + 1] { return h }
            if h + 2 == lineStarts.count || offset < lineStarts[h + 2] {
                hint = h + 1
                return h + 1
            }
        }
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        hint = lo
        return lo
    }

    /// The location of the byte at `offset`.
    func location(of offset: Int) -> SourceLocation {
        let li = lineIndex(of: offset)
        let start = lineStarts[li]
        var column = 1
        let end = min(offset, bytes.count)
        bytes.withUnsafeBufferPointer { b in
            var i = start
            while i < end {
                if b[i] & 0xC0 != 0x80 { column += 1 }
                i += 1
            }
        }
        return SourceLocation(file: file, line: li + 1, column: column)
    }

    /// The text of 1-based line `line` without its line terminator, or nil when out of range.
    func line(_ line: Int) -> String? {
        guard line >= 1, line <= lineStarts.count else { return nil }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, end <= bytes.count, end - 1 >= start, bytes[end - 1] == 0x0D { end -= 1 }
        guard start <= end else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
