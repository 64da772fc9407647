import APICtlCore

/// `apictl profile add NAME`: creates (or with --force replaces) a profile.
enum ProfileAddCommand {
    static let spec = CommandSpec(
        name: "add",
        summary: "Add a profile, from a preset or from scratch",
        discussion: "Presets: " + Preset.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ") + ".\n"
            + "A preset given --base-url moves its OAuth endpoints with it. Change a profile later with 'apictl profile set'.",
        options: Options.self,
        examples: [
            "apictl profile add dzdesk --preset dzdesk",
            "apictl profile add acme --preset datadocks --var subdomain=toronto-acme",
            "apictl profile add pdns --preset pocketdns --env-url sandbox=https://api.sandbox.pocketdns.com",
            "apictl profile add internal --base-url https://api.internal/v2 --auth header:X-API-Key",
        ],
        run: run
    )

    struct Options: CommandOptions {
        let preset: String?
        let force: Bool
        let makeDefault: Bool
        let edits: ProfileEdits
        let name: String

        init(_ declare: OptionBinding) {
            preset = declare.value("preset", nil, "NAME", help: "Start from a built-in description of a known API",
                                   completion: .choices(Preset.all.map(\.name)))
            force = declare.flag("force", nil, help: "Replace a profile of the same name")
            makeDefault = declare.flag("default", nil, help: "Make it the default profile")
            edits = ProfileEdits(declare)
            name = declare.argument("NAME", help: "Name of the new profile")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let name = options.name
        try ProfileCommand.checkName(name)
        var profile: ProfileConfig
        var moved: [String] = []
        if let presetName = options.preset {
            guard let preset = Preset.named(presetName) else {
                throw APICtlError.usage("unknown preset '\(presetName)'",
                                        hint: suggestion(presetName, among: Preset.all.map(\.name)).map { "did you mean '\($0)'?" }
                                            ?? "choose one of \(Preset.all.map(\.name).joined(separator: ", "))")
            }
            profile = preset.profile
            if let url = options.edits.baseURL {
                try ProfileEdits.checkURL(url, option: "--base-url")
                moved = preset.moveOAuthEndpoints(of: &profile, to: url)
            }
        } else {
            guard options.edits.givesURL else {
                throw APICtlError.usage("a new profile needs --base-url, --env-url or --preset",
                                        hint: "e.g. 'apictl profile add \(name) --preset dzdesk'")
            }
            profile = ProfileConfig(auth: "bearer")
        }
        try options.edits.apply(to: &profile, name: name)

        let store = context.configStore
        var config = try store.loadOrNew()
        if config.profiles[name] != nil && !options.force {
            throw APICtlError.config("profile '\(name)' already exists in \(store.path)",
                                     hint: "change it with 'apictl profile set \(name) ...', or pass --force to replace it")
        }
        // Fails now, with the missing {var} named, rather than at the first request; nothing
        // is saved yet, so the hint is what to add to this command, not a `profile set`.
        let urls = [profile.baseURL].compactMap { $0 } + (profile.environments ?? [:]).values.sorted { $0.baseURL < $1.baseURL }.map(\.baseURL)
        for url in urls {
            if let missing = Template.placeholders(in: url).first(where: { (profile.vars ?? [:])[$0] == nil }) {
                throw .config("'\(url)' needs a value for {\(missing)}", hint: "add --var \(missing)=VALUE to this command")
            }
        }
        let resolved = try ResolvedProfile.resolve(name: name, config: profile, requestedEnvironment: nil, configPath: store.path)
        config.profiles[name] = profile
        let becomesDefault = options.makeDefault || config.defaultProfile == nil
        if becomesDefault { config.defaultProfile = name }
        try context.saveConfig(config)
        // A new profile starts with no synced description: one that a replaced profile of this
        // name (--force), or one removed from the file by hand, left behind is of another API.
        OpenAPIIndex.forget(profile: name, cacheDirectory: context.configLocation.cacheDirectory)
        var message = "added profile '\(name)' (\(profile.auth), \(resolved.baseURL)"
        if let env = resolved.environment { message += ", environment \(env)" }
        message += ")"
        if becomesDefault { message += "; it is the default profile" }
        context.stderr.write(message + "\n")
        if !moved.isEmpty {
            context.stderr.write("the preset's OAuth endpoints moved with --base-url: \(moved.joined(separator: ", "))\n")
        }
        return 0
    }
}
