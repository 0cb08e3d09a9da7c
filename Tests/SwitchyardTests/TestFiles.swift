#if canImport(Glibc)
    import Glibc
#endif

struct TestFileError: Error, CustomStringConvertible {
    var description: String
}

/// Reads a whole text file.
func readText(_ path: String) throws -> String {
    guard let f = fopen(path, "rb") else { throw TestFileError(description: "cannot open \(path)") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes a whole text file.
func writeText(_ path: String, _ text: String) throws {
    guard let f = fopen(path, "wb") else { throw TestFileError(description: "cannot write \(path)") }
    defer { fclose(f) }
    let bytes = Array(text.utf8)
    _ = fwrite(bytes, 1, bytes.count, f)
}

/// Whether golden files should be rewritten instead of compared.
func regenerating() -> Bool {
    getenv("SWITCHYARD_REGENERATE") != nil
}
