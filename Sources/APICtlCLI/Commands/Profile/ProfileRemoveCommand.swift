import APICtlCore

/// `apictl profile remove NAME`: the profile and, unless kept on purpose, every
/// credential stored for it (in each environment) and every answer kept for it in
/// the kernel keyring, so a later profile of the same name never finds them.
enum ProfileRemoveCommand {
    static let spec = CommandSpec(
        name: "remove",
        summary: "Remove a profile and its stored credentials",
        options: Options.self,
        examples: ["apictl profile remove old-api", "apictl profile remove staging --keep-credentials"],
        run: run
    )

    struct Options: CommandOptions {
        let keepCredentials: Bool
        let name: String

        init(_ declare: OptionBinding) {
            keepCredentials = declare.flag("keep-credentials", nil,
                                           help: "Keep the profile's stored credentials (they serve a profile re-added under this name)")
            name = declare.argument("NAME", help: "Profile to remove", completion: .profiles)
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let name = options.name
        var (config, _) = try ProfileCommand.load(name, context)
        let environments = Array((config.profiles[name]?.environments ?? [:]).keys) + [nil]
        var note = ""
        if options.keepCredentials {
            note = "; its stored credentials were kept (--keep-credentials)"
        } else {
            // A config that will not be rewritten keeps the profile: its credentials stay with it.
            try context.configStore.checkSavable(config)
            let selection = try context.openStore(config: config)
            try selection.checkRemovable { $0.profile == name }
            let store = selection.store
            var removed = 0, kept = 0
            for key in try store.keys() where key.profile == name {
                if try store.delete(key) { removed += 1 }
            }
            for environment in environments {
                if TokenCommandSource.keptAnswer(profile: name, environment: environment, in: context.keeper).forget() { kept += 1 }
                if CICredentialSource.keptToken(profile: name, environment: environment, in: context.keeper).forget() { kept += 1 }
            }
            // Every kept keyring copy of the profile, of any environment and account, whichever store wrote it.
            for copy in context.keeper.names(withPrefix: ProfileStateFiles.kernelKeyPrefix("keyring-copy", profile: name))
            where KernelKey(copy, in: context.keeper).forget() {
                kept += 1
            }
            try? AccountState.update(stateDirectory: context.configLocation.stateDirectory) { $0.forget(profile: name) }
            note = "; removed \(removed) stored credential\(removed == 1 ? "" : "s") from the \(store.source)"
                + (kept > 0 ? " and \(kept) kept answer\(kept == 1 ? "" : "s") from the kernel keyring" : "")
        }
        OpenAPIIndex.forget(profile: name, cacheDirectory: context.configLocation.cacheDirectory)
        config.profiles[name] = nil
        if config.defaultProfile == name { config.defaultProfile = nil }
        try context.saveConfig(config)
        context.stderr.write("removed profile '\(name)'\(note)\n")
        return 0
    }
}
