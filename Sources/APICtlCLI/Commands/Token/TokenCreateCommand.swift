import APICtlCore
import FoundationEssentials

/// `apictl token create`: a new key through the API's create endpoint, printed
/// once on stdout (and nothing else there), or with --store verified and kept
/// in place of the current credential (seed 002: a short-living token buys a
/// long-living one).
enum TokenCreateCommand {
    static let spec = CommandSpec(
        name: "create",
        summary: "Create a key at the API and print it once",
        discussion: """
        The key goes to stdout, its id, scopes and expiry to stderr. With --store it is
        checked against whoami and stored in place of the current credential, and only
        its id is printed. The profile's [tokens] table says where the endpoint is.
        """,
        options: Options.self,
        examples: ["apictl token create --name ci --scope requests:read --expires-in 30d",
                   "apictl token create -p datasets --name backend --expires-in 90d --store"],
        run: run
    )

    struct Options: CommandOptions {
        let name: String?
        let scopes: [String]
        let expiresIn: DurationValue?
        let store: Bool

        init(_ declare: OptionBinding) {
            name = declare.value("name", nil, "NAME", help: "Name of the new key")
            scopes = declare.list("scope", nil, "SCOPE", help: "Scope of the new key (default: the API's choice)")
            expiresIn = declare.duration("expires-in", help: "Lifetime: 90d, 12h, 30m or seconds")
            store = declare.flag("store", nil, help: "Verify the new key and store it in place of the current one")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        guard let name = options.name, !name.trimmingWhitespace().isEmpty else {
            throw APICtlError.usage("token create needs --name", hint: "e.g. apictl token create --name ci --expires-in 30d")
        }
        let (session, profile) = try context.openProfileSession()
        let current = try TokenCommand.requireCredential(session)
        let api = try TokenAPI(client: session.client, profile: profile)
        let issued = try api.create(name: name, scopes: options.scopes, expiresIn: options.expiresIn?.seconds, now: context.now())
        var about = "created key \(issued.id ?? "(no id given)") '\(issued.name)', scopes \(TokenCommand.describe(issued.scopes))"
        about += issued.expiresAt.map { ", expires \(Timestamp.iso8601($0))" } ?? ", no expiry given"
        guard options.store else {
            context.stdout.write(issued.key + "\n")
            context.stderr.write(about + "; the key is shown only this once\n")
            return 0
        }
        var fresh = Credential(token: issued.key, tokenID: issued.id, kind: JWT.decode(issued.key) != nil ? "jwt" : "api_key",
                               expiresAt: issued.expiresAt ?? JWT.decode(issued.key)?.expiresAt,
                               scopes: issued.scopes.isEmpty ? nil : issued.scopes, createdAt: context.now())
        fresh.name = issued.name
        do throws(APICtlError) {
            _ = try LoginCommand.verify(fresh, profile: profile, context)
            let selection: StoreSelection
            if let opened = session.store { selection = opened } else { selection = try session.parts.stores.open(reading: nil) }
            let key = profile.credentialKey
            let replaced = try selection.store.loadLatest(key) != nil
            try selection.store.save(profile.bound(fresh), for: key)
            context.stderr.write(about + "; " + storedNote(selection.store.source, current: current, replaced: replaced) + "\n")
        } catch {
            throw withdrawn(issued, fresh: fresh, api: api, after: error)
        }
        context.stdout.write((issued.id ?? "") + "\n")
        return 0
    }

    /// Where the new key went, and what the user should know about the credential in use: one
    /// from the environment still wins over the store.
    static func storedNote(_ store: CredentialSource, current: ResolvedCredential, replaced: Bool) -> String {
        var note = "stored in the \(store)"
        if replaced { note += " in place of the key stored before, which stays valid at the API until revoked" }
        switch current.source {
        case .keyring, .file: return note
        default: return note + "; the \(current.source) is still set and is used before it"
        }
    }

    /// A new key that could not be verified or stored is revoked; when even that fails, the
    /// user is told it is live, and how to revoke it.
    static func withdrawn(_ issued: IssuedKey, fresh: Credential, api: TokenAPI, after error: APICtlError) -> APICtlError {
        guard issued.id != nil || api.revokesCallingKey else {
            var told = error
            told.message += "; the new key '\(issued.name)' has no id, so it was not revoked: revoke it in the API's dashboard"
            return told
        }
        do { try api.revoke(id: issued.id, key: fresh) } catch let revokeError {
            var told = error
            told.message += "; revoking the new key \(issued.id ?? "'\(issued.name)'") failed too (\(revokeError.message)): it is live at the API"
            told.hint = issued.id.map { "revoke it: 'apictl token revoke \($0) -p \(api.profile.name)'" } ?? "revoke it in the API's dashboard"
            return told
        }
        return error
    }
}
