import APICtlCore

/// `apictl profile set NAME`: edits a profile in place. Only what is given changes;
/// the rest of the profile, its stored credentials included, stays as it was.
enum ProfileSetCommand {
    /// What `--unset` may remove, and how.
    static let unsettable: [(name: String, remove: @Sendable (inout ProfileConfig, String?) -> Bool)] = [
        ("token-env", { profile, _ in defer { profile.tokenEnv = nil }; return profile.tokenEnv != nil }),
        ("whoami", { profile, _ in defer { profile.whoami = nil }; return profile.whoami != nil }),
        ("whoami-key-id", { profile, _ in defer { profile.whoamiKeyID = nil }; return profile.whoamiKeyID != nil }),
        ("token-command", { profile, _ in defer { profile.tokenCommand = nil }; return profile.tokenCommand != nil }),
        ("ca-cert", { profile, _ in defer { profile.caCert = nil }; return profile.caCert != nil }),
        ("client-cert", { profile, _ in
            defer { profile.connection = ConnectionConfig(proxy: profile.connection.proxy) }
            return profile.connection.clientCert != nil
        }),
        ("client-key", { profile, _ in defer { profile.connection.clientKey = nil }; return profile.connection.clientKey != nil }),
        ("client-key-passphrase-env", { profile, _ in
            defer { profile.connection.clientKeyPassphraseEnv = nil }
            return profile.connection.clientKeyPassphraseEnv != nil
        }),
        ("proxy", { profile, _ in defer { profile.connection.proxy = nil }; return profile.connection.proxy != nil }),
        ("default-env", { profile, _ in defer { profile.defaultEnv = nil }; return profile.defaultEnv != nil }),
        ("idempotency-header", { profile, _ in defer { profile.idempotencyHeader = nil }; return profile.idempotencyHeader != nil }),
        ("openapi", { profile, _ in defer { profile.openapi = nil }; return profile.openapi != nil }),
        ("oauth", { profile, _ in defer { profile.oauth = nil }; return profile.oauth != nil }),
        ("pagination", { profile, _ in defer { profile.pagination = nil }; return profile.pagination != nil }),
        ("var", { profile, key in profile.vars?.removeValue(forKey: key ?? "") != nil }),
        ("header", { profile, key in profile.headers?.removeValue(forKey: key ?? "") != nil }),
        ("env", { profile, key in
            guard profile.environments?.removeValue(forKey: key ?? "") != nil else { return false }
            if profile.defaultEnv == key { profile.defaultEnv = nil }
            return true
        }),
    ]

    static let spec = CommandSpec(
        name: "set",
        summary: "Change a profile in place",
        discussion: "Takes the same options as 'profile add'; only what is given changes. "
            + "With -e ENV it changes that environment's --client-cert, --client-key, --client-key-passphrase-env and --proxy only. "
            + "--unset removes a setting: " + unsettable.map { ["var", "header", "env"].contains($0.name) ? "\($0.name):NAME" : $0.name }
                .joined(separator: ", ") + ".",
        options: Options.self,
        examples: [
            "apictl profile set acme --var subdomain=montreal-acme",
            "apictl profile set pdns --env-url staging=https://api.staging.pocketdns.com",
            "apictl profile set dzdesk --whoami /me --unset token-env",
            "apictl profile set techdocs --auth oauth2 --oauth-client-id YOUR_CLIENT_ID",
            "apictl profile set bank -e production --client-cert ~/certs/prod.pem --client-key ~/certs/prod.key",
        ],
        run: run
    )

    struct Options: CommandOptions {
        let unset: [String]
        let edits: ProfileEdits
        let name: String

        init(_ declare: OptionBinding) {
            unset = declare.list("unset", nil, "SETTING", help: "Remove a setting (e.g. token-env, var:subdomain, env:staging)",
                                 completion: .suggestions(unsettable.map { ["var", "header", "env"].contains($0.name) ? "\($0.name):" : $0.name }))
            edits = ProfileEdits(declare)
            name = declare.argument("NAME", help: "Profile to change", completion: .profiles)
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let name = options.name
        var (config, profile) = try ProfileCommand.load(name, context)
        let before = profile
        let environment = try chosenEnvironment(of: &profile, named: name, context)
        for setting in options.unset {
            let (kind, key) = setting.firstIndex(of: ":").map { (String(setting[..<$0]), String(setting[setting.index(after: $0)...])) }
                ?? (setting, nil)
            guard let entry = unsettable.first(where: { $0.name == kind }) else {
                throw .usage("--unset does not know '\(setting)'",
                             hint: suggestion(kind, among: unsettable.map(\.name)).map { "did you mean '\($0)'?" }
                                 ?? "it takes \(unsettable.map(\.name).joined(separator: ", "))")
            }
            let keyed = ["var", "header", "env"].contains(kind)
            if keyed && (key ?? "").isEmpty { throw .usage("--unset \(kind) needs a name, as in --unset \(kind):NAME") }
            if !keyed && key != nil { throw .usage("--unset \(kind) takes no name") }
            if !entry.remove(&profile, key) {
                context.warn("profile '\(name)' has no \(setting) to remove")
            }
        }
        try options.edits.apply(to: &profile, name: name)
        if let environment { profile = try movingConnection(of: profile, to: environment, before: before) }
        if let url = options.edits.baseURL, let oauth = profile.oauth, before.baseURL.flatMap(URLParts.parse)?.origin != URLParts.parse(url)?.origin,
           let endpoint = [oauth.authorizeURL, oauth.tokenURL, oauth.deviceAuthorizationURL].compactMap({ $0 }).first(where: URLParts.isAbsolute) {
            context.warn("the OAuth endpoints stay where they were (\(endpoint)); change them with --oauth-issuer or --oauth-token-url")
        }
        guard profile != before else {
            context.stderr.write("profile '\(name)' is unchanged\n")
            return 0
        }
        let store = context.configStore
        // Every environment is checked, so a {var} one of them needs is named now.
        let environments = (profile.environments ?? [:]).keys.sorted()
        var resolved: ResolvedProfile?
        for environment in environments.isEmpty ? [nil] : environments.map(Optional.some) {
            let checked = try ResolvedProfile.resolve(name: name, config: profile, requestedEnvironment: environment, configPath: store.path)
            if resolved == nil || environment == profile.defaultEnv { resolved = checked }
        }
        guard let resolved else { return 0 }
        config.profiles[name] = profile
        try context.saveConfig(config)
        var message = "updated profile '\(name)' (\(profile.auth), \(resolved.baseURL)"
        if let env = resolved.environment { message += ", environment \(env)" }
        context.stderr.write(message + ")\n")
        return 0
    }

    /// -e ENV (the flag, not APICTL_ENV): the environment whose certificate and proxy settings
    /// this run edits; they stand in the profile's place while the edits are applied.
    private static func chosenEnvironment(of profile: inout ProfileConfig, named name: String,
                                          _ context: CommandContext) throws(APICtlError) -> String? {
        guard let chosen = context.globals.chosenEnvironment, case .flag = chosen.origin else { return nil }
        guard let environment = profile.environments?[chosen.name] else {
            throw .usage("profile '\(name)' has no environment '\(chosen.name)'", hint: "add it with --env-url \(chosen.name)=URL first")
        }
        profile.connection = environment.connection
        return chosen.name
    }

    /// `edited` with its connection settings moved to `environment`, the profile's own as `before`
    /// had them; any other change is not one -e allows.
    private static func movingConnection(of edited: ProfileConfig, to environment: String,
                                         before: ProfileConfig) throws(APICtlError) -> ProfileConfig {
        var outside = edited
        outside.connection = before.connection
        guard outside == before else {
            throw .usage("with -e \(environment), profile set changes only that environment's --client-cert, --client-key, "
                         + "--client-key-passphrase-env and --proxy", hint: "run the other changes without -e")
        }
        var moved = before
        moved.environments?[environment]?.connection = edited.connection
        return moved
    }
}
