import FoundationEssentials

/// One command's credential, from resolution to renewal: the request path in
/// one place. It finds the credential in the documented order (APICTL_TOKEN,
/// the profile's token_env, its token_command, its CI exchange, the store),
/// refuses one that could inject headers or belongs to another environment,
/// finishes or rolls back a rotation a crash interrupted, refreshes an OAuth 2.0
/// token that is due, and gives the client one re-authorisation policy for a 401.
/// It never prints: what the user should hear is left in `notices`.
public final class CredentialSession {
    public let parts: SessionParts
    public let profile: ResolvedProfile?
    public let client: APIClient
    /// The store, when the credential came from it (or nothing before it answered); nil otherwise.
    public let store: StoreSelection?
    /// Renews a stored OAuth 2.0 credential; nil for every other kind.
    public let refresher: CredentialRefresher?
    /// Things the user should be told (an interrupted rotation finished or rolled back).
    public private(set) var notices: [String] = []

    /// The credential in use: it changes when a refresh replaced it.
    public var credential: ResolvedCredential? { client.credential }

    /// What an error line may say about the profile and the credential in use.
    public var failureContext: FailureContext {
        FailureContext(profile: profile, credential: credential, now: parts.now(), maxWait: client.retryPolicy.maxWait,
                       maxRetries: client.retryPolicy.maxRetries)
    }

    /// `failureContext` for one request: a credential header the user gave with -H is named, and
    /// a request to another origin (which was sent no credential) does not blame the credential.
    public func failureContext(for request: HTTPRequest) -> FailureContext {
        var context = failureContext
        if let profile, URLParts.parse(request.url)?.origin != profile.base.origin { context.credential = nil }
        let name = profile?.auth.headerName ?? "Authorization"
        if request.headers.contains(name) { context.userCredentialHeader = name }
        return context
    }

    private init(parts: SessionParts, profile: ResolvedProfile?, client: APIClient, store: StoreSelection?,
                 refresher: CredentialRefresher?) {
        self.parts = parts
        self.profile = profile
        self.client = client
        self.store = store
        self.refresher = refresher
    }

    public static func open(profile: ResolvedProfile?, parts: SessionParts) throws(APICtlError) -> CredentialSession {
        var store: StoreSelection?
        var notices: [String] = []
        var found = try resolve(profile: profile, parts: parts, openedStore: &store)
        if let profile, let store, let stored = found, stored.source == store.store.source, stored.credential.origin == nil {
            // Written by an earlier version: bound to the origin it is first used with, once.
            let bound = profile.bound(stored.credential)
            found?.credential = bound
            try store.store.save(bound, for: profile.credentialKey)
            notices.append("the stored credential of \(profile.name) was written by an earlier apictl without its origin; "
                           + "it is now bound to \(profile.credentialOrigin) and will be sent nowhere else")
        }
        let credential = try found.map { (found) throws(APICtlError) in try checked(found, for: profile) }
        if let profile, let token = credential?.credential.token, let why = profile.environmentMismatch(of: token, requireOwnPrefix: false) {
            throw APICtlError.auth("refusing to send the key from the \(credential?.source.description ?? "store"): \(why)",
                                   hint: "pick its environment with -e, or use this environment's key")
        }
        let client = parts.client(profile: profile, credential: credential)
        var refresher: CredentialRefresher?
        if let profile, let store, let credential, CredentialRefresher.canRenew(credential.credential, for: profile) {
            refresher = parts.refresher(for: profile, store: store.store)
        }
        let session = CredentialSession(parts: parts, profile: profile, client: client, store: store, refresher: refresher)
        session.notices = notices
        try session.recoverRotation()
        if let refresher, let current = session.credential, CredentialRefresher.isDue(current.credential, for: refresher.profile, now: parts.now()) {
            client.use(try checked(ResolvedCredential(credential: try refresher.refresh(current.credential, force: false),
                                                      source: current.source)))
        }
        let policy = Reauthorization.choose(for: credential, profile: profile, store: store, refresher: refresher, parts: parts)
        client.reauthorize = { rejected throws(APICtlError) in try policy.renew(rejected) }
        return session
    }

    /// The first source that answers; the store is opened only when nothing before it did.
    static func resolve(profile: ResolvedProfile?, parts: SessionParts,
                        openedStore: inout StoreSelection?) throws(APICtlError) -> ResolvedCredential? {
        if let fromEnvironment = EnvironmentCredentials.resolve(profile: profile, environment: parts.environment) {
            return fromEnvironment
        }
        guard let profile else { return nil }
        if let fromCommand = try TokenCommandSource.resolve(profile: profile, environment: parts.childEnvironment, now: parts.now(),
                                                            keeper: parts.keeper, runner: parts.runner) {
            return fromCommand
        }
        if let fromCI = try CICredentialSource.resolve(profile: profile, environment: parts.environment,
                                                       files: parts.stateFiles(for: profile),
                                                       http: parts.client(profile: nil, credential: nil), now: parts.now(),
                                                       keeper: parts.keeper) {
            return fromCI
        }
        let key = profile.credentialKey
        let selection = try parts.stores.open(reading: key)
        openedStore = selection
        return try selection.store.load(key).map { ResolvedCredential(credential: $0, source: selection.store.source) }
    }

    /// A credential fit for a header: no CR, LF or NUL (header injection), not absurdly long.
    /// Refused with the exit code of its source: 4 for what the user set, 9 for a store or a command.
    static func checked(_ resolved: ResolvedCredential?) throws(APICtlError) -> ResolvedCredential? {
        guard let resolved else { return nil }
        return try checked(resolved)
    }

    /// `checked`, and a stored credential only for the origin it was obtained for: a config
    /// that points the same profile name elsewhere (another file, APICTL_CONFIG) gets an error.
    static func checked(_ resolved: ResolvedCredential, for profile: ResolvedProfile?) throws(APICtlError) -> ResolvedCredential {
        try profile?.checkBound(resolved.credential, in: resolved.source)
        return try checked(resolved)
    }

    static func checked(_ resolved: ResolvedCredential) throws(APICtlError) -> ResolvedCredential {
        let token = resolved.credential.token.utf8
        let code: ExitCode
        switch resolved.source {
        case .environment, .ci: code = .authentication
        case .command, .keyring, .file: code = .credentialStore
        }
        if let flaw = TokenText.flaw(resolved.credential.token) {
            throw APICtlError(code, "the token from the \(resolved.source) contains \(flaw); refusing to send it",
                              hint: "check what sets it: a token is one line of printable text")
        }
        if token.count > TokenText.longest {
            throw APICtlError(code, "the token from the \(resolved.source) is \(token.count) bytes, more than the \(TokenText.longest / 1024) KiB apictl sends",
                              hint: "check what sets it")
        }
        return resolved
    }

    /// A rotation that a crash interrupted is finished or rolled back before anything else uses the profile.
    private func recoverRotation() throws(APICtlError) {
        guard let profile, let store, credential != nil, profile.tokens != nil else { return }
        let files = parts.stateFiles(for: profile)
        // A rotation killed while writing its journal leaves a temp file and maybe no journal at all.
        AtomicFile.removeStaleTemporaries(of: files.rotationJournal)
        guard FileBytes.exists(files.rotationJournal) else { return }
        let rotation = KeyRotation(api: try TokenAPI(client: client, profile: profile), store: store.store,
                                   files: files, now: parts.now, report: { _ in })
        guard let message = try rotation.recover() else { return }
        notices.append(message)
        if let stored = try store.store.loadLatest(files.key) {
            client.use(try Self.checked(ResolvedCredential(credential: stored, source: store.store.source), for: profile))
        }
    }
}
