import APICtlCore

/// `apictl credentials import-key`: moves a client certificate's private key into the
/// credential store, so no key lies unencrypted on disk; the config keeps only the certificate.
enum CredentialsImportKeyCommand {
    static let spec = CommandSpec(
        name: "import-key",
        summary: "Keep a client certificate's private key in the credential store",
        discussion: """
            Checks that the key is the certificate's, stores the key (decrypted, when it was \
            encrypted) in the keyring or the encrypted file, and sets the profile's client_cert \
            to the certificate, removing client_key: requests then hand the key to libcurl from \
            memory. The key file is left where it is; delete it once the import is done. An \
            environment that has a client_cert of its own gets the new one (choose it with -e); \
            otherwise the profile's is set, for every environment without its own.
            """,
        options: Options.self,
        examples: ["apictl credentials import-key -p bank --cert ~/certs/client.pem --key ~/certs/client.key",
                   "apictl credentials import-key -p bank --cert client.pem --key client-enc.key --passphrase-env KEY_PASSPHRASE"],
        run: run
    )

    struct Options: CommandOptions {
        let certificate: String?
        let key: String?
        let passphraseEnv: String?

        init(_ declare: OptionBinding) {
            certificate = declare.value("cert", nil, "FILE", help: "The client certificate (PEM, chain allowed); required", completion: .files)
            key = declare.value("key", nil, "FILE", help: "Its private key (PEM, encrypted or not); required", completion: .files)
            passphraseEnv = declare.value("passphrase-env", nil, "VAR", help: "Environment variable holding the key's passphrase")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        guard let certificateOption = options.certificate, let keyOption = options.key else {
            throw .usage("import-key needs --cert FILE and --key FILE", hint: "apictl credentials import-key -p NAME --cert client.pem --key client.key")
        }
        var (config, profile) = try context.requireProfile()
        let certificatePath = PathText.absolute(certificateOption)
        let keyPath = PathText.absolute(keyOption)
        var reading = profile
        reading.connection = ConnectionConfig(clientCert: certificatePath, clientKey: keyPath,
                                              clientKeyPassphraseEnv: options.passphraseEnv)
        if let variable = options.passphraseEnv, (context.environment[variable] ?? "").isEmpty {
            throw .usage("--passphrase-env names \(variable), which is not set")
        }
        let secrets = ConnectionSecrets(environment: context.environment, readStore: { _ throws(APICtlError) in nil },
                                        askPassphrase: { TerminalInput.readSecret(prompt: $0) }, cacheLifetime: 0, now: context.now)
        let certificate = try secrets.load(certificatePath, profile: reading)
        if let problem = certificate.validityProblem(at: context.now()) {
            context.warn("the certificate \(certificatePath) \(problem); the key is stored all the same")
        }
        // A config that will not be rewritten would not name the certificate: nothing is stored either.
        try context.configStore.checkSavable(config)
        let selection = try context.openStore(config: config)
        var record = Credential(token: String(decoding: certificate.keyPEM, as: UTF8.self), kind: "client_key", createdAt: context.now())
        record.name = certificate.subject
        let environmentOwnsIt = profile.environment.flatMap { config.profiles[profile.name]?.environments?[$0]?.connection.clientCert } != nil
        let storeKey = CredentialKey(profile: profile.name, environment: environmentOwnsIt ? profile.environment : nil).clientKey
        try selection.store.save(record, for: storeKey)
        try saveCertificatePath(certificatePath, config: &config, profile: profile, inEnvironment: environmentOwnsIt, context)
        profile.connection.clientCert = certificatePath
        context.stderr.write("stored the private key of \(TerminalText.escapingControls(certificate.subject)) in the \(selection.store.source) "
                             + "for profile \(storeKey.profile)\(storeKey.environment == "default" ? "" : " (\(storeKey.environment))"); client_cert is \(certificatePath). "
                             + "The key file \(keyPath) was left in place: delete it when you no longer need it\n")
        return 0
    }

    /// The profile's (or the chosen environment's) client_cert, with no client_key left to override the stored one.
    private static func saveCertificatePath(_ path: String, config: inout ConfigFile, profile: ResolvedProfile,
                                            inEnvironment: Bool, _ context: CommandContext) throws(APICtlError) {
        guard var stored = config.profiles[profile.name] else { return }
        if inEnvironment, let environment = profile.environment {
            let proxy = stored.environments?[environment]?.connection.proxy
            stored.environments?[environment]?.connection = ConnectionConfig(clientCert: path, proxy: proxy)
        } else {
            stored.connection = ConnectionConfig(clientCert: path, proxy: stored.connection.proxy)
        }
        config.profiles[profile.name] = stored
        try context.saveConfig(config)
    }
}
