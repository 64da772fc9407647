import FoundationEssentials

/// A profile's `ci` exchange as a credential source: taken when a CI token
/// source is present. The access token is kept in the kernel keyring until 60 s
/// before it expires, so the many apictl processes of one CI job cause one
/// exchange; nothing is written to the credential store.
public enum CICredentialSource {
    static let margin: TimeInterval = 60

    /// nil when the profile has no `ci` table or the job offers no ID token.
    public static func resolve(profile: ResolvedProfile, environment: [String: String], files: ProfileStateFiles,
                               http: APIClient, now: Date, useKept: Bool = true,
                               keeper: any SecretKeeping = KernelKeyring()) throws(APICtlError) -> ResolvedCredential? {
        guard let ci = profile.ci, let identity = CIIdentitySource.find(ci, environment: environment) else { return nil }
        return try obtain(profile: profile, ci: ci, identity: identity, environment: environment, files: files,
                          http: http, now: now, useKept: useKept, keeper: keeper)
    }

    /// The kept token when it was made from this very ID token (or GitHub job)
    /// and lives on; else a new exchange, one process at a time.
    public static func obtain(profile: ResolvedProfile, ci: CIConfig, identity: CIIdentitySource, environment: [String: String],
                              files: ProfileStateFiles, http: APIClient, now: Date, useKept: Bool,
                              keeper: any SecretKeeping = KernelKeyring()) throws(APICtlError) -> ResolvedCredential {
        let exchange = CIExchange(profile: profile, ci: ci, http: http, environment: environment)
        let source = CredentialSource.ci(identity: identity.description, exchange: exchange.style)
        let fingerprint = identity.fingerprint([exchange.style, ci.tokenURL ?? "", ci.mint ?? "", exchange.audience,
                                                (ci.scopes ?? []).joined(separator: " "),
                                                profile.credentialOrigin])
        let kept = keptToken(profile: profile.name, environment: profile.environment, in: keeper)
        if useKept, let credential = read(kept, fingerprint: fingerprint, now: now) {
            return ResolvedCredential(credential: credential, source: source)
        }
        let lock = try files.lock(files.exchangeLock)
        defer { lock.unlock() }
        // A parallel step may have exchanged while this one waited for the lock.
        if useKept, let credential = read(kept, fingerprint: fingerprint, now: now) {
            return ResolvedCredential(credential: credential, source: source)
        }
        let idToken = try identity.idToken(audience: exchange.audience, http: http, caCert: profile.caCert, now: now)
        let credential = try exchange.exchange(idToken, now: now)
        // Without an expiry of its own, the token is trusted no longer than the ID token it came from.
        if let expiry = credential.expiresAt ?? JWT.decode(idToken)?.expiresAt, expiry.timeIntervalSince(now) > margin {
            kept.writeRecord(credential, boundTo: fingerprint, lifetime: expiry.timeIntervalSince(now) - margin)
        } else {
            kept.forget()
        }
        return ResolvedCredential(credential: credential, source: source)
    }

    public static func keptToken(profile: String, environment: String?,
                                 in keeper: any SecretKeeping = KernelKeyring()) -> KernelKey {
        // A CI job's token is the profile's, whatever account is chosen: accounts are stored logins.
        ProfileStateFiles.kernelKey("ci", key: CredentialKey(profile: profile, environment: environment), in: keeper)
    }

    static func read(_ kept: KernelKey, fingerprint: String, now: Date) -> Credential? {
        guard let credential = kept.readRecord(boundTo: fingerprint) else { return nil }
        if let expiry = credential.expiresAt, expiry.timeIntervalSince(now) <= margin { return nil }
        return credential
    }
}
