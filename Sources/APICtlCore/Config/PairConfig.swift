/// `[profiles.NAME.pair]`: an access and refresh token pair that is not OAuth 2.0 (or is
/// its password grant): how a login buys one and how it is renewed. The defaults are
/// djangorestframework-simplejwt's, the most common such API:
/// `POST obtain {"username","password"} -> {"access","refresh"}`,
/// `POST refresh {"refresh"} -> {"access"[, "refresh"]}`.
public struct PairConfig: Sendable, Equatable {
    /// "METHOD PATH" (under the base URL) or an absolute URL after the method.
    public var obtain: String?
    /// The obtain call's body; "{username}", "{password}" and "{token}" (a short-lived
    /// token, as Datasets' guide has) are replaced. Default `{username, password}`.
    public var obtainBody: [String: JSONValue]?
    /// "json" (default) or "form": form-encoded, as the OAuth 2.0 password grant is.
    public var obtainFormat: String?
    public var refresh: String?
    /// The refresh call's body; "{refresh_token}" is replaced. Default `{"refresh": "{refresh_token}"}`.
    public var refreshBody: [String: JSONValue]?
    /// "body" (default) or "bearer": the refresh token as the Bearer credential of the call, no body.
    public var refreshWith: String?
    public var refreshFormat: String?
    /// "METHOD PATH" of an endpoint that revokes the pair, for `logout --revoke` and a login
    /// that replaces a pair (simplejwt's `POST /token/blacklist/`, dj-rest-auth's logout).
    public var revoke: String?
    /// Its body; "{refresh_token}" and "{access_token}" are replaced. Default `{"refresh": "{refresh_token}"}`.
    public var revokeBody: [String: JSONValue]?
    /// "body" (default): the call carries no credential; "bearer": the access token as its Bearer credential.
    public var revokeWith: String?
    public var revokeFormat: String?
    /// JSON pointers into both answers.
    public var access: String?
    public var refreshToken: String?
    /// Seconds the access token lives; without it, the access token's JWT `exp`.
    public var expiresIn: String?

    public init(obtain: String? = nil, obtainBody: [String: JSONValue]? = nil, obtainFormat: String? = nil,
                refresh: String? = nil, refreshBody: [String: JSONValue]? = nil, refreshWith: String? = nil,
                refreshFormat: String? = nil, revoke: String? = nil, revokeBody: [String: JSONValue]? = nil,
                revokeWith: String? = nil, revokeFormat: String? = nil, access: String? = nil, refreshToken: String? = nil,
                expiresIn: String? = nil) {
        self.obtain = obtain
        self.obtainBody = obtainBody
        self.obtainFormat = obtainFormat
        self.refresh = refresh
        self.refreshBody = refreshBody
        self.refreshWith = refreshWith
        self.refreshFormat = refreshFormat
        self.revoke = revoke
        self.revokeBody = revokeBody
        self.revokeWith = revokeWith
        self.revokeFormat = revokeFormat
        self.access = access
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }

    public var keyedValues: [(String, JSONValue)] {
        let strings: [(String, String?)] = [
            ("obtain", obtain), ("obtain_format", obtainFormat), ("refresh", refresh), ("refresh_with", refreshWith),
            ("refresh_format", refreshFormat), ("revoke", revoke), ("revoke_with", revokeWith), ("revoke_format", revokeFormat),
            ("access", access), ("refresh_token", refreshToken), ("expires_in", expiresIn),
        ]
        var values = strings.compactMap { key, value in value.map { (key, JSONValue.string($0)) } }
        if let obtainBody { values.append(("obtain_body", .object(obtainBody))) }
        if let refreshBody { values.append(("refresh_body", .object(refreshBody))) }
        if let revokeBody { values.append(("revoke_body", .object(revokeBody))) }
        return values
    }

    /// Whether a login asks for a token (the body has "{token}") rather than a username and password.
    public var asksForToken: Bool {
        (obtainBody ?? [:]).values.contains { $0 == .string("{token}") }
    }
}
