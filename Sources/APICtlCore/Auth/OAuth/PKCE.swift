import FoundationEssentials

/// RFC 7636 proof key: the verifier stays in this process, only its S256
/// challenge travels in the browser's URL.
public struct PKCE: Sendable {
    public let verifier: String
    public let challenge: String

    public init(verifier: String = RandomText.urlSafe(byteCount: 32)) {
        self.verifier = verifier
        challenge = Base64URL.encode(SHA256.hash(Array(verifier.utf8)))
    }
}

public enum RandomText {
    /// Unguessable text for a `state` or a PKCE verifier (43 characters for 32 bytes).
    public static func urlSafe(byteCount: Int) -> String {
        Base64URL.encode(bytes(byteCount))
    }

    /// Unguessable bytes from the system's generator (getrandom): salts, nonces, verifiers.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A short lowercase suffix for names (rotated keys).
    public static func suffix(length: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in letters[Int.random(in: 0..<letters.count)] })
    }
}

public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text.replacingAll("+", with: "-").replacingAll("/", with: "_")
    }
}

/// `a=1&b=two+words`, as in a redirect's query or a form body.
public enum FormQuery {
    public static func parse(_ query: String) -> [String: String] {
        Dictionary(pairs(query)) { $1 }
    }

    /// Every name and value, in order, repeats kept (a request's query as the API sees it).
    public static func pairs(_ query: String) -> [(String, String)] {
        query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in PercentEncoding.decode(String(text).replacingAll("+", with: " ")) }
            guard let name = parts.first.flatMap(decode) else { return nil }
            return (name, parts.count > 1 ? decode(parts[1]) ?? "" : "")
        }
    }
}
