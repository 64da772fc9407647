import APICtlCore

/// `apictl profile remove NAME`
enum ProfileRemoveCommand {
    static let spec = CommandSpec(
        name: "remove",
        summary: "Remove a profile from the config file",
        arguments: [ArgumentSpec("NAME", help: "Profile to remove", completion: .profiles)],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let name = parsed.arguments[0]
        var (config, _) = try ProfileCommand.load(name, context)
        config.profiles[name] = nil
        if config.defaultProfile == name { config.defaultProfile = nil }
        try context.configStore.save(config)
        context.stderr.write("removed profile '\(name)'\n")
        return 0
    }
}
