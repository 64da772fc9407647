import APICtlCore

/// `apictl profile show [NAME]`: one profile as the config file holds it, every
/// table included, with the URL it resolves to (never a secret: there is none in it).
enum ProfileShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "Show a profile's settings",
        options: Options.self,
        examples: ["apictl profile show dzdesk", "apictl profile show --json | jq .oauth"],
        run: run
    )

    struct Options: CommandOptions {
        let json: Bool
        let name: String?

        init(_ declare: OptionBinding) {
            json = declare.flag("json", nil, help: "Print JSON")
            name = declare.optionalArgument("NAME", help: "Profile (default: the selected one)", completion: .profiles)
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let config = try context.loadConfig()
        guard let name = options.name ?? context.globals.profile ?? config.defaultProfile else {
            throw APICtlError.config("no profile selected", hint: config.profiles.isEmpty
                                     ? "add one with 'apictl profile add NAME --preset dzdesk'" : "name one: 'apictl profile show NAME'")
        }
        let profile = try ProfileCommand.profile(name, in: config, context)
        let isDefault = name == config.defaultProfile
        let resolved = try? ResolvedProfile.resolve(name: name, config: profile, requestedEnvironment: context.globals.environment,
                                                    configPath: context.configStore.path)
        if options.json {
            guard case .object(var fields) = ConfigTOML.profileJSON(profile) else { return 0 }
            fields["name"] = .string(name)
            fields["default"] = .bool(isDefault)
            if let resolved { fields["url"] = .string(resolved.baseURL) }
            context.stdout.write(JSONOutput.render(.object(fields)))
            return 0
        }
        var heading = "# profile '\(name)'" + (isDefault ? " (the default)" : "") + " in \(context.configStore.path)"
        if let resolved {
            heading += "\n# requests go to \(resolved.baseURL)" + (resolved.environment.map { " (environment \($0))" } ?? "")
        }
        context.stdout.write(heading + "\n" + ConfigTOML.profileText(name: name, profile: profile) + "\n")
        return 0
    }
}
