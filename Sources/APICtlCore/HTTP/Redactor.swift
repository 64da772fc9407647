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
        var headers = Set((HTTPHeaders.credentialNames + ["Set-Cookie"]).map(HTTPHeaders.comparable))
        var query: Set<String> = ["access_token", "api_key", "apikey", "token"]
        if let name = auth?.headerName { headers.insert(HTTPHeaders.comparable(name)) }
        if case .query(let name)? = auth { query.insert(name.lowercased()) }
        self.secretHeaders = headers
        self.secretQueryKeys = query
    }

    /// Words in a header or query parameter name that mark its value as a secret, beyond the
    /// fixed lists: what is shown is masked more widely than what is stripped on a hop
    /// (`HTTPHeaders.credentialNames`), since showing a signature or a password costs more
    /// than hiding a CSRF token.
    static let secretWords = ["token", "secret", "passw", "signature", "credential", "authentication", "api-key", "apikey", "session"]
    static let secretQueryNames: Set<String> = ["key", "sig", "code", "auth", "jwt", "x-amz-credential"]

    static func nameLooksSecret(_ comparable: String) -> Bool {
        secretWords.contains { comparable.containsText($0) }
    }

    /// This redactor, also masking `more`.
    public func adding(_ more: [String]) -> Redactor {
        guard !more.isEmpty else { return self }
        var wider = Redactor(secrets: more)
        wider.secrets += secrets
        wider.secretHeaders = secretHeaders
        wider.secretQueryKeys = secretQueryKeys
        return wider
    }

    public func header(_ name: String, _ value: String) -> String {
        let lower = HTTPHeaders.comparable(name)
        if secretHeaders.contains(lower) || Self.nameLooksSecret(lower) {
            // Keep the scheme word: "Bearer [REDACTED]" tells the reader what was sent.
            if lower.hasSuffix("authorization"), let space = value.firstIndex(of: " ") {
                return String(value[..<space]) + " " + Self.mask
            }
            return Self.mask
        }
        return text(value)
    }

    /// `url` with its user information and secret query values masked. `kept` is a value left as
    /// it is (the placeholder `--curl` turns into `${VARIABLE}`).
    public func url(_ url: String, keeping kept: String? = nil) -> String {
        let url = Self.withoutPassword(url)
        guard let q = url.firstIndex(of: "?") else { return text(url, keeping: kept) }
        let query = url[url.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            // Servers decode the name before they read it: api%5Fkey is api_key, key[] and
            // key[0] are key (PHP, Rails), and `key+` is `key `.
            let decoded = (PercentEncoding.decode(key.replacingAll("+", with: " ")) ?? key).lowercased()
            let name = String(decoded.prefix { $0 != "[" }).trimmingSpaces()
            let comparable = HTTPHeaders.comparable(name)
            let secret = secretQueryKeys.contains(name) || Self.secretQueryNames.contains(comparable) || Self.nameLooksSecret(comparable)
            guard secret, parts.count < 2 || String(parts[1]) != kept else { return String(pair) }
            return "\(key)=\(Self.mask)"
        }
        return text(String(url[...q]) + query.joined(separator: "&"), keeping: kept)
    }

    /// What of a secret `url` holds, in words: a password (or token) in its user information,
    /// or the value of a query parameter that carries keys; nil when none. For a URL that is
    /// to be kept (the config file), where no secret may be.
    public static func secretIn(_ url: String) -> String? {
        if withoutPassword(url) != url { return "a password or token before its host (user:PASSWORD@)" }
        return Redactor().url(url) != url ? "a key in its query" : nil
    }

    /// `https://user:PASS@host/...` with the password masked: the user name stays, it says whose
    /// it is. A user name alone (`https://TOKEN@host`, as tokens are often given) is masked whole.
    public static func withoutPassword(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(ofText: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        guard let colon = rest[..<at].firstIndex(of: ":") else { return String(url[..<schemeEnd.upperBound]) + mask + String(rest[at...]) }
        return String(url[..<rest.index(after: colon)]) + mask + String(rest[at...])
    }

    public func text(_ value: String, keeping kept: String? = nil) -> String {
        // A secret percent-encoded any other way ("%64%7A%64...", or in part) is found in the
        // decoded text, which is then what is shown, masked.
        if value.contains("%"), let decoded = PercentEncoding.decode(value), decoded != value {
            let masked = mask(decoded, keeping: kept)
            if masked != decoded { return masked }
        }
        return mask(value, keeping: kept)
    }

    private func mask(_ value: String, keeping kept: String?) -> String {
        var out = value
        // Longest first: a secret that holds a shorter one is masked whole, not around it.
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret != kept {
            for form in Self.forms(of: secret) where out.containsText(form) { out = out.replacingAll(form, with: Self.mask) }
        }
        return out
    }

    /// A secret as a server may quote it back: as it is, percent-encoded (a form, a query), or
    /// escaped inside a JSON string. Worked out only when text is shown, off the request path.
    static func forms(of secret: String) -> [String] {
        [secret, PercentEncoding.encodeQueryComponent(secret), String(JSONValue.string(secret).rendered().dropFirst().dropLast())]
    }
}
