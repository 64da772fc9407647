import APICtlCore

/// `apictl profile use NAME`: makes NAME the default profile.
enum ProfileUseCommand {
    static let spec = CommandSpec(
        name: "use",
        summary: "Make a profile the default",
        options: Options.self,
        run: run
    )

    struct Options: CommandOptions {
        let name: String
        init(_ declare: OptionBinding) { name = declare.argument("NAME", help: "Profile to use by default", completion: .profiles) }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let name = options.name
        var (config, _) = try ProfileCommand.load(name, context)
        config.defaultProfile = name
        try context.saveConfig(config)
        context.stderr.write("default profile is now '\(name)'\n")
        if let project = try? context.projectFile(), let chosen = project.profile, chosen != name {
            context.warn("note: here \(TerminalText.escapingControls(project.path)) chooses '\(chosen)', which comes before the default")
        }
        return 0
    }
}
