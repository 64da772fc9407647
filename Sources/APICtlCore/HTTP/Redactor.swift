import FoundationEssentials

/// Hides secrets in anything apictl shows about a request: header values that
/// carry credentials and any occurrence of the token itself.
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"
    private var secrets: [String]
    private var secretHeaders: Set<String>
    private var secretQueryKeys: Set<String>

    public init(secrets: [String] = [], auth: AuthScheme? = nil) {
        var secrets = secrets
        // A Basic credential is "user:password"; a server that quotes the password alone must not show it either.
        if case .basic? = auth {
            secrets += secrets.compactMap { pair in pair.firstIndex(of: ":").map { String(pair[pair.index(after: $0)...]) } }
        }
        self.secrets = secrets.filter { $0.count >= 4 }
        // Set-Cookie comes back from servers.
        var headers = Set((HTTPHeaders.credentialNames + ["Set-Cookie"]).map { $0.lowercased() })
        var query: Set<String> = ["access_token", "api_key", "apikey", "token"]
        if let name = auth?.headerName { headers.insert(name.lowercased()) }
        if case .query(let name)? = auth { query.insert(name.lowercased()) }
        self.secretHeaders = headers
        self.secretQueryKeys = query
    }

    public func header(_ name: String, _ value: String) -> String {
        let lower = name.lowercased()
        if secretHeaders.contains(lower) {
            // Keep the scheme word: "Bearer [REDACTED]" tells the reader what was sent.
            if lower.hasSuffix("authorization"), let space = value.firstIndex(of: " ") {
                return String(value[..<space]) + " " + Self.mask
            }
            return Self.mask
        }
        return text(value)
    }

    public func url(_ url: String) -> String {
        let url = Self.withoutPassword(url)
        guard let q = url.firstIndex(of: "?") else { return text(url) }
        let query = url[url.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return secretQueryKeys.contains(key.lowercased()) ? "\(key)=\(Self.mask)" : String(pair)
        }
        return text(String(url[...q]) + query.joined(separator: "&"))
    }

    /// `https://user:PASS@host/...` with the password masked; the user name stays, it says whose it is.
    public static func withoutPassword(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(ofText: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<rest.index(after: colon)]) + mask + String(rest[at...])
    }

    public func text(_ value: String) -> String {
        var out = value
        for secret in secrets where out.containsText(secret) {
            out = out.replacingAll(secret, with: Self.mask)
        }
        return out
    }
}
