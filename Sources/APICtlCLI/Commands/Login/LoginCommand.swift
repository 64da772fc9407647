import APICtlCore
import FoundationEssentials

/// `apictl login`: takes a key (no-echo prompt, or stdin with --with-token),
/// checks it against the profile's whoami path, and only then stores it.
enum LoginCommand {
    static let spec = CommandSpec(
        name: "login",
        summary: "Store a credential for a profile, after checking it with the API",
        discussion: """
        The key is read from a no-echo prompt on the terminal, or from stdin (with
        --with-token, or when stdin is not a terminal); never from the command line.
        With -a LABEL it is stored as another account of the profile, beside the first
        login's 'default' (see 'apictl account'). It is verified against the
        profile's whoami path and refused if the API rejects it. It is stored in the
        keyring or the encrypted file (credential_store / APICTL_CREDENTIAL_STORE).
        On an oauth2 profile, login runs an OAuth 2.0 flow instead: the browser
        (authorization code with PKCE, redirected to a listener on 127.0.0.1; the
        default), --device, or --client-credentials. The token renews itself.
        --proxy stores the user and password the profile's proxy asks for instead
        (docs/configuration.md): they go to the proxy only, never to the API.
        In a CI job, --ci exchanges the job's ID token as the profile's `ci` table
        says (docs/ci.md); requests do that by themselves, and nothing is stored.
        """,
        options: Options.self,
        examples: ["apictl login -p dzdesk", "echo \"$KEY\" | apictl login -p dzdesk --with-token",
                   "echo \"$WORK_KEY\" | apictl login -p dzdesk -a work --with-token", "apictl login -p corp-sso --device",
                   "apictl login -p ci-bot --client-credentials --client-secret-stdin < secret.txt",
                   "apictl login -p dzdesk --ci", "echo \"$PROXY_PASSWORD\" | apictl login -p bank --proxy --proxy-user me"],
        run: run
    )

    struct Options: CommandOptions {
        let withToken: Bool
        let noVerify: Bool
        let keyID: String?
        let ci: Bool
        let oauth: OAuthLogin.Options
        let device: DeviceLogin.Options
        let pair: PairLogin.Options
        let proxy: ProxyLogin.Options

        init(_ declare: OptionBinding) {
            withToken = declare.flag("with-token", nil, help: "Read the key from stdin")
            noVerify = declare.flag("no-verify", nil, help: "Store the key without asking the API first")
            keyID = declare.value("key-id", nil, "ID", help: "The key's id at the API, so 'token rotate' can revoke it later")
            ci = declare.flag("ci", nil, help: "Exchange this CI job's ID token now, as the profile's ci table says; stores nothing")
            oauth = OAuthLogin.Options(declare)
            device = DeviceLogin.Options(declare)
            pair = PairLogin.Options(declare)
            proxy = ProxyLogin.Options(declare)
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (config, profile) = try context.requireProfile()
        if options.proxy.proxy { return try ProxyLogin.run(options.proxy, context, config: config, profile: profile, verify: !options.noVerify) }
        if options.proxy.user != nil { throw .usage("--proxy-user goes with --proxy") }
        if options.ci { return try CILogin.run(context, profile: profile) }
        if let pair = profile.pair, !options.withToken || pair.asksForToken {
            return try PairLogin.run(options, context, configFile: config, profile: profile, pair: pair)
        }
        if (profile.auth == .oauth2 || options.oauth.flowRequested) && !options.withToken {
            return try OAuthLogin.run(options, context, configFile: config, profile: profile)
        }
        let token = try readToken(withToken: options.withToken, context, profile: profile)
        if let why = profile.environmentMismatch(of: token, requireOwnPrefix: true) {
            throw APICtlError.auth("\(why); nothing was stored", hint: "log it in with -e for the environment it belongs to")
        }
        var credential = Credential(token: token, kind: JWT.decode(token) != nil ? "jwt" : "api_key", createdAt: context.now())
        let claims = JWT.decode(token)
        credential.expiresAt = claims?.expiresAt
        credential.scopes = claims.flatMap { $0.scopes.isEmpty ? nil : $0.scopes }
        credential.tokenID = options.keyID
        var who: String?
        if !options.noVerify {
            let identity = try verify(credential, profile: profile, context)
            who = identity?.shownName
            if let scopes = identity?.scopes, !scopes.isEmpty { credential.scopes = scopes }
            if credential.tokenID == nil { credential.tokenID = identity?.keyID }
        }
        context.stderr.write(try store(credential, who: who, noun: "key", profile: profile, config: config, context) + "\n")
        return 0
    }

    /// Stores a verified credential in the chosen store (saying so once when `auto`
    /// fell back to the file); "Logged in to NAME as WHO; NOUN stored in the STORE".
    /// `selection`: the store when the caller opened it already (one passphrase prompt, one probe).
    static func store(_ credential: Credential, who: String?, noun: String, profile: ResolvedProfile, config: ConfigFile,
                      _ context: CommandContext, in opened: StoreSelection? = nil) throws(APICtlError) -> String {
        let selection: StoreSelection
        if let opened { selection = opened } else { selection = try context.openStore(config: config) }
        let key = profile.credentialKey
        // A server that answers with the key itself as the name does not get it printed or kept.
        let who = who.map { Redactor(secrets: credential.secrets).text($0) }
        if let reason = selection.fallbackReason {
            if KeyringLedger(dataDirectory: context.configLocation.dataDirectory).contains(key) {
                context.warn("no keyring: \(reason); the credential stored for \(key) in the Secret Service keyring stays there, "
                             + "and this one goes to the encrypted file, which is used while no keyring runs")
            } else {
                context.warn("no keyring: \(reason); using the encrypted file instead")
            }
        }
        let replaced = (try? selection.store.loadLatest(key)) != nil
        try selection.store.save(profile.bound(credential), for: key)
        context.rememberAccount(key, identity: who)
        var message = "Logged in to \(profile.name)"
        if let env = profile.environment { message += " (\(env))" }
        if !key.isDefaultAccount {
            message += ", account \(key.account)"
            if case .userDefault(let what) = profile.choice.account { message += " (from \(what))" }
        }
        if let who { message += " as \(TerminalText.escapingControls(who))" }
        message += "; \(noun) stored in the \(selection.store.source)" + (replaced ? ", replacing the one stored before" : "")
        // A cloned project chose where this key went: say so, so a key meant elsewhere is noticed.
        return message + (profile.projectChoiceNote)
    }

    static func readToken(withToken: Bool, _ context: CommandContext, profile: ResolvedProfile) throws(APICtlError) -> String {
        let raw: String
        if withToken || !context.stdinIsTerminal {
            // A key piped in is read as with --with-token: prompting would ignore it.
            if context.stdinIsTerminal {
                throw .usage("--with-token reads the key from stdin, which is a terminal", hint: "pipe it in: echo \"$KEY\" | apictl login --with-token")
            }
            // A key is at most 64 KiB: reading stops a little past that (room for the blank lines
            // around it), so `< /dev/zero` or a mistaken 100 MB file is refused at once.
            let room = TokenText.longest + 4096
            let bytes = context.readStandardInputUpTo(room)
            guard bytes.count <= room else {
                throw .usage("the key on stdin is more than the \(TokenText.longest / 1024) KiB a token may be; give just the key")
            }
            raw = String(decoding: bytes, as: UTF8.self)
            if raw.trimmingWhitespace().isEmpty && !withToken {
                throw .usage("no key on stdin and no terminal to prompt on", hint: "pipe it in: echo \"$KEY\" | apictl login -p \(profile.name)")
            }
        } else {
            guard let typed = TerminalInput.readSecret(prompt: "Paste the API key for \(profile.name)\(profile.projectChoiceNote): ") else {
                throw .usage("no terminal to prompt on", hint: "pipe the key in with --with-token")
            }
            raw = typed
        }
        let token = raw.trimmingWhitespace()
        guard !token.isEmpty else { throw .usage("no key was given", hint: "echo \"$KEY\" | apictl login -p \(profile.name) --with-token") }
        guard !token.contains(where: \.isNewline) else { throw .usage("the key has a line break in it; give just the key") }
        // Checked as every token sent is, before the check with whoami sends it.
        if let problem = TokenText.issuedProblem(token) { throw .usage("the key \(problem); give just the key") }
        if let scheme = ["Bearer ", "Token ", "Basic "].first(where: { token.hasPrefix($0) }) {
            throw .usage("give just the key, without '\(scheme.trimmingSpaces())'; the profile's auth scheme adds it")
        }
        return token
    }

    /// Asks whoami with `credential`; the identity, with the key's id when `whoami_key_id` points at it.
    static func verify(_ credential: Credential, profile: ResolvedProfile, _ context: CommandContext) throws(APICtlError) -> Identity? {
        guard let path = profile.whoamiPath else {
            throw .config("profile '\(profile.name)' has no whoami path to check the key with",
                          hint: "set one with 'apictl profile set \(profile.name) --whoami PATH', or pass --no-verify")
        }
        let resolved = ResolvedCredential(credential: credential, source: .environment(variable: "login"))
        let client = context.makeClient(transport: try context.openTransport(), profile: profile, credential: resolved)
        let request = try RequestBuilder.build(RequestDescription(method: "GET", target: path), profile: profile,
                                               input: .files(readStandardInput: { [] }))
        let response = try client.fetch(request)
        guard response.head.isSuccess else {
            var error = HTTPFailure.error(for: response, context: FailureContext(profile: profile, credential: nil, now: context.now()))
            error.hint = "the API rejected this key, so it was not stored"
            throw error
        }
        return Identity.from(response.body, profile: profile)
    }
}
