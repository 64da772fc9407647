import APICtlCore

/// `apictl credentials migrate --to keyring|file`: moves every stored
/// credential into one store, so switching `credential_store` loses nothing.
enum CredentialsMigrateCommand {
    static let spec = CommandSpec(
        name: "migrate",
        summary: "Move every stored credential into the keyring or the encrypted file",
        discussion: "Each credential is written to the target and checked there before it is removed from the source.",
        options: Options.self,
        examples: ["apictl credentials migrate --to file", "apictl credentials migrate --to keyring"],
        run: run
    )

    struct Options: CommandOptions {
        let to: String?
        init(_ declare: OptionBinding) {
            to = declare.value("to", nil, "STORE", help: "Where the credentials go", completion: .choices(["keyring", "file"]))
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        guard let target = options.to.flatMap(CredentialStoreChoice.init(rawValue:)) else {
            throw APICtlError.usage("say where to move credentials with --to keyring or --to file")
        }
        let config = try context.loadConfig()
        let passphrase = TerminalInput.passphrase(environment: context.environment)
        let open = { (choice: CredentialStoreChoice) throws(APICtlError) -> CredentialStore in
            try StoreSelection.open(choice: choice, environment: context.environment,
                                    dataDirectory: context.configLocation.dataDirectory, passphrase: passphrase,
                                    passphraseCache: try DerivedKeyCache.lifetime(config: config, environment: context.environment)).store
        }
        let destination = try open(target)
        let origin: CredentialStore
        do { origin = try open(target == .keyring ? .file : .keyring) } catch {
            // The keyring to move from cannot be reached: its hint (choose the file) is this command's target already.
            var said = error
            said.message = "cannot read the credentials to move: " + error.message
            said.hint = target == .file ? "start the Secret Service (a desktop session, or gnome-keyring-daemon) and run it again" : error.hint
            throw said
        }
        if let file = origin as? EncryptedFileStore, !file.exists {
            context.stderr.write("nothing to move: \(origin.source) does not exist\n")
            return 0
        }
        var moved = 0
        for key in try origin.keys() {
            guard let credential = try origin.load(key) else { continue }
            try destination.save(credential, for: key)
            guard try destination.loadLatest(key) == credential else {
                throw APICtlError.store("the credential for \(key) did not read back from the \(destination.source); it was left in the \(origin.source)")
            }
            _ = try origin.delete(key)
            moved += 1
        }
        context.stderr.write("moved \(moved) credential\(moved == 1 ? "" : "s") from the \(origin.source) to the \(destination.source)\n")
        if config.credentialStore != target.rawValue {
            context.stderr.write("set credential_store = \"\(target.rawValue)\" in the config (or APICTL_CREDENTIAL_STORE) to keep using it\n")
        }
        return 0
    }
}
