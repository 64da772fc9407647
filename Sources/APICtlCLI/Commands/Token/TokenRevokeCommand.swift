import APICtlCore

/// `apictl token revoke [ID]`: revokes a key at the API; revoking the key in
/// use asks first (or needs --yes without a terminal), then removes the local copy.
enum TokenRevokeCommand {
    static let spec = CommandSpec(
        name: "revoke",
        summary: "Revoke a key at the API (the stored one when no ID is given)",
        options: Options.self,
        examples: ["apictl token revoke key_1234 -p dzdesk", "apictl token revoke --yes"],
        run: run
    )

    struct Options: CommandOptions {
        let yes: Bool
        let id: String?

        init(_ declare: OptionBinding) {
            yes = declare.flag("yes", "y", help: "Do not ask before revoking the key in use")
            id = declare.optionalArgument("ID", help: "The key's id at the API")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (session, profile) = try context.openProfileSession()
        let current = try TokenCommand.requireCredential(session)
        let api = try TokenAPI(client: session.client, profile: profile)
        let named = options.id
        let inUse = named == nil || named == current.credential.tokenID
        // An endpoint that revokes its caller can revoke only a key apictl holds: the one in use.
        if api.revokesCallingKey, !inUse, let named {
            throw APICtlError.usage("tokens.revoke of '\(profile.name)' revokes the key that calls it, and apictl does not hold \(named)",
                                    hint: "revoke it with that key: APICTL_TOKEN=... apictl token revoke, or in the API's dashboard")
        }
        guard let id = named ?? current.credential.tokenID ?? (api.revokesCallingKey ? "the key in use" : nil) else {
            let which = session.store != nil ? "the stored key" : "the key from the \(current.source)"
            throw APICtlError.usage("\(which) has no known id; name the key to revoke",
                                    hint: "see the ids with 'apictl token list -p \(profile.name)'")
        }
        if inUse && !options.yes {
            try TerminalInput.requireConfirmation(
                "Revoke \(id), the key \(profile.name) uses now?", declined: "nothing was revoked",
                withoutTerminal: .usage("\(id) is the key in use; pass --yes to revoke it without a terminal to confirm on"),
                stdinIsTerminal: context.stdinIsTerminal)
        }
        try api.revoke(id: named ?? current.credential.tokenID, key: inUse ? current.credential : nil)
        var message = "revoked \(id) at the API"
        if inUse, let store = session.store {
            _ = try store.store.delete(profile.credentialKey)
            message += " and removed it from the \(store.store.source)"
            context.stderr.write(message + "\n")
            LogoutCommand.forgetAccount(profile.credentialKey, in: store.store, context)
            return 0
        }
        context.stderr.write(message + "\n")
        return 0
    }
}
