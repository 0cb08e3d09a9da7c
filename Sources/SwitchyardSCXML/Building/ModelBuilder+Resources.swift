import Foundation
import SwitchyardCore

/// Why a `src` reference could not be read.
struct ResourceError: Error {
    var message: String
    /// The file exists but is over the size limit.
    var tooLarge = false
}

/// A file read for `<script src>` or `<data src>`.
struct Resource {
    var path: String
    var text: String
}

extension ModelBuilder {
    /// Reads a `src` reference at load time: a path (relative to the document's directory) or a
    /// `file:` URI, bounded by ``LoaderOptions/maxResourceBytes``. Other URI schemes are not
    /// fetched (no network access while loading).
    func readResource(_ src: String) -> Result<Resource, ResourceError> {
        var path = src
        if path.hasPrefix("file:") {
            path.removeFirst(5)
            if path.hasPrefix("//") {
                path.removeFirst(2)
                // file://host/path: only an empty host or localhost names this machine.
                if let slash = path.firstIndex(of: "/") {
                    let host = path[..<slash]
                    guard host.isEmpty || host == "localhost" else {
                        return .failure(ResourceError(message: "only local file: URIs can be read"))
                    }
                    path = String(path[slash...])
                }
            }
            path = path.removingPercentEncoding ?? path
        } else if let colon = path.firstIndex(of: ":"), path.distance(from: path.startIndex, to: colon) > 1,
            path[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        {
            return .failure(ResourceError(message: "only local files and file: URIs are read while loading"))
        }
        guard !path.isEmpty else { return .failure(ResourceError(message: "empty path")) }
        if !path.hasPrefix("/") {
            path = baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
        }
        switch BoundedFile.read(path: path, limit: options.maxResourceBytes) {
        case .success(let bytes):
            return .success(Resource(path: path, text: String(decoding: bytes, as: UTF8.self)))
        case .failure(let e):
            return .failure(ResourceError(message: e.message))
        }
    }
}

/// Reads a whole file, refusing files over a size limit without reading them whole.
enum BoundedFile {
    static func read(path: String, limit: Int) -> Result<[UInt8], ResourceError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ResourceError(message: "no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(ResourceError(message: "is a directory")) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ResourceError(message: "cannot open the file"))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            if data.count > limit {
                return .failure(
                    ResourceError(
                        message: "the file is larger than the limit of \(limit) bytes", tooLarge: true))
            }
            return .success([UInt8](data))
        } catch {
            return .failure(ResourceError(message: "cannot read the file"))
        }
    }
}
