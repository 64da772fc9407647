import APICtlCore
import FoundationEssentials

/// `apictl account list`: each stored login of each profile (or of -p NAME's), with who it is
/// (as `whoami` last saw), where it is stored, when it expires, whether it is the profile's
/// active account, and when the audit record last saw it used.
enum AccountListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "List the stored logins of each profile, with identity, store, expiry and last use",
        discussion: "ACTIVE marks the account a command on the profile uses when nothing chooses one (see 'apictl account use'). LAST USED is this key's latest use in the audit record, CREDENTIAL the short hash the record names it by. '-' is a value not known; in --json, null. -p and -a narrow the list.",
        options: Options.self,
        examples: ["apictl account list", "apictl account list -p dzdesk --json | jq -r '.[] | select(.active) | .account'"],
        run: run
    )

    struct Options: CommandOptions {
        let json: Bool
        init(_ declare: OptionBinding) { json = declare.flag("json", nil, help: "Print a JSON array") }
    }

    struct Row {
        let key: CredentialKey
        let identity: String?
        let store: String
        let expiresAt: Date?
        let active: Bool
        let lastUsed: Date?
        let fingerprint: String

        /// nil for a profile without environments (stored as "default"), as the audit record has it.
        var environment: String? { key.environment == "default" ? nil : key.environment }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let config = try context.loadConfig()
        // Only -p or APICTL_PROFILE narrows: a project's or the default profile is one of many listed.
        let only = context.globals.profile
        if let only, config.profiles[only] == nil { throw .config("unknown profile '\(only)' in \(context.configLocation.configFile)") }
        let selection = try context.openStore(config: config)
        let state = AccountState(stateDirectory: context.configLocation.stateDirectory)
        if let why = state.unreadable { context.warn("\(why): active accounts and identities are not shown from it") }
        let usage = AuditUsage(AuditLog(stateDirectory: context.configLocation.stateDirectory).entries())
        var rows: [Row] = []
        let label = context.globals.chosenAccount?.name
        for key in try selection.store.keys().sorted() where key.isLogin && (only == nil || key.profile == only) && (label == nil || key.account == label) {
            guard let credential = try selection.store.load(key) else { continue }
            let fingerprint = AuditEntry.fingerprint(of: credential.token)
            rows.append(Row(key: key, identity: state.identity(of: key), store: selection.store.source.name, expiresAt: credential.expiresAt,
                            active: (state.active[key.profile] ?? CredentialKey.defaultAccount) == key.account,
                            lastUsed: usage.lastUse(fingerprint: fingerprint), fingerprint: fingerprint))
        }
        if options.json {
            context.stdout.write(JSONOutput.render(.array(rows.map(json))))
            return 0
        }
        if rows.isEmpty {
            context.stderr.write("no stored logins\(only.map { " for '\($0)'" } ?? "") in the \(selection.store.source); log in with 'apictl login -p \(only ?? "NAME") [-a LABEL]'\n")
            return 0
        }
        let header = ["PROFILE", "ENV", "ACCOUNT", "IDENTITY", "STORE", "EXPIRES", "ACTIVE", "LAST USED", "CREDENTIAL"]
        let table = [header] + rows.map { row in
            [row.key.profile, row.environment ?? "-", row.key.account, row.identity ?? "-", row.store,
             row.expiresAt.map(Timestamp.iso8601) ?? "-", row.active ? "yes" : "", row.lastUsed.map(Timestamp.iso8601) ?? "-", row.fingerprint]
        }
        context.stdout.write(TextTable.render(table, width: context.stdout.columns))
        return 0
    }

    static func json(_ row: Row) -> JSONValue {
        .object(["profile": .string(row.key.profile), "environment": JSONValue(row.environment), "account": .string(row.key.account),
                 "identity": JSONValue(row.identity), "store": .string(row.store),
                 "expires_at": JSONValue(row.expiresAt.map(Timestamp.iso8601)), "active": .bool(row.active),
                 "last_used": JSONValue(row.lastUsed.map(Timestamp.iso8601)), "credential": .string(row.fingerprint)])
    }
}
