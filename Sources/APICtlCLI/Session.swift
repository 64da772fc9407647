import APICtlCore
import FoundationEssentials

/// What an API-calling command needs, assembled once from the context: the
/// config, the selected profile, the credential and a client wired for `-v`.
struct Session {
    let config: ConfigFile
    let profile: ResolvedProfile?
    let client: APIClient
    let context: CommandContext
    /// The store the credential came from; nil when it came from the environment.
    let store: StoreSelection?
    /// Renews a stored OAuth 2.0 credential; nil for every other kind.
    let refresher: CredentialRefresher?

    /// The credential in use: it changes when a refresh replaced it.
    var credential: ResolvedCredential? { client.credential }

    static func open(_ context: CommandContext, profileRequired: Bool) throws(APICtlError) -> Session {
        let (config, profile) = try context.selectProfile(required: profileRequired)
        var store: StoreSelection?
        let transport = try context.openTransport()
        let exchangeCI = { (profile: ResolvedProfile, useKept: Bool) throws(APICtlError) -> ResolvedCredential? in
            try CICredentialSource.resolve(profile: profile, environment: context.environment, files: context.stateFiles(for: profile),
                                           http: context.makeClient(transport: transport, profile: nil, credential: nil),
                                           now: context.now(), useKept: useKept)
        }
        let credential = try CredentialResolver.resolve(profile: profile, environment: context.environment, now: context.now(),
                                                        exchangeCI: { profile throws(APICtlError) in try exchangeCI(profile, true) }) { () throws(APICtlError) in
            let opened = try context.openStore(config: config,
                                               reading: profile.map { CredentialKey(profile: $0.name, environment: $0.environment) })
            store = opened
            return opened
        }
        if let profile, let token = credential?.credential.token, let why = profile.environmentMismatch(of: token, requireOwnPrefix: false) {
            throw APICtlError.auth("refusing to send the key from the \(credential?.source.description ?? "store"): \(why)",
                                   hint: "pick its environment with -e, or use this environment's key")
        }
        let client = context.makeClient(transport: transport, profile: profile, credential: credential)
        if let profile, let store, credential != nil, profile.tokens != nil,
           FileBytes.exists(context.stateFiles(for: profile).rotationJournal) {
            try recoverRotation(profile: profile, store: store, client: client, context)
        }
        if let profile, case .command? = credential?.source {
            // A token the API refuses may be stale in the kernel keyring: ask the command once more.
            client.reauthorize = { _ throws(APICtlError) in
                TokenCommandSource.keptAnswer(profile).forget()
                return try TokenCommandSource.resolve(profile: profile, environment: context.environment, now: context.now(),
                                                      useKept: false)
            }
        }
        if let profile, case .ci? = credential?.source {
            // A kept token the API refuses: exchange a fresh ID token once more.
            client.reauthorize = { _ throws(APICtlError) in
                CICredentialSource.keptToken(profile: profile.name, environment: profile.environment).forget()
                return try exchangeCI(profile, false)
            }
        }
        if let profile, let store, let credential, credential.source == store.store.source {
            // The store may hold a newer key than the one refused (a kept keyring copy older than its item,
            // a login by another process since): read the store itself once, and retry only with another key.
            client.reauthorize = { rejected throws(APICtlError) in
                let key = CredentialKey(profile: profile.name, environment: profile.environment)
                guard let latest = try store.store.loadLatest(key), latest.token != rejected.credential.token else { return nil }
                return ResolvedCredential(credential: latest, source: rejected.source)
            }
        }
        var renewal: CredentialRefresher?
        if let profile, let store, let credential, credential.credential.kind == "oauth2", profile.oauth != nil {
            let renewer = refresher(for: profile, store: store, transport: transport, context)
            if CredentialRefresher.isDue(credential.credential, now: context.now()) {
                client.use(ResolvedCredential(credential: try renewer.refresh(credential.credential, force: false),
                                              source: credential.source))
            }
            client.reauthorize = { rejected throws(APICtlError) in
                ResolvedCredential(credential: try renewer.refresh(rejected.credential, force: true), source: rejected.source)
            }
            renewal = renewer
        }
        return Session(config: config, profile: profile, client: client, context: context, store: store, refresher: renewal)
    }

    /// A rotation that a crash interrupted is finished or rolled back before anything else uses the profile.
    static func recoverRotation(profile: ResolvedProfile, store: StoreSelection, client: APIClient,
                                _ context: CommandContext) throws(APICtlError) {
        let rotation = KeyRotation(api: try TokenAPI(client: client, profile: profile), store: store.store,
                                   files: context.stateFiles(for: profile), now: context.now, report: { _ in })
        guard let message = try rotation.recover() else { return }
        context.warn(message)
        if let stored = try store.store.loadLatest(CredentialKey(profile: profile.name, environment: profile.environment)) {
            client.use(ResolvedCredential(credential: stored, source: store.store.source))
        }
    }

    static func refresher(for profile: ResolvedProfile, store: StoreSelection, transport: Transport,
                          _ context: CommandContext) -> CredentialRefresher {
        CredentialRefresher(store: store.store, profile: profile, files: context.stateFiles(for: profile),
                            http: context.makeClient(transport: transport, profile: nil, credential: nil),
                            environment: context.environment, now: context.now)
    }

    var failureContext: FailureContext {
        FailureContext(profile: profile, credential: credential, now: context.now())
    }
}

/// `-v` output, curl-style: `>` for what was sent, `<` for what came back.
enum VerboseLog {
    static func lines(for event: WireEvent) -> String {
        switch event {
        case .request(let method, let url, let headers, let bodyBytes):
            var out = "> \(method) \(url)\n"
            for (name, value) in headers { out += "> \(name): \(value)\n" }
            if bodyBytes > 0 { out += "> (body: \(bodyBytes) bytes)\n" }
            return out + ">\n"
        case .response(let head, let headers):
            var out = "< \(head.httpVersion) \(head.status)\(head.reason.isEmpty ? "" : " " + head.reason)\n"
            for (name, value) in headers { out += "< \(name): \(value)\n" }
            out += "<\n"
            let limits = RateLimitStatus.parse(head.headers, now: Date())
            if let remaining = limits.remaining {
                out += "* rate limit: \(remaining)/\(limits.limit.map(String.init) ?? "?") remaining"
                if let reset = limits.resetAt { out += ", resets in \(humanDuration(reset.timeIntervalSinceNow))" }
                out += "\n"
            }
            return out
        case .redirect(_, let to, let dropped):
            return "* following redirect to \(to)"
                + (dropped ? " (another origin: credentials dropped: Authorization, the key header, cookies, the key query parameter)" : "") + "\n"
        }
    }
}
