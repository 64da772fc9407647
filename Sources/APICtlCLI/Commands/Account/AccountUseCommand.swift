import APICtlCore

/// `apictl account use LABEL`: makes LABEL the account commands on the profile use when
/// nothing else (-a, APICTL_ACCOUNT, a project's .apictl.toml) chooses one.
enum AccountUseCommand {
    static let spec = CommandSpec(
        name: "use",
        summary: "Make one of a profile's accounts the one its commands use",
        options: Options.self,
        examples: ["apictl account use work -p dzdesk", "apictl account use default -p dzdesk"],
        run: run
    )

    struct Options: CommandOptions {
        let label: String
        init(_ declare: OptionBinding) { label = declare.argument("LABEL", help: "The account's label", completion: .accounts) }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        try AccountCommand.checkLabel(options.label)
        let (config, selected) = try context.requireProfile()
        var profile = selected
        profile.account = options.label
        let selection = try context.openStore(config: config)
        guard try selection.store.load(profile.credentialKey) != nil else {
            throw .auth("nothing is stored for \(profile.credentialKey) in the \(selection.store.source)",
                        hint: "log in to it first: 'apictl login \(profile.selectionFlags)'")
        }
        try AccountState.update(stateDirectory: context.configLocation.stateDirectory) { $0.use(options.label, for: profile.name) }
        context.stderr.write("account '\(options.label)' is now the one '\(profile.name)' uses\n")
        switch selected.choice.account {
        case .flag, .environmentVariable, .projectFile:
            // The active account is the last thing asked; whatever chose this run's account still wins.
            context.warn("note: here '\(selected.account)' is still chosen \(selected.choice.account.explanation ?? "")")
        case .userDefault, .implied:
            break
        }
        return 0
    }
}
