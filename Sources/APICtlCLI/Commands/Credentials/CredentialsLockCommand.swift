import APICtlCore

/// `apictl credentials lock`: forgets the encrypted file's cached key at once,
/// so the next command asks for the passphrase again (like `ssh-add -D`).
enum CredentialsLockCommand {
    static let spec = CommandSpec(
        name: "lock",
        summary: "Forget the encrypted file's cached key, kept token command answers and CI tokens",
        discussion: "The key derived from the passphrase is kept in the kernel keyring for passphrase_cache (default 15m).",
        examples: ["apictl credentials lock"],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws -> Int32 {
        let file = EncryptedFileStore(directory: context.configLocation.dataDirectory,
                                      passphrase: TerminalInput.passphrase(environment: context.environment), cacheLifetime: 1)
        let forgot = file.cache?.forget() ?? false
        context.stderr.write(forgot ? "forgot the cached key of \(file.path)\n" : "no key of \(file.path) was cached\n")
        // Token commands' kept answers and CI exchanges' tokens too, for every profile and environment.
        let config = (try? context.configStore.load()) ?? ConfigFile()
        var answers = 0
        for (name, profile) in config.profiles {
            let environments: [String?] = profile.environments.map { $0.keys.map(Optional.some) } ?? [nil]
            for environment in environments {
                if TokenCommandSource.keptAnswer(profile: name, environment: environment).forget() { answers += 1 }
                if CICredentialSource.keptToken(profile: name, environment: environment).forget() { answers += 1 }
            }
        }
        if answers > 0 { context.stderr.write("forgot \(answers) kept token\(answers == 1 ? "" : "s") (token command answers, CI exchanges)\n") }
        return 0
    }
}
