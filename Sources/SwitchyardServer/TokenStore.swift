import Foundation
import SwitchyardExpressions

/// The bearer tokens a server accepts, each with a name (for logs: the token itself is never
/// logged) and a scope.
///
/// The tokens file is JSON:
///
/// ```json
/// { "tokens": [
///     { "name": "ops", "scope": "admin", "token": "sy_3f9c..." },
///     { "name": "web-form", "scope": "write", "token": "sy_81aa..." },
///     { "name": "dashboard", "scope": "read", "token": "sy_0c42..." } ] }
/// ```
///
/// Tokens are compared in constant time (the comparison reads every byte whatever matches), so
/// response timing does not reveal how much of a guess was right.
public struct TokenStore: Sendable {
    /// One accepted token.
    public struct Token: Sendable, Hashable {
        /// A label for logs and `/metrics`, never the secret.
        public var name: String
        /// What the token may do (`admin` includes `write` includes `read`).
        public var scope: Scope
        /// The secret the client sends as `Authorization: Bearer <secret>`.
        public var secret: String

        public init(name: String, scope: Scope, secret: String) {
            self.name = name
            self.scope = scope
            self.secret = secret
        }
    }

    /// The accepted tokens.
    public var tokens: [Token]

    public init(_ tokens: [Token]) { self.tokens = tokens }

    /// The token whose secret is `presented`, compared in constant time against every token.
    public func authenticate(_ presented: some StringProtocol) -> Token? {
        let bytes = Array(presented.utf8)
        var found: Token?
        for token in tokens where Self.constantTimeEquals(Array(token.secret.utf8), bytes) {
            found = token
        }
        return found
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    /// A new random secret: `sy_` and 32 random bytes in hex.
    public static func generateSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        var text = "sy_"
        for _ in 0..<32 {
            let byte = UInt8.random(in: 0...255, using: &rng)
            text += String(byte, radix: 16).leftPadded(to: 2)
        }
        return text
    }

    // MARK: The tokens file

    /// Reads a tokens file.
    /// - Throws: ``ServerError/invalidTokensFile(_:_:)`` naming the file and what is wrong.
    public static func load(path: String) throws(ServerError) -> TokenStore {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .invalidTokensFile(path, "cannot be read: \(error.localizedDescription)")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalidTokensFile(path, "is not valid JSON")
        }
        guard let object = root as? [String: Any], let list = object["tokens"] as? [Any] else {
            throw .invalidTokensFile(path, "must be an object with a \"tokens\" array")
        }
        var tokens: [Token] = []
        for (i, entry) in list.enumerated() {
            guard let e = entry as? [String: Any] else {
                throw .invalidTokensFile(path, "tokens[\(i)] is not an object")
            }
            guard let secret = e["token"] as? String, secret.count >= 16 else {
                throw .invalidTokensFile(
                    path, "tokens[\(i)].token must be a string of at least 16 characters")
            }
            guard let scopeText = e["scope"] as? String, let scope = Scope(rawValue: scopeText) else {
                throw .invalidTokensFile(path, "tokens[\(i)].scope must be \"read\", \"write\" or \"admin\"")
            }
            let name = e["name"] as? String ?? "token\(i + 1)"
            tokens.append(Token(name: name, scope: scope, secret: secret))
        }
        if tokens.isEmpty { throw .invalidTokensFile(path, "lists no tokens") }
        return TokenStore(tokens)
    }

    /// Writes the tokens file (readable by its owner only).
    public func write(path: String) throws(ServerError) {
        let entries = tokens.map { t in
            "    { \"name\": \(jsonQuoted(t.name)), \"scope\": \"\(t.scope.rawValue)\", \"token\": \(jsonQuoted(t.secret)) }"
        }
        let text = "{ \"tokens\": [\n" + entries.joined(separator: ",\n") + "\n] }\n"
        let created = FileManager.default.createFile(
            atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        if !created { throw .invalidTokensFile(path, "cannot be written") }
    }
}

/// A JSON string literal (the expression language's JSON writer).
private func jsonQuoted(_ s: String) -> String { Value.string(s).jsonString() ?? "\"\"" }

extension String {
    fileprivate func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
