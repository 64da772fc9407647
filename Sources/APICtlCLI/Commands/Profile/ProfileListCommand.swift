import APICtlCore

/// `apictl profile list`: every profile (and environment) with the URL its requests
/// go to and where its credential comes from, the default marked.
enum ProfileListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "List profiles, their URLs and where each credential is",
        discussion: "CREDENTIAL says where a request would find the key: an environment variable, a token\n"
            + "command, a CI exchange, the keyring or the encrypted file. The file is looked into only\n"
            + "when its passphrase is at hand (APICTL_PASSPHRASE, APICTL_PASSPHRASE_FILE or a cached key).",
        options: Options.self,
        examples: ["apictl profile list", "apictl profile list --json | jq -r '.[].name'"],
        run: run
    )

    struct Row {
        var isDefault: Bool
        var name: String
        var environment: String?
        var auth: String
        var url: String
        var credential: String
    }

    struct Options: CommandOptions {
        let json: Bool
        init(_ declare: OptionBinding) { json = declare.flag("json", nil, help: "Print JSON") }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let config = try context.loadConfig()
        let names = config.profiles.keys.sorted()
        guard !names.isEmpty || options.json else {
            context.stderr.write("no profiles yet; add one with 'apictl profile add NAME --preset dzdesk' (presets: "
                                 + Preset.all.map(\.name).joined(separator: ", ") + ")\n")
            return 0
        }
        let stored = StoredCredentials(config: config, context: context)
        var rows: [Row] = []
        for name in names {
            guard let profile = config.profiles[name] else { continue }
            let environments = (profile.environments ?? [:]).keys.sorted()
            for environment in environments.isEmpty ? [nil] : environments.map(Optional.some) {
                var row = Row(isDefault: name == config.defaultProfile, name: name, environment: environment,
                              auth: profile.auth, url: "", credential: "")
                do {
                    let resolved = try ResolvedProfile.resolve(name: name, config: profile, requestedEnvironment: environment,
                                                               configPath: context.configStore.path)
                    row.url = resolved.baseURL
                    row.credential = stored.whereFound(resolved)
                } catch {
                    row.url = (environment.flatMap { profile.environments?[$0]?.baseURL } ?? profile.baseURL ?? "") + " (\(error.message))"
                    row.credential = "-"
                }
                rows.append(row)
            }
        }
        if options.json {
            context.stdout.write(JSONOutput.render(.array(rows.map { row in
                var object: [String: JSONValue] = ["name": .string(row.name), "auth": .string(row.auth), "url": .string(row.url),
                                                   "default": .bool(row.isDefault), "credential": .string(row.credential)]
                if let environment = row.environment { object["environment"] = .string(environment) }
                return .object(object)
            })))
            return 0
        }
        let table = [["", "NAME", "AUTH", "URL", "CREDENTIAL"]] + rows.map { row in
            let label = row.environment.map { env in
                "\(row.name) -e \(env)" + (env == config.profiles[row.name]?.defaultEnv ? " (default)" : "")
            } ?? row.name
            return [row.isDefault ? "*" : "", label, row.auth, row.url, row.credential]
        }
        context.stdout.write(TextTable.render(table, width: context.stdout.columns))
        return 0
    }
}

/// Where each profile's credential is, found without a prompt: the store is opened
/// once, and the encrypted file is read only when its passphrase needs no asking.
struct StoredCredentials {
    let context: CommandContext
    private var keys: Set<CredentialKey>?
    private var storeName = ""
    private var unreachable: String?
    private let ledger: KeyringLedger

    init(config: ConfigFile, context: CommandContext) {
        self.context = context
        ledger = KeyringLedger(dataDirectory: context.configLocation.dataDirectory)
        do {
            let selection = try context.openStore(config: config)
            storeName = selection.store is EncryptedFileStore ? "encrypted file" : "keyring"
            if let file = selection.store as? EncryptedFileStore {
                if !file.exists {
                    keys = []
                } else if TerminalInput.passphraseAtHand(environment: context.environment, file: file) {
                    keys = Set(try file.keys().filter(\.isLogin))
                }
                unreachable = selection.fallbackReason.map { _ in "keyring unreachable" }
            } else {
                keys = Set(try selection.store.keys().filter(\.isLogin))
            }
        } catch {
            unreachable = error.message
        }
    }

    func whereFound(_ profile: ResolvedProfile) -> String {
        switch PlannedCredential.plan(profile: profile, environment: context.environment) {
        case .environment(let credential): return credential.source.description
        case .command(let source), .ci(let source): return source.description
        case .store: break
        }
        let key = profile.credentialKey
        if let unreachable, ledger.contains(key) { return "keyring (\(unreachable))" }
        guard let keys else { return unreachable.map { "? (\($0))" } ?? "\(storeName) (locked; set APICTL_PASSPHRASE to look)" }
        return keys.contains(key) ? storeName : "none"
    }
}
