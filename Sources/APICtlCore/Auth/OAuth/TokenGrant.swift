import FoundationEssentials

/// A token endpoint's successful answer (RFC 6749 5.1), read defensively: some
/// providers send `expires_in` as a string, some omit `scope` or `refresh_token`.
public struct TokenGrant: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    /// Seconds from when the answer arrived.
    public var expiresIn: Double?
    public var scopes: [String]?
    public var tokenType: String?

    /// Ten years: anything longer is not a lifetime anyone meant.
    static let longestLifetime = 10.0 * 365 * 86400

    public static func parse(_ body: [UInt8], from endpoint: String) throws(APICtlError) -> TokenGrant {
        guard let object = JSONValue(parsing: body)?.objectValue else {
            throw APICtlError(.authentication, "the token endpoint \(endpoint) answered with something that is not JSON")
        }
        // Seed 001's own refresh endpoint, and some others, wrap the answer in "data".
        let fields = object["data"]?.objectValue ?? object
        guard let access = fields["access_token"]?.stringValue, !access.isEmpty else {
            throw APICtlError(.authentication, "the token endpoint \(endpoint) answered without an access_token")
        }
        var grant = TokenGrant(accessToken: access, refreshToken: try optionalToken(fields["refresh_token"], named: "refresh_token", from: "the token endpoint \(endpoint)"),
                               tokenType: fields["token_type"]?.stringValue)
        try TokenText.checkIssued(access, what: "the access_token from the token endpoint \(endpoint)", code: .authentication)
        if let refresh = grant.refreshToken {
            try TokenText.checkIssued(refresh, what: "the refresh_token from the token endpoint \(endpoint)", code: .authentication)
        }
        if let raw = fields["expires_in"], raw != .null {
            guard let seconds = lifetime(raw) else {
                throw APICtlError(.authentication, "the token endpoint \(endpoint) sent an expires_in that is not a lifetime")
            }
            grant.expiresIn = seconds
        }
        if let list = fields["scope"]?.stringArray ?? fields["scopes"]?.stringArray {
            grant.scopes = list
        } else if let text = fields["scope"]?.stringValue {
            grant.scopes = text.split(separator: " ").map(String.init)
        }
        return grant
    }

    /// Seconds a token lives, from an `expires_in` sent as a number or a string: nil when it
    /// is neither, negative, or longer than `longestLifetime`.
    public static func lifetime(_ raw: JSONValue) -> Double? {
        guard let seconds = raw.doubleValue ?? raw.stringValue.flatMap(Double.init), seconds.isFinite,
              seconds >= 0, seconds <= longestLifetime else { return nil }
        return seconds
    }

    /// A token field that may be missing (or null, or empty): a value of another type is an answer
    /// apictl does not understand, refused rather than read as "no refresh token".
    public static func optionalToken(_ raw: JSONValue?, named field: String, from sender: String) throws(APICtlError) -> String? {
        guard let raw, raw != .null else { return nil }
        guard let text = raw.stringValue else {
            throw APICtlError(.authentication, "\(sender) sent a \(field) that is not a string; refusing the answer, and nothing was stored")
        }
        return text.isEmpty ? nil : text
    }

    /// The record to store. Expiry comes from `expires_in` at receive time (a
    /// JWT's `exp` is only the fallback: clock skew makes it unreliable), and a
    /// refresh that brought no new refresh token keeps the old one.
    public func credential(receivedAt now: Date, replacing previous: Credential?, requestedScopes: [String]?) -> Credential {
        var credential = previous ?? Credential(token: accessToken, kind: "oauth2", createdAt: now)
        credential.token = accessToken
        credential.kind = "oauth2"
        credential.refreshToken = refreshToken ?? previous?.refreshToken
        credential.expiresAt = expiresIn.map { now.addingTimeInterval($0) } ?? JWT.decode(accessToken)?.expiresAt
        credential.issuedAt = now
        credential.scopes = scopes ?? previous?.scopes ?? requestedScopes
        if previous == nil { credential.createdAt = now }
        return credential
    }
}
