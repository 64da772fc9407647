import APICtlCore

/// `apictl account remove LABEL`: `logout` for one named account of a profile, revoking it
/// first with --revoke; the profile's other accounts are left as they are.
enum AccountRemoveCommand {
    static let spec = CommandSpec(
        name: "remove",
        summary: "Remove one of a profile's accounts (revoking it first with --revoke)",
        options: Options.self,
        examples: ["apictl account remove work -p dzdesk", "apictl account remove bot -p dzdesk --revoke"],
        run: run
    )

    struct Options: CommandOptions {
        let label: String
        let revoke: Bool
        let force: Bool

        init(_ declare: OptionBinding) {
            label = declare.argument("LABEL", help: "The account's label", completion: .accounts)
            revoke = declare.flag("revoke", nil, help: "Revoke the credential at the API first, as 'logout --revoke'")
            force = declare.flag("force", nil, help: "With --revoke: remove the local copy even when revoking fails")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        try AccountCommand.checkLabel(options.label)
        let (config, selected) = try context.requireProfile()
        var profile = selected
        profile.account = options.label
        return try LogoutCommand.logOut(profile, config: config, revoke: options.revoke, force: options.force, context)
    }
}
