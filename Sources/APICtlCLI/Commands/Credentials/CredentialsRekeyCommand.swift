import APICtlCore

/// `apictl credentials rekey`: changes the encrypted file's passphrase in one
/// atomic write under the file's lock; the old cached key is dropped.
enum CredentialsRekeyCommand {
    static let spec = CommandSpec(
        name: "rekey",
        summary: "Change the encrypted credential file's passphrase",
        discussion: """
        The old passphrase comes from APICTL_PASSPHRASE (or the cached key, or a prompt),
        the new one from APICTL_NEW_PASSPHRASE or a no-echo prompt asked twice.
        """,
        options: NoOptions.self,
        examples: ["apictl credentials rekey", "APICTL_PASSPHRASE=old APICTL_NEW_PASSPHRASE=new apictl credentials rekey"],
        run: run
    )

    static func run(_ options: NoOptions, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let config = try context.loadConfig()
        let consult = (context.environment["APICTL_PASSPHRASE"] ?? "").isEmpty
        let file = EncryptedFileStore(directory: context.configLocation.dataDirectory,
                                      passphrase: TerminalInput.passphrase(environment: context.environment),
                                      cacheLifetime: try DerivedKeyCache.lifetime(config: config, environment: context.environment),
                                      consultCache: consult)
        guard file.exists else { throw APICtlError.store("there is no encrypted credential file at \(file.path) to re-key") }
        _ = try file.keys()   // the old passphrase first: no new one is asked for a file it cannot open
        try file.rekey(to: try newPassphrase(context))
        context.stderr.write("re-keyed \(file.path): the old passphrase no longer opens it\n")
        return 0
    }

    static func newPassphrase(_ context: CommandContext) throws(APICtlError) -> [UInt8] {
        if let value = context.environment["APICTL_NEW_PASSPHRASE"], !value.isEmpty { return Array(value.utf8) }
        return try TerminalInput.newPassphrase(noTerminal: .store("no terminal to ask for the new passphrase on",
                                                                  hint: "set APICTL_NEW_PASSPHRASE"))
    }
}
