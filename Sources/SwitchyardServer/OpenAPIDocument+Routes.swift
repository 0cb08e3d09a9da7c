/// The paths and methods `openapi.yaml` declares, read from the document itself so the answer to
/// an undeclared method cannot drift from the contract.
extension OpenAPIDocument {
    /// One declared path: its segments (`{name}` matches any one segment) and its methods.
    struct Route: Sendable {
        var segments: [Substring]
        var methods: [String]

        func matches(_ path: [Substring]) -> Bool {
            path.count == segments.count
                && zip(segments, path).allSatisfy { $0.0.hasPrefix("{") || $0.0 == $0.1 }
        }
    }

    /// Every path under `paths:` with the operations declared on it, in document order.
    static let routes: [Route] = {
        let operations: Set<Substring> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var routes: [Route] = []
        var inPaths = false
        for line in yaml.split(separator: "\n") {
            if !line.hasPrefix(" ") {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                let path = line.dropFirst(2).dropLast()
                routes.append(Route(segments: path.split(separator: "/"), methods: []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                operations.contains(line.dropFirst(4).dropLast()), !routes.isEmpty
            {
                routes[routes.count - 1].methods.append(line.dropFirst(4).dropLast().uppercased())
            }
        }
        return routes
    }()

    /// The methods the document declares on the route `path` (raw, as requested) matches; empty
    /// when no declared path matches.
    static func methods(at path: String) -> [String] {
        let segments = path.split(separator: "/")
        return routes.first { $0.matches(segments) }?.methods ?? []
    }
}
