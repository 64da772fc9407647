import APICtlCore
import FoundationEssentials

/// `apictl token list`: the API's keys merged with the stored one, with age,
/// expiry, which key is in use, and flags for keys due for rotation or expiring.
enum TokenListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "List the API's keys and the stored one, flagging old and expiring keys",
        discussion: "LAST USED is the latest use the audit record ('apictl audit') holds. A key older than the profile's tokens.rotate_after (default 90d) is flagged 'rotate'; one that expires within 7 days, 'expiring'; one past its expiry, 'expired'. '-' is a value the API did not give (no expiry, or not said); in --json, null.",
        options: Options.self,
        examples: ["apictl token list -p dzdesk", "apictl token list --json | jq -r '.[] | select(.flags | index(\"rotate\")) | .id'"],
        run: run
    )

    struct Row {
        var key: ListedKey
        var inUse: Bool
        /// False for the stored key when its id at the API is not known (its id then reads "-").
        var idKnown = true
        var flags: [String]
        var ageDays: Int?
        /// When the audit record last saw it sent.
        var lastUsed: Date?
    }

    struct Options: CommandOptions {
        let json: Bool
        init(_ declare: OptionBinding) { json = declare.flag("json", nil, help: "Print a JSON array") }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (session, profile) = try context.openProfileSession()
        let current = try TokenCommand.requireCredential(session)
        let api = try TokenAPI(client: session.client, profile: profile)
        let keys = api.canList ? try api.list() : []
        let local = current.credential
        // Only a stored key adds a row of its own (one from the environment or a command is not stored here).
        var rows = keys.map { key in row(key, inUse: key.id == local.tokenID, profile: profile, now: context.now()) }
        if session.store != nil, !rows.contains(where: \.inUse) {
            var stored = row(ListedKey(id: local.tokenID ?? "-", name: local.name, scopes: local.scopes,
                                       createdAt: local.createdAt, expiresAt: local.expiresAt), inUse: true, profile: profile, now: context.now())
            stored.idKnown = local.tokenID != nil
            rows.append(stored)
        }
        let usage = AuditUsage(AuditLog(stateDirectory: context.configLocation.stateDirectory).entries())
        for index in rows.indices {
            let byID = rows[index].idKnown ? usage.lastUse(tokenID: rows[index].key.id, profile: profile.name) : nil
            let byHash = rows[index].inUse ? usage.lastUse(fingerprint: AuditEntry.fingerprint(of: local.token)) : nil
            rows[index].lastUsed = [byID, byHash].compactMap { $0 }.max()
        }
        if options.json {
            context.stdout.write(JSONOutput.render(.array(rows.map(json))))
            return 0
        }
        let header = ["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "AGE", "LAST USED", "IN USE", "FLAGS"]
        let table = [header] + rows.map { row in
            [row.key.id, row.key.name ?? "-", TokenCommand.describe(row.key.scopes),
             row.key.createdAt.map(Timestamp.iso8601) ?? "-", row.key.expiresAt.map(Timestamp.iso8601) ?? "-",
             row.ageDays.map { "\($0)d" } ?? "-", row.lastUsed.map(Timestamp.iso8601) ?? "-", row.inUse ? "yes" : "",
             row.flags.joined(separator: ",")]
        }
        context.stdout.write(TextTable.render(table, width: context.stdout.columns))
        if !api.canList { context.stderr.write("apictl: profile '\(profile.name)' has no tokens.list endpoint; only the stored key is shown\n") }
        return 0
    }

    static func row(_ key: ListedKey, inUse: Bool, profile: ResolvedProfile, now: Date) -> Row {
        Row(key: key, inUse: inUse, flags: KeyAge.flags(createdAt: key.createdAt, expiresAt: key.expiresAt, profile: profile, now: now),
            ageDays: key.createdAt.map { max(0, now.timeIntervalSince($0) / 86400).saturatingInt })
    }

    static func json(_ row: Row) -> JSONValue {
        .object(["id": row.idKnown ? .string(row.key.id) : .null, "name": JSONValue(row.key.name), "scopes": row.key.scopes.map(JSONValue.init) ?? .null,
                 "created_at": JSONValue(row.key.createdAt.map(Timestamp.iso8601)),
                 "expires_at": JSONValue(row.key.expiresAt.map(Timestamp.iso8601)), "age_days": JSONValue(row.ageDays),
                 "last_used": JSONValue(row.lastUsed.map(Timestamp.iso8601)), "in_use": .bool(row.inUse), "flags": JSONValue(row.flags)])
    }
}
