import APICtlCore

/// `apictl account ...`: the group node; a profile's several stored logins, each under a label.
enum AccountCommand {
    static let spec = CommandSpec(
        name: "account",
        summary: "List, choose and remove a profile's stored logins (accounts)",
        discussion: """
        A profile may hold several logins, each under a label: 'apictl login -p NAME -a work'
        stores one beside the first, whose label is 'default'. -a LABEL (or APICTL_ACCOUNT, or
        account = "LABEL" in a project's .apictl.toml) chooses one for a command; 'account use'
        makes one the profile's active account, kept in $XDG_STATE_HOME/apictl/accounts.json.
        """,
        subcommands: [
            .init("list") { AccountListCommand.spec },
            .init("use") { AccountUseCommand.spec },
            .init("remove") { AccountRemoveCommand.spec },
        ]
    )

    /// An account label is used in keyring attributes, file names and completion, as a profile name is.
    static func checkLabel(_ label: String) throws(APICtlError) {
        guard ProfileName.isValid(label) else {
            throw .usage("account label '\(TerminalText.escapingControls(label))' is not valid", hint: ProfileName.rule)
        }
    }
}
