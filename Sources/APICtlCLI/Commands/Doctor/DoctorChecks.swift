import APICtlCore
import FoundationEssentials

/// The checks `apictl doctor` runs, in the order it prints them: the stores first (which
/// one works, and what keeps secrets between commands), then each profile.
struct DoctorChecks {
    let context: CommandContext
    let config: ConfigFile
    let offline: Bool
    let keyring: KeyringStatus
    let file: EncryptedFileStore
    /// A passphrase or a cached key is at hand, so the file can be opened without a prompt.
    let passphraseAtHand: Bool
    let kernelRefusal: String?

    init(context: CommandContext, config: ConfigFile, offline: Bool) {
        self.context = context
        self.config = config
        self.offline = offline
        keyring = KeyringProbe.check(environment: context.environment)
        let cacheLifetime = (try? DerivedKeyCache.lifetime(config: config, environment: context.environment)) ?? 0
        file = EncryptedFileStore(directory: context.configLocation.dataDirectory,
                                  passphrase: TerminalInput.passphrase(environment: context.environment),
                                  cacheLifetime: cacheLifetime, consultCache: (context.environment["APICTL_PASSPHRASE"] ?? "").isEmpty)
        passphraseAtHand = TerminalInput.passphraseAtHand(environment: context.environment, file: file)
        kernelRefusal = KernelKey.unavailableReason()
    }

    func rows() -> [DoctorRow] {
        var rows = [keyringRow(), fileRow(), keyCacheRow()]
        rows += [itemCopiesRow(), keptTokensRow()].compactMap { $0 }
        let (storeRow, selection) = store()
        rows.append(storeRow)
        let (selectedRow, selected) = selectedProfile()
        if let selectedRow { rows.append(selectedRow) }
        let profiles = DoctorProfileCheck(context: context, selection: selection, passphraseAtHand: passphraseAtHand,
                                          transport: offline ? nil : try? context.makeTransport(), selected: selected)
        // -p (or APICTL_PROFILE) narrows the profile checks to that one profile.
        let chosen = context.globals.profile
        if let chosen, config.profiles[chosen] == nil {
            return rows + [DoctorRow(label: chosen, value: "no such profile in the config", problem: .configuration)]
        }
        for name in config.profiles.keys.sorted() where chosen == nil || chosen == name {
            guard let profile = config.profiles[name] else { continue }
            rows += profiles.rows(name: name, config: profile)
        }
        return rows
    }

    /// Which profile, environment and account a command run here would use, and what chose
    /// each: a project's `.apictl.toml` is the usual surprise.
    func selectedProfile() -> (DoctorRow?, ResolvedProfile?) {
        do {
            guard let profile = try ProfileSelection.resolve(config: config, request: try context.selectionRequest(),
                                                             configPath: context.configLocation.configFile) else { return (nil, nil) }
            return (DoctorRow(label: "selected", value: profile.choiceLines.map { "\($0.label) \($0.value)" }.joined(separator: ", ")), profile)
        } catch {
            return (DoctorRow(label: "selected", value: error.message, problem: error.exitCode), nil)
        }
    }

    private var choice: CredentialStoreChoice? { try? StoreSelection.choice(config: config, environment: context.environment) }

    /// A keyring that cannot be reached is a problem only where it was asked for: with
    /// `auto`, the encrypted file takes its place, and that is no fault.
    func keyringRow() -> DoctorRow {
        switch choice {
        case .file?: return DoctorRow(label: "keyring", value: "not used (credential_store = file)")
        case .keyring?: return DoctorRow(label: "keyring", value: keyring.explanation, problem: keyring.isUsable ? nil : .credentialStore)
        default:
            guard !keyring.isUsable else { return DoctorRow(label: "keyring", value: keyring.explanation) }
            return DoctorRow(label: "keyring", value: keyring.explanation + "; credentials go to the encrypted file", state: .notUsed)
        }
    }

    func fileRow() -> DoctorRow {
        guard file.exists else { return DoctorRow(label: "file", value: "\(file.path) (not created yet)") }
        guard passphraseAtHand else {
            return DoctorRow(label: "file", value: "\(file.path) not checked: set APICTL_PASSPHRASE or APICTL_PASSPHRASE_FILE to check it",
                             problem: .credentialStore)
        }
        do { return DoctorRow(label: "file", value: "\(file.path): \(try file.keys().count) credential(s)") } catch {
            return DoctorRow(label: "file", value: "\(file.path): \(error.message)", problem: .credentialStore)
        }
    }

    func keyCacheRow() -> DoctorRow {
        let lifetime: TimeInterval
        do { lifetime = try DerivedKeyCache.lifetime(config: config, environment: context.environment) } catch {
            return DoctorRow(label: "key cache", value: error.message, problem: error.exitCode)
        }
        if lifetime == 0 { return DoctorRow(label: "key cache", value: "off (passphrase_cache = 0)") }
        if let reason = kernelRefusal {
            return DoctorRow(label: "key cache", value: "off: \(reason); the passphrase is asked by every process", problem: .credentialStore)
        }
        let cached = DerivedKeyCache(filePath: file.path, lifetime: lifetime, consult: true).isHeld
        return DoctorRow(label: "key cache", value: "kernel user keyring, kept for \(humanDuration(lifetime)) after the passphrase is given"
                         + (cached ? "; a key is cached now ('apictl credentials lock' forgets it)" : "; nothing cached now"))
    }

    func itemCopiesRow() -> DoctorRow? {
        let lifetime: TimeInterval
        do { lifetime = try KeyringCopies.lifetime(config: config, environment: context.environment) } catch {
            return DoctorRow(label: "item copies", value: error.message, problem: error.exitCode)
        }
        if lifetime == 0 {
            return DoctorRow(label: "item copies", value: "off (keyring_cache = 0): every command reads the keyring through libsecret")
        }
        if let reason = kernelRefusal {
            return DoctorRow(label: "item copies", value: "off: \(reason); every command reads the keyring through libsecret",
                             problem: .credentialStore)
        }
        guard keyring.isUsable else { return nil }
        return DoctorRow(label: "item copies", value: "kernel user keyring, each item read or written kept for \(humanDuration(lifetime))"
                         + " ('apictl credentials lock' forgets them)")
    }

    /// Token commands' answers and CI exchanges' tokens use the same kernel keyring.
    func keptTokensRow() -> DoctorRow? {
        guard config.profiles.values.contains(where: { $0.tokenCommand != nil || $0.ci != nil }) else { return nil }
        if let reason = kernelRefusal {
            return DoctorRow(label: "kept tokens", value: "off: \(reason); every process runs the token command or CI exchange again",
                             problem: .credentialStore)
        }
        return DoctorRow(label: "kept tokens", value: "kernel user keyring: token command answers and CI tokens are kept until 60 s before they expire")
    }

    func store() -> (DoctorRow, StoreSelection?) {
        do {
            let choice = try StoreSelection.choice(config: config, environment: context.environment)
            let selection = try context.openStore(config: config)
            let why = selection.fallbackReason != nil ? " (no keyring, so the file)" : ""
            return (DoctorRow(label: "store", value: "\(choice.rawValue) -> \(selection.store.source)\(why)"), selection)
        } catch {
            return (DoctorRow(label: "store", value: error.message, problem: error.exitCode), nil)
        }
    }
}
