import Switchyard

#if canImport(Glibc)
    import Glibc
#endif

/// Fills in the source line of diagnostics that were produced without it (the machine compiler
/// positions expression errors but does not keep the document text), for the caret snippet.
enum SourceLines {
    static func attach(_ diagnostics: [Diagnostic], file: String) -> [Diagnostic] {
        guard diagnostics.contains(where: { $0.sourceLine == nil }), let lines = read(file) else {
            return diagnostics
        }
        return diagnostics.map { d in
            var d = d
            if d.sourceLine == nil, d.location.file == file, d.location.line >= 1,
                d.location.line <= lines.count
            {
                d.sourceLine = lines[d.location.line - 1]
            }
            return d
        }
    }

    static func read(_ path: String) -> [String]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
    }
}
