import APICtlCore

/// `apictl token ...`: the group node.
enum TokenCommand {
    static let spec = CommandSpec(
        name: "token",
        summary: "Work with a profile's token",
        subcommands: [
            .init("create") { TokenCreateCommand.spec },
            .init("list") { TokenListCommand.spec },
            .init("rotate") { TokenRotateCommand.spec },
            .init("revoke") { TokenRevokeCommand.spec },
            .init("refresh") { TokenRefreshCommand.spec },
            .init("print") { TokenPrintCommand.spec },
        ]
    )
}

extension TokenCommand {
    /// The credential a token command acts with, or a clear "log in first".
    static func requireCredential(_ session: CredentialSession) throws(APICtlError) -> ResolvedCredential {
        guard let credential = session.credential else {
            guard let profile = session.profile else {
                throw APICtlError.config("no profile selected, and no APICTL_TOKEN", hint: "pass -p NAME, or 'apictl profile use NAME'")
            }
            // A named account without a credential was refused when the session opened.
            throw APICtlError.auth("no credential for profile '\(profile.name)'", hint: "run 'apictl login \(profile.selectionFlags)' or set APICTL_TOKEN")
        }
        return credential
    }

    static func describe(_ scopes: [String]?) -> String {
        guard let scopes, !scopes.isEmpty else { return "-" }
        return scopes.joined(separator: ",")
    }
}
