import APICtlCore

/// `apictl logout`: forgets the stored credential of a profile (and environment);
/// with --revoke it first revokes it at the API: an OAuth 2.0 token at the
/// provider's revocation endpoint (RFC 7009), a token pair at its pair.revoke
/// endpoint, an API key at the profile's tokens.revoke endpoint. A failed revocation keeps the local copy unless --force.
enum LogoutCommand {
    static let spec = CommandSpec(
        name: "logout",
        summary: "Remove a profile's stored credential",
        options: Options.self,
        examples: ["apictl logout -p dzdesk", "apictl logout -p pocketdns -e production", "apictl logout -p dzdesk --revoke",
                   "apictl logout -p bank --proxy"],
        run: run
    )

    struct Options: CommandOptions {
        let revoke: Bool
        let force: Bool
        let proxy: Bool

        init(_ declare: OptionBinding) {
            revoke = declare.flag("revoke", nil, help: "Revoke the credential at the API first")
            force = declare.flag("force", nil, help: "With --revoke: remove the local copy even when revoking fails")
            proxy = declare.flag("proxy", nil, help: "Remove the proxy login 'login --proxy' stored instead")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (config, profile) = try context.requireProfile()
        if options.proxy {
            guard !options.revoke else { throw .usage("--revoke does not go with --proxy: a proxy login is not revoked anywhere") }
            return try forgetProxyLogin(profile, config: config, context)
        }
        return try logOut(profile, config: config, revoke: options.revoke, force: options.force, context)
    }

    /// Removes the proxy login of the profile's environment, and the one its environments share.
    static func forgetProxyLogin(_ profile: ResolvedProfile, config: ConfigFile, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let selection = try context.openStore(config: config)
        let keys = [profile.credentialKey.proxyLogin, ConnectionSecrets.sharedKey(profile).proxyLogin]
        try selection.checkRemovable(keys.contains)
        var removed = false
        for key in keys where try selection.store.delete(key) { removed = true }
        context.stderr.write(removed ? "removed the proxy login of \(profile.name) from the \(selection.store.source)\n"
                             : "apictl: note: no proxy login of \(profile.name) is stored in the \(selection.store.source)\n")
        return 0
    }

    /// Removes the stored credential of the profile's chosen account (revoking it first with
    /// `revoke`); `account remove` is this for a named account.
    static func logOut(_ profile: ResolvedProfile, config: ConfigFile, revoke: Bool, force: Bool,
                       _ context: CommandContext) throws(APICtlError) -> Int32 {
        let selection = try context.openStore(config: config)
        let key = profile.credentialKey
        try selection.checkRemovable { $0 == key }
        if revoke {
            guard let stored = try selection.store.loadLatest(key) else {
                context.stderr.write("apictl: note: nothing to log out of: no credential for \(key) is stored in the \(selection.store.source)\n")
                return 0
            }
            do {
                try self.revoke(stored, from: selection.store.source, profile: profile, context)
            } catch {
                guard force else {
                    var kept = error
                    kept.hint = "the local copy was kept; pass --force to remove it anyway"
                    throw kept
                }
                context.warn("\(error.message); removing the local copy anyway (--force)")
            }
        }
        guard try selection.store.delete(key) else {
            // Logging out twice is no failure: the state the user asked for is the state they have.
            context.stderr.write("apictl: note: nothing to log out of: no credential for \(key) is stored in the \(selection.store.source)\n")
            return 0
        }
        context.stderr.write("Logged out of \(key): removed its key from the \(selection.store.source)\n")
        forgetAccount(key, in: selection.store, context)
        if let variable = ["APICTL_TOKEN", profile.tokenEnv].compactMap({ $0 }).first(where: { !(context.environment[$0] ?? "").isEmpty }) {
            context.stderr.write("apictl: note: \(variable) is still set and will be used\n")
        }
        return 0
    }

    /// After `key`'s credential left the store: the account state forgets it, and a profile
    /// whose active account it was (in no other environment now) goes back to `default`, saying so.
    /// The state only remembers choices: a failure to write it is a warning, never the command's.
    static func forgetAccount(_ key: CredentialKey, in store: any CredentialStore, _ context: CommandContext) {
        let stillStored: Bool
        do {
            stillStored = try store.keys().contains { $0.profile == key.profile && $0.account == key.account }
        } catch {
            // Kept as the active account, since another environment may still hold one of its keys: said, so a
            // next command that finds no key is not a mystery.
            stillStored = true
            context.warn("could not check whether account '\(key.account)' of '\(key.profile)' holds other keys (\(error.message)); "
                         + "if it stays the active one, 'apictl account use default -p \(key.profile)' switches back")
        }
        var backToDefault = false
        do {
            try AccountState.update(stateDirectory: context.configLocation.stateDirectory) { state in
                state.forget(key)
                backToDefault = state.active[key.profile] == key.account && !stillStored
                if backToDefault { state.use(nil, for: key.profile) }
            }
        } catch {
            context.warn("could not note that \(key) is gone: \(error.message)")
            return
        }
        if backToDefault { context.stderr.write("'\(key.profile)' uses its 'default' account again\n") }
    }

    static func revoke(_ stored: Credential, from source: CredentialSource, profile: ResolvedProfile, _ context: CommandContext) throws(APICtlError) {
        try profile.checkBound(stored, in: source)
        let transport = try context.openTransport()
        if stored.kind == "oauth2", profile.oauth != nil {
            let http = context.makeClient(transport: transport, profile: nil, credential: nil)
            let endpoints = try OAuthEndpoints.resolve(profile, http: http)
            guard let url = endpoints.revocationURL else {
                throw APICtlError.config("profile '\(profile.name)' has no oauth.revocation_url to revoke at",
                                         hint: "set the provider's revocation endpoint (RFC 7009) with 'apictl profile set \(profile.name) --oauth-revocation-url URL', or revoke it in the provider's dashboard")
            }
            try CredentialRefresher.checkDestination(url, of: stored, profile: profile, what: "revocation endpoint")
            let identity = try OAuthEndpoints.identity(profile, environment: context.environment, storedSecret: stored.clientSecret,
                                                       connection: http.settings.connection)
            let client = OAuthClient(http: http, identity: identity, caCert: profile.caCert)
            var tokens: [(String, String)] = []
            if let refresh = stored.refreshToken { tokens.append((refresh, "refresh_token")) }
            tokens.append((stored.token, "access_token"))
            for (token, hint) in tokens {
                let response: HTTPResponse
                do { response = try client.revoke(token, hint: hint, url: url) } catch {
                    throw error.apiError(doing: "revoking the \(hint.replacingAll("_", with: " "))", profile: profile.name)
                }
                guard response.head.isSuccess else {
                    let secrets = tokens.map(\.0) + [stored.clientSecret, identity.clientSecret].compactMap { $0 }
                    throw OAuthClient.failure(response, endpoint: "the revocation endpoint", hiding: secrets)
                        .apiError(doing: "revoking the \(hint.replacingAll("_", with: " "))", profile: profile.name)
                }
                // RFC 7009 servers answer 200 for unknown tokens too: report what was said, not "revoked".
                context.stderr.write("the provider answered \(response.status) to the revocation of the \(hint.replacingAll("_", with: " "))\n")
            }
            return
        }
        if stored.kind == "pair", let pair = profile.pair, pair.revoke != nil {
            let http = context.makeClient(transport: transport, profile: nil, credential: nil)
            let status = try TokenPairClient(profile: profile, pair: pair, http: http).revoke(stored)
            // Like RFC 7009's, such endpoints may answer 200 for a token they no longer know.
            context.stderr.write("the API answered \(status) to the revocation of the token pair\n")
            return
        }
        let client = context.makeClient(transport: transport, profile: profile,
                                        credential: ResolvedCredential(credential: stored, source: source))
        let api = profile.tokens?.revoke != nil ? try TokenAPI(client: client, profile: profile) : nil
        guard let api, stored.tokenID != nil || api.revokesCallingKey else {
            throw APICtlError.config("cannot revoke the key of '\(profile.name)' at the API: "
                                     + (stored.kind == "pair" ? "the profile has no pair.revoke endpoint"
                                        : profile.tokens?.revoke == nil ? "the profile has no tokens.revoke endpoint" : "its id is not known"),
                                     hint: "revoke it in the API's dashboard")
        }
        try api.revoke(id: stored.tokenID, key: stored)
        context.stderr.write("revoked key \(stored.tokenID ?? "in use") at the API\n")
    }
}
