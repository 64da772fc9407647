import FoundationEssentials

/// Refreshes a stored OAuth 2.0 credential so that N processes holding the same
/// expired token cause exactly one refresh: the whole read -> refresh -> write
/// runs under a per-profile lock, on the copy re-read inside it. The new record
/// (with the rotated refresh token) is stored before the new access token is used.
public final class CredentialRefresher {
    let store: CredentialStore
    let profile: ResolvedProfile
    let files: ProfileStateFiles
    let http: APIClient
    let environment: [String: String]
    let now: @Sendable () -> Date

    /// Renew at most this long before the expiry, so a request never leaves with a token about to die.
    public static let margin: TimeInterval = 60

    public init(store: CredentialStore, profile: ResolvedProfile, files: ProfileStateFiles, http: APIClient,
                environment: [String: String], now: @escaping @Sendable () -> Date) {
        self.store = store
        self.profile = profile
        self.files = files
        self.http = http
        self.environment = environment
        self.now = now
    }

    /// True when `credential` should be renewed before it is sent: an OAuth 2.0 token or a token
    /// pair's access token that can renew itself and expires within `renewalMargin`, or one that
    /// cannot and has expired (renewing it then says so). A token is otherwise used until it expires.
    public static func isDue(_ credential: Credential, for profile: ResolvedProfile, now: Date) -> Bool {
        guard renews(credential), let expiry = credential.expiresAt else { return false }
        let left = expiry.timeIntervalSince(now)
        return canRenewItself(credential, for: profile) ? left < renewalMargin(credential) : left <= 0
    }

    /// How far ahead of its expiry a token is renewed: a minute, but never more than half its
    /// lifetime, so a 30-second token is renewed with 15 seconds left and used until then.
    public static func renewalMargin(_ credential: Credential) -> TimeInterval {
        guard let expiry = credential.expiresAt, let issued = credential.issuedAt ?? JWT.decode(credential.token)?.issuedAt else {
            return margin
        }
        return min(margin, max(0, expiry.timeIntervalSince(issued)) / 2)
    }

    /// The kinds that renew themselves: OAuth 2.0 tokens and `[pair]` access tokens.
    public static func renews(_ credential: Credential) -> Bool { ["oauth2", "pair"].contains(credential.kind) }

    /// Whether there is anything to renew `credential` with: a refresh token and somewhere to
    /// send it, or the client's own credentials (a client-credentials login asks again).
    public static func canRenewItself(_ credential: Credential, for profile: ResolvedProfile) -> Bool {
        switch credential.kind {
        case "oauth2": return profile.oauth != nil && (credential.refreshToken != nil || credential.grant == "client_credentials")
        case "pair": return profile.pair?.refresh != nil && credential.refreshToken != nil
        default: return false
        }
    }

    /// Whether `profile` can renew `credential` (it has the table that says how).
    public static func canRenew(_ credential: Credential, for profile: ResolvedProfile) -> Bool {
        (credential.kind == "oauth2" && profile.oauth != nil) || (credential.kind == "pair" && profile.pair != nil)
    }

    /// A credential fit to use in place of `current`: the stored one when a peer
    /// already refreshed, else a new one from the provider. `force`: the API
    /// rejected `current`, so refresh even if its expiry says it is fine.
    public func refresh(_ current: Credential, force: Bool) throws(APICtlError) -> Credential {
        let lock = try files.lock(files.refreshLock)
        defer { lock.unlock() }
        let stored = try store.loadLatest(files.key) ?? current
        try profile.checkBound(stored, in: store.source)
        if stored.token != current.token && !Self.isDue(stored, for: profile, now: now()) { return stored }
        if !force && !Self.isDue(stored, for: profile, now: now()) { return stored }
        let fresh: Credential
        if stored.kind == "pair", let pair = profile.pair {
            guard Self.canRenewItself(stored, for: profile) else { throw expiredWithoutRefresh(stored) }
            let client = TokenPairClient(profile: profile, pair: pair, http: http)
            let url = try client.refreshURL()
            try Self.checkDestination(url, of: stored, profile: profile, what: "pair.refresh")
            do {
                auditRenewal(of: stored)
                defer { http.renewalAudit = nil }
                fresh = profile.bound(try client.refresh(stored, now: now()))
            }
            try store.save(fresh, for: files.key)
            return fresh
        }
        do {
            fresh = profile.bound(try obtain(replacing: stored))
        } catch {
            // A peer outside this lock may have used the refresh token first.
            if error.code == "invalid_grant", let again = try store.loadLatest(files.key), again.token != stored.token {
                return again
            }
            throw error.apiError(doing: "refreshing the token of '\(profile.name)'", profile: profile.name)
        }
        try store.save(fresh, for: files.key)
        return fresh
    }

    /// A refresh token (and a client secret kept with it) goes back only where it came from:
    /// the origin of the token endpoint recorded with it, or of the API's own refresh endpoint
    /// when the profile named one at login (seed 001's `refresh_url`). Not the API's origin as
    /// such: a resource server is no place for a provider's refresh token. A config that now
    /// points the profile's refresh, token or revocation endpoint elsewhere gets an error, and
    /// that place receives nothing.
    public static func checkDestination(_ url: String, of credential: Credential, profile: ResolvedProfile,
                                        what endpoint: String) throws(APICtlError) {
        let recorded = [credential.tokenURL, credential.refreshURL].compactMap { $0.flatMap(URLParts.parse)?.origin.description }
        // A record of an earlier version names no endpoint: only its API origin binds it.
        let allowed = recorded.isEmpty ? [credential.origin].compactMap { $0 } : recorded
        guard !allowed.isEmpty else { return }
        let target = URLParts.parse(url)?.origin.description ?? url
        guard !allowed.contains(target) else { return }
        throw APICtlError.auth("the refresh token of '\(profile.name)' goes only where it came from "
                               + "(\(Array(Set(allowed)).sorted().joined(separator: " or "))), but the profile's \(endpoint) "
                               + "is now at \(target); refusing to send it there",
                               hint: "to use \(target), run 'apictl login \(profile.selectionFlags)'")
    }

    private func obtain(replacing stored: Credential) throws(TokenEndpointError) -> Credential {
        let endpoints: OAuthEndpoints
        let identity: OAuthClientIdentity
        do {
            // A stored token endpoint means no discovery round trip on refresh.
            endpoints = try OAuthEndpoints.resolve(profile, http: http, needsDiscovery: stored.tokenURL == nil)
            identity = try OAuthEndpoints.identity(profile, environment: environment, storedSecret: stored.clientSecret,
                                                  connection: http.settings.connection)
        } catch { throw .failed(error) }
        // A bound token's refresh token is bound too (RFC 8705 §3): it goes with its certificate or not at all.
        do throws(APICtlError) {
            var presenting = identity.certificate
            if presenting == nil { presenting = try http.settings.connection?.certificate(for: profile) }
            try CertificateBinding.check(stored, presenting: presenting, profile: profile)
        } catch { throw .failed(error) }
        let client = OAuthClient(http: http, identity: identity, caCert: profile.caCert)
        let received = now()
        if let refreshToken = stored.refreshToken {
            let own = endpoints.refreshURL
            guard let url = own ?? stored.tokenURL ?? endpoints.tokenURL else {
                throw .failed(.config("profile '\(profile.name)' has no oauth.token_url or refresh_url to refresh at"))
            }
            do { try Self.checkDestination(url, of: stored, profile: profile, what: own != nil ? "oauth.refresh_url" : "token endpoint") } catch {
                throw .failed(error)
            }
            auditRenewal(of: stored)
            defer { http.renewalAudit = nil }
            let grant = try client.refresh(refreshToken, tokenURL: url, ownEndpoint: own != nil)
            return client.credential(from: grant, receivedAt: received, replacing: stored, requestedScopes: nil)
        }
        if stored.grant == "client_credentials", let url = stored.tokenURL ?? endpoints.tokenURL {
            do { try Self.checkDestination(url, of: stored, profile: profile, what: "token endpoint") } catch { throw .failed(error) }
            let grant = try client.clientCredentials(scopes: stored.scopes ?? endpoints.scopes, tokenURL: url)
            return client.credential(from: grant, receivedAt: received, replacing: stored, requestedScopes: nil)
        }
        throw .failed(expiredWithoutRefresh(stored))
    }

    /// The refresh token is a stored credential too: each trip of it to the token endpoint is a
    /// line of the audit record (the client writes it, with the answer's status), as the API
    /// credential's are; a request that never left writes none.
    private func auditRenewal(of stored: Credential) {
        http.renewalAudit = stored.refreshToken.map { RenewalAudit(refreshToken: $0, tokenID: stored.tokenID, source: store.source) }
    }

    /// A token that cannot renew itself, asked to: said as it is, with when it expired.
    private func expiredWithoutRefresh(_ stored: Credential) -> APICtlError {
        let when = stored.expiresAt.map { expiry in
            expiry <= now() ? " \(humanDuration(now().timeIntervalSince(expiry))) ago" : " in \(humanDuration(expiry.timeIntervalSince(now())))"
        }
        let state = stored.expiresAt.map { $0 <= now() ? "expired" : "expires" } ?? "expired"
        return APICtlError.auth("the token of '\(profile.name)' \(state)\(when ?? "") and there is no refresh token to renew it",
                                hint: "run 'apictl login \(profile.selectionFlags)'")
    }
}
