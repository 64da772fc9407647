import APICtlCore

/// `apictl credentials lock`: forgets at once everything apictl keeps in the
/// kernel keyring (the encrypted file's key, copies of keyring items, kept
/// tokens), so the next command asks the store again (like `ssh-add -D`).
enum CredentialsLockCommand {
    static let spec = CommandSpec(
        name: "lock",
        summary: "Forget the encrypted file's cached key, copies of keyring items, kept token command answers and CI tokens",
        discussion: """
            The key derived from the passphrase is kept in the kernel keyring for passphrase_cache (default 15m), \
            copies of keyring items for keyring_cache (default 15m). After a lock the next command reads the \
            store itself: it asks for the passphrase again, and sees a keyring that was locked since.
            """,
        options: NoOptions.self,
        examples: ["apictl credentials lock"],
        run: run
    )

    static func run(_ options: NoOptions, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let file = EncryptedFileStore(directory: context.configLocation.dataDirectory,
                                      passphrase: TerminalInput.passphrase(environment: context.environment), cacheLifetime: 1)
        let forgot = file.cache?.forget() ?? false
        context.stderr.write(forgot ? "forgot the cached key of \(file.path)\n" : "no key of \(file.path) was cached\n")
        // Token commands' kept answers and CI exchanges' tokens too, for every profile and environment.
        let config = (try? context.configStore.load()) ?? ConfigFile()
        var answers = 0
        var copies = 0
        for (name, profile) in config.profiles {
            let environments: [String?] = profile.environments.map { $0.keys.map(Optional.some) } ?? [nil]
            for environment in environments {
                if TokenCommandSource.keptAnswer(profile: name, environment: environment).forget() { answers += 1 }
                if CICredentialSource.keptToken(profile: name, environment: environment).forget() { answers += 1 }
                if KeyringCopies.entry(CredentialKey(profile: name, environment: environment)).forget() { copies += 1 }
            }
        }
        if copies > 0 { context.stderr.write("forgot \(copies) kept cop\(copies == 1 ? "y" : "ies") of keyring items\n") }
        if answers > 0 { context.stderr.write("forgot \(answers) kept token\(answers == 1 ? "" : "s") (token command answers, CI exchanges)\n") }
        return 0
    }
}
