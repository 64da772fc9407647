import APICtlCore
import FoundationEssentials

/// `apictl token rotate`: create -> verify -> store -> revoke old, each step on
/// stderr, journalled so that a crash at any step is finished or rolled back by
/// the next command on the profile. Whatever fails, a working key stays stored.
enum TokenRotateCommand {
    static let spec = CommandSpec(
        name: "rotate",
        summary: "Replace the stored key with a new one, then revoke the old",
        discussion: """
        The new key is named after --name (or the old key's name) plus the date and a
        short suffix. It is verified against whoami before it is stored; only then is
        the old key revoked. Without a known id for the old key (login --key-id, the
        profile's whoami_key_id, or --old-id) the old key is left for you to revoke.
        """,
        options: Options.self,
        examples: ["apictl token rotate -p dzdesk --expires-in 90d"],
        run: run
    )

    struct Options: CommandOptions {
        let expiresIn: DurationValue?
        let name: String?
        let oldID: String?

        init(_ declare: OptionBinding) {
            expiresIn = declare.duration("expires-in", help: "Lifetime of the new key: 90d, 12h, 30m or seconds")
            name = declare.value("name", nil, "NAME", help: "Base name of the new key")
            oldID = declare.value("old-id", nil, "ID", help: "The id at the API of the key being replaced")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (session, profile) = try context.openProfileSession()
        let current = try TokenCommand.requireCredential(session)
        // The store is opened only when nothing before it (environment, token command) answered.
        guard let store = session.store else {
            throw APICtlError.config("the key comes from the \(current.source); there is no stored key to replace",
                                     hint: "create one with 'apictl token create', put it where \(current.source) is set, then revoke the old one")
        }
        guard profile.whoamiPath != nil else {
            throw APICtlError.config("profile '\(profile.name)' has no whoami path to check the new key with")
        }
        let oldID = options.oldID ?? current.credential.tokenID
        let api = try TokenAPI(client: session.client, profile: profile)
        // A key stored by login has no name of its own; the API's list knows it.
        var oldName = current.credential.name
        if oldName == nil, let oldID, api.canList { oldName = try api.list().first { $0.id == oldID }?.name }
        let base = options.name ?? oldName.map(baseName) ?? "apictl-\(profile.name)"
        let name = "\(base)-\(Timestamp.iso8601(context.now()).prefix(10))-\(RandomText.suffix(length: 4))"
        let rotation = KeyRotation(api: api, store: store.store,
                                   files: session.parts.stateFiles(for: profile), now: context.now,
                                   report: { context.stderr.write("rotate: \($0)\n") })
        let outcome = try rotation.rotate(current: current.credential, oldID: oldID, name: name, expiresIn: options.expiresIn?.seconds) { fresh throws(APICtlError) in
            _ = try LoginCommand.verify(fresh, profile: profile, context)
        }
        let newID = outcome.newKey.tokenID ?? "(no id given)"
        if let left = outcome.oldKeyLeft {
            let reason = outcome.oldRevokeError?.message ?? "unknown"
            // Both keys under one id: revoking it by that id could revoke the key now stored.
            let sameID = outcome.newKey.tokenID != nil && outcome.newKey.tokenID == oldID
            throw APICtlError(.httpError, "the new key \(newID) is stored and works, but revoking the old key \(left) failed: \(reason)",
                              hint: sameID ? "the API cannot tell the two keys apart by id: revoke the old one in its dashboard, not with 'token revoke'"
                                  : "finish with 'apictl token revoke \(left) -p \(profile.name)'")
        }
        if outcome.oldIDUnknown {
            context.warn("the old key has no known id, so it was not revoked; revoke it by hand at the API (next time: login --key-id or --old-id)")
        }
        let revoked = oldID.map { "; the old key \($0) was revoked" } ?? (api.revokesCallingKey ? "; the old key was revoked" : "")
        context.stderr.write("rotated \(profile.name): the new key \(newID) is stored in the \(store.store.source)\(revoked)\n")
        return 0
    }

    /// "deploy-2026-01-01-ab12" back to "deploy", so names do not grow with every rotation.
    static func baseName(_ name: String) -> String {
        let parts = name.split(separator: "-")
        guard parts.count > 4, parts[parts.count - 1].count == 4, parts[parts.count - 4].count == 4,
              Int(parts[parts.count - 4]) != nil else { return name }
        return parts.dropLast(4).joined(separator: "-")
    }
}
