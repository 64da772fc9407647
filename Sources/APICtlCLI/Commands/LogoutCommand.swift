import APICtlCore

/// `apictl logout`: forgets the stored credential of a profile (and environment).
enum LogoutCommand {
    static let spec = CommandSpec(
        name: "logout",
        summary: "Remove a profile's stored credential",
        examples: ["apictl logout -p dzdesk", "apictl logout -p pocketdns -e production"],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws -> Int32 {
        let (config, selected) = try context.selectProfile(required: true)
        guard let profile = selected else { return ExitCode.configuration.rawValue }
        let selection = try context.openStore(config: config)
        let key = CredentialKey(profile: profile.name, environment: profile.environment)
        guard try selection.store.delete(key) else {
            throw APICtlError.auth("no stored credential for \(key) in the \(selection.store.source)")
        }
        context.stderr.write("Logged out of \(key): removed its key from the \(selection.store.source)\n")
        if let variable = ["APICTL_TOKEN", profile.tokenEnv].compactMap({ $0 }).first(where: { !(context.environment[$0] ?? "").isEmpty }) {
            context.stderr.write("apictl: note: \(variable) is still set and will be used\n")
        }
        return 0
    }
}
