import FoundationEssentials

/// Turns a CI job's ID token into an access token, in one of the four ways
/// APIs accept one (docs/ci.md says which services use which):
/// - token-exchange: RFC 8693, the ID token as `subject_token`;
/// - jwt-bearer: RFC 7523 2.1, the ID token as the authorization grant;
/// - client-assertion: RFC 7523 2.2, the ID token authenticates the client in a
///   client_credentials grant (Azure's federated credentials);
/// - mint: a JSON request of the API's own (PyPI's trusted publishing).
public struct CIExchange {
    public let profile: ResolvedProfile
    public let ci: CIConfig
    let http: APIClient
    let environment: [String: String]

    public init(profile: ResolvedProfile, ci: CIConfig, http: APIClient, environment: [String: String]) {
        self.profile = profile
        self.ci = ci
        self.http = http
        self.environment = environment
    }

    public var style: String { ci.style }
    public var audience: String { ci.audience ?? "" }

    public func exchange(_ idToken: String, now: Date) throws(APICtlError) -> Credential {
        if style == "mint" { return try mint(idToken, now: now) }
        let url = try tokenURL()
        var parameters: [(String, String)]
        var identity = try clientIdentity()
        switch style {
        case "jwt-bearer":
            parameters = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", idToken)]
        case "client-assertion":
            // The assertion is the client's authentication: no secret, no Basic header.
            parameters = [("grant_type", "client_credentials"), ("client_id", ci.clientID ?? ""),
                          ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                          ("client_assertion", idToken)]
            identity = nil
        default:
            parameters = [("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", idToken),
                          ("subject_token_type", ci.subjectTokenType ?? "urn:ietf:params:oauth:token-type:jwt"),
                          ("audience", audience),
                          ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token")]
        }
        if let scopes = ci.scopes, !scopes.isEmpty { parameters.append(("scope", scopes.joined(separator: " "))) }
        let client = OAuthClient(http: http, identity: identity ?? OAuthClientIdentity(clientID: "", clientSecret: nil, method: .none, json: false),
                                 caCert: profile.caCert)
        let grant: TokenGrant
        do { grant = try client.formGrant(parameters, tokenURL: url, authenticate: identity != nil) } catch {
            throw error.apiError(doing: "exchanging the CI ID token (\(style)) at \(url)", profile: profile.name, hint: refusedHint)
        }
        var credential = grant.credential(receivedAt: now, replacing: nil, requestedScopes: ci.scopes)
        credential.kind = JWT.decode(grant.accessToken) != nil ? "jwt" : "api_key"
        return credential
    }

    var refusedHint: String {
        "check that the API trusts this CI identity for audience \(audience); see docs/ci.md"
    }

    /// ci.token_url, else the `[oauth]` table's, else its issuer's discovery.
    func tokenURL() throws(APICtlError) -> String {
        if let own = ci.tokenURL { return try OAuthEndpoints.checked(try profile.url(for: own), what: "ci.token_url", profile: profile.name) }
        guard profile.oauth != nil, let url = try OAuthEndpoints.resolve(profile, http: http).tokenURL else {
            throw .config("profile '\(profile.name)' has no token endpoint for its ci exchange",
                          hint: "set ci.token_url, or oauth.token_url or oauth.issuer")
        }
        return url
    }

    /// The `[oauth]` table's client authentication when it names a client; else
    /// just `client_id` when ci.client_id is set; else none.
    func clientIdentity() throws(APICtlError) -> OAuthClientIdentity? {
        if profile.oauth?.clientID != nil {
            var identity = try OAuthEndpoints.identity(profile, environment: environment, storedSecret: nil)
            identity.json = false
            if let own = ci.clientID { identity.clientID = own }
            return identity
        }
        return ci.clientID.map { OAuthClientIdentity(clientID: $0, clientSecret: nil, method: .none, json: false) }
    }

    func mint(_ idToken: String, now: Date) throws(APICtlError) -> Credential {
        let (method, url) = try mintEndpoint()
        let template = ci.mintBody ?? ["token": .string("{id_token}")]
        let body = TokenAPI.fill(.object(template), with: ["{id_token}": .string(idToken), "{audience}": .string(audience)]) ?? .object([:])
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Accept", "application/json")
        var request = HTTPRequest(method: method, url: url, headers: headers, body: Array(body.rendered().utf8),
                                  timeout: 30, caCertPath: profile.caCert)
        request.carriesSecrets = true
        let response = try http.fetch(request)
        if response.status >= 500 {
            throw APICtlError(.serverError, "the mint endpoint \(url) answered \(response.status)", hint: "try again later")
        }
        guard response.head.isSuccess else {
            let object = JSONValue(parsing: response.body)?.objectValue
            let reason = object?["error_description"]?.stringValue ?? APIErrorDecoder.decode(response.body)?.message
            throw .auth("exchanging the CI ID token (mint) at \(url) was refused (\(response.status)\(reason.map { ": " + HTTPFailure.oneLine($0) } ?? ""))",
                        hint: refusedHint)
        }
        guard let answer = JSONValue(parsing: response.body),
              let token = answer.at(pointer: ci.mintToken ?? "/token")?.stringValue, !token.isEmpty else {
            throw .auth("the mint endpoint \(url) answered without a token at \(ci.mintToken ?? "/token")")
        }
        try TokenText.checkIssued(token, what: "the token from the mint endpoint \(url)", code: .authentication)
        var credential = Credential(token: token, kind: JWT.decode(token) != nil ? "jwt" : "api_key", createdAt: now)
        credential.expiresAt = try mintExpiry(answer, token: token, now: now, url: url)
        return credential
    }

    /// mint_expires_at (RFC 3339, or seconds since 1970), else `expires_in`, else the token's own JWT `exp`.
    func mintExpiry(_ answer: JSONValue, token: String, now: Date, url: String) throws(APICtlError) -> Date? {
        if let pointer = ci.mintExpiresAt, let value = answer.at(pointer: pointer), value != .null {
            if let text = value.stringValue, let date = Timestamp.rfc3339(text) { return date }
            if let seconds = value.doubleValue, seconds.isFinite, (0...1e11).contains(seconds) { return Date(timeIntervalSince1970: seconds) }
            throw .auth("the mint endpoint \(url) sent an expiry at \(pointer) that is not a date")
        }
        if let raw = answer.at(pointer: "/expires_in"), raw != .null {
            guard let seconds = TokenGrant.lifetime(raw) else {
                throw .auth("the mint endpoint \(url) sent an expires_in that is not a lifetime")
            }
            return now.addingTimeInterval(seconds)
        }
        return JWT.decode(token)?.expiresAt
    }

    /// "METHOD PATH" under base_url, or a bare path or URL (POST).
    func mintEndpoint() throws(APICtlError) -> (String, String) {
        guard let text = ci.mint?.trimmingSpaces(), !text.isEmpty else {
            throw .config("profile '\(profile.name)' has exchange = \"mint\" but no ci.mint endpoint")
        }
        let parts = text.split(separator: " ", maxSplits: 1).map { String($0).trimmingSpaces() }
        let (method, target) = parts.count == 2 ? (parts[0].uppercased(), parts[1]) : ("POST", text)
        guard RequestBuilder.methods.contains(method), !target.isEmpty else {
            throw .config("ci.mint of profile '\(profile.name)' is not \"METHOD PATH\" or a URL: '\(text)'")
        }
        return (method, try OAuthEndpoints.checked(try profile.url(for: target), what: "ci.mint", profile: profile.name))
    }

    /// A `ci` table that cannot work, found when the profile is read (exit 3)
    /// rather than in the middle of a CI job's first request.
    public static func problem(_ ci: CIConfig, oauth: OAuthConfig?) -> String? {
        guard let exchange = ci.exchange else { return "ci.exchange is missing (one of \(CIConfig.exchanges.joined(separator: ", ")))" }
        guard let audience = ci.audience, !audience.isEmpty else { return "ci.audience is missing" }
        if exchange == "mint" {
            return ci.mint == nil ? "exchange = \"mint\" needs ci.mint (\"POST /path\" or a URL)" : nil
        }
        if exchange == "client-assertion" && (ci.clientID ?? "").isEmpty { return "exchange = \"client-assertion\" needs ci.client_id" }
        if ci.tokenURL == nil && oauth?.tokenURL == nil && oauth?.issuer == nil {
            return "the ci exchange has no token endpoint: set ci.token_url (or oauth.token_url or oauth.issuer)"
        }
        return nil
    }
}
