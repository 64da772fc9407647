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
            store itself: it asks for the passphrase again, and sees a keyring that was locked since. \
            Client keys decrypted with a typed passphrase are forgotten too.
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
        // Token commands' kept answers, CI exchanges' tokens and keyring copies: every one apictl
        // kept, whichever config's profile it was for (one since removed, another --config's).
        let keeper = context.keeper
        func forgetAll(_ purpose: String) -> Int {
            keeper.names(withPrefix: "apictl:\(purpose):").filter { keeper.forget($0) }.count
        }
        let answers = forgetAll("token-command") + forgetAll("ci")
        let clientKeys = forgetAll("client-key")
        if clientKeys > 0 {
            context.stderr.write("forgot \(clientKeys) client key\(clientKeys == 1 ? "" : "s") decrypted with a typed passphrase\n")
        }
        let copies = forgetAll("keyring-copy")
        if copies > 0 { context.stderr.write("forgot \(copies) kept cop\(copies == 1 ? "y" : "ies") of keyring items\n") }
        if answers > 0 { context.stderr.write("forgot \(answers) kept token\(answers == 1 ? "" : "s") (token command answers, CI exchanges)\n") }
        return 0
    }
}
