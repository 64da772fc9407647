import APICtlCore

/// `apictl profile use NAME`: makes NAME the default profile.
enum ProfileUseCommand {
    static let spec = CommandSpec(
        name: "use",
        summary: "Make a profile the default",
        arguments: [ArgumentSpec("NAME", help: "Profile to use by default", completion: .profiles)],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let name = parsed.arguments[0]
        var (config, _) = try ProfileCommand.load(name, context)
        config.defaultProfile = name
        try context.configStore.save(config)
        context.stderr.write("default profile is now '\(name)'\n")
        return 0
    }
}
