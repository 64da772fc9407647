/// `[profiles.NAME.ci]`: how a CI job's own identity (an OIDC ID token from
/// GitHub Actions, GitLab `id_tokens`, a Kubernetes projected token) becomes an
/// access token, so the job holds no long-lived secret (docs/ci.md).
public struct CIConfig: Sendable, Equatable {
    /// token-exchange (RFC 8693) | jwt-bearer (RFC 7523 2.1) | client-assertion (RFC 7523 2.2) | mint
    public var exchange: String?
    /// Default: the profile's oauth.token_url, or its issuer's discovery.
    public var tokenURL: String?
    /// Asked of the CI provider for the ID token; sent as `audience` in RFC 8693.
    public var audience: String?
    public var scopes: [String]?
    public var clientID: String?
    public var subjectTokenType: String?
    public var idTokenEnv: String?
    public var idTokenFile: String?
    /// "METHOD PATH" under base_url, or an absolute URL (exchange = "mint").
    public var mint: String?
    /// The mint request's JSON body; string values "{id_token}" and "{audience}" are filled in.
    public var mintBody: [String: JSONValue]?
    /// JSON pointers into the mint answer.
    public var mintToken: String?
    public var mintExpiresAt: String?

    public static let exchanges = ["token-exchange", "jwt-bearer", "client-assertion", "mint"]

    /// The exchange to run; a profile whose table lacks one is refused when it is read.
    public var style: String { exchange ?? "token-exchange" }

    public init(exchange: String? = nil, tokenURL: String? = nil, audience: String? = nil, scopes: [String]? = nil,
                clientID: String? = nil, subjectTokenType: String? = nil, idTokenEnv: String? = nil,
                idTokenFile: String? = nil, mint: String? = nil, mintBody: [String: JSONValue]? = nil,
                mintToken: String? = nil, mintExpiresAt: String? = nil) {
        self.exchange = exchange
        self.tokenURL = tokenURL
        self.audience = audience
        self.scopes = scopes
        self.clientID = clientID
        self.subjectTokenType = subjectTokenType
        self.idTokenEnv = idTokenEnv
        self.idTokenFile = idTokenFile
        self.mint = mint
        self.mintBody = mintBody
        self.mintToken = mintToken
        self.mintExpiresAt = mintExpiresAt
    }

    public var keyedValues: [(String, JSONValue)] {
        let strings: [(String, String?)] = [
            ("exchange", exchange), ("token_url", tokenURL), ("audience", audience), ("client_id", clientID),
            ("subject_token_type", subjectTokenType), ("id_token_env", idTokenEnv), ("id_token_file", idTokenFile),
            ("mint", mint), ("mint_token", mintToken), ("mint_expires_at", mintExpiresAt),
        ]
        var values = strings.compactMap { key, value in value.map { (key, JSONValue.string($0)) } }
        if let scopes { values.append(("scopes", JSONValue(scopes))) }
        if let mintBody { values.append(("mint_body", .object(mintBody))) }
        return values
    }
}
