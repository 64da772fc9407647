import APICtlCore

/// `apictl profile ...`: the group node; each subcommand lives in its own file.
enum ProfileCommand {
    static let spec = CommandSpec(
        name: "profile",
        summary: "Manage API profiles in the config file",
        discussion: "A profile names an API: its base URL (or environments), auth scheme, whoami path and\nthe environment variable a CI job may put its token in. Profiles never hold secrets.",
        subcommands: [
            .init("add") { ProfileAddCommand.spec },
            .init("set") { ProfileSetCommand.spec },
            .init("list") { ProfileListCommand.spec },
            .init("show") { ProfileShowCommand.spec },
            .init("remove") { ProfileRemoveCommand.spec },
            .init("use") { ProfileUseCommand.spec },
        ]
    )

    /// A profile name is used in file names, keyring attributes and shell completion.
    static func checkName(_ name: String) throws(APICtlError) {
        guard ProfileName.isValid(name) else {
            throw .usage("profile name '\(name)' is not valid", hint: ProfileName.rule)
        }
    }

    /// Loads the config to rewrite it, requiring the profile to exist. No trust warning here:
    /// `saveConfig` gives it once the rewrite is done (a refused rewrite says why instead).
    static func load(_ name: String, _ context: CommandContext) throws(APICtlError) -> (ConfigFile, ProfileConfig) {
        let config = try context.configStore.load()
        return (config, try profile(name, in: config, context))
    }

    /// The profile `name` of `config`; an unknown one is an error suggesting the nearest name.
    static func profile(_ name: String, in config: ConfigFile, _ context: CommandContext) throws(APICtlError) -> ProfileConfig {
        guard let profile = config.profiles[name] else {
            let hint = suggestion(name, among: Array(config.profiles.keys)).map { "did you mean '\($0)'?" }
                ?? "see 'apictl profile list'"
            throw .config("unknown profile '\(name)' in \(context.configStore.path)", hint: hint)
        }
        return profile
    }
}
