/// What to do, once per request, when the API answers 401 to the credential in
/// use. Chosen once by where the credential came from, so there is one policy
/// per session and no order of assignments decides it.
enum Reauthorization {
    /// A token command's kept answer may be stale: forget it and ask the command again.
    case askCommandAgain(ResolvedProfile, SessionParts)
    /// A kept CI token may be stale: exchange a fresh ID token.
    case exchangeAgain(ResolvedProfile, SessionParts)
    /// The store may hold a newer key than the one refused (a kept keyring copy
    /// older than its item, a login by another process since): read the store itself.
    case rereadStore(ResolvedProfile, CredentialStore)
    /// An OAuth 2.0 token: refresh under the cross-process lock, which also
    /// re-reads the store first, so a peer's refresh is taken instead of a second one.
    case refresh(CredentialRefresher)
    /// The environment's token: nothing apictl can renew.
    case none

    static func choose(for credential: ResolvedCredential?, profile: ResolvedProfile?, store: StoreSelection?,
                       refresher: CredentialRefresher?, parts: SessionParts) -> Reauthorization {
        guard let credential, let profile else { return .none }
        switch credential.source {
        case .environment: return .none
        case .command: return .askCommandAgain(profile, parts)
        case .ci: return .exchangeAgain(profile, parts)
        case .keyring, .file:
            if let refresher { return .refresh(refresher) }
            if let store { return .rereadStore(profile, store.store) }
            return .none
        }
    }

    /// A credential to retry with once, or nil to give the 401 to the user.
    func renew(_ rejected: ResolvedCredential) throws(APICtlError) -> ResolvedCredential? {
        switch self {
        case .none:
            return nil
        case .askCommandAgain(let profile, let parts):
            TokenCommandSource.keptAnswer(profile, in: parts.keeper).forget()
            return try CredentialSession.checked(
                TokenCommandSource.resolve(profile: profile, environment: parts.childEnvironment, now: parts.now(), useKept: false,
                                           keeper: parts.keeper, runner: parts.runner))
        case .exchangeAgain(let profile, let parts):
            CICredentialSource.keptToken(profile: profile.name, environment: profile.environment, in: parts.keeper).forget()
            return try CredentialSession.checked(
                CICredentialSource.resolve(profile: profile, environment: parts.environment, files: parts.stateFiles(for: profile),
                                           http: parts.client(profile: nil, credential: nil), now: parts.now(), useKept: false,
                                           keeper: parts.keeper))
        case .rereadStore(let profile, let store):
            let key = profile.credentialKey
            guard let latest = try store.loadLatest(key), latest.token != rejected.credential.token else { return nil }
            return try CredentialSession.checked(ResolvedCredential(credential: latest, source: rejected.source), for: profile)
        case .refresh(let refresher):
            // Nothing to renew it with: the server's own 401, body and reason, is the answer.
            guard CredentialRefresher.canRenewItself(rejected.credential, for: refresher.profile) else { return nil }
            return try CredentialSession.checked(
                ResolvedCredential(credential: try refresher.refresh(rejected.credential, force: true), source: rejected.source))
        }
    }
}
