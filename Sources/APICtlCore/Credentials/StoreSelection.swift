import FoundationEssentials

/// The credential store in use: an explicit, visible choice. `auto` takes the
/// keyring when it answers and the encrypted file only when there is no
/// keyring at all (no bus, no Secret Service); a locked or hung keyring is an
/// error, so credentials never silently split between two stores.
public struct StoreSelection {
    public let store: CredentialStore
    public let choice: CredentialStoreChoice
    public let keyringStatus: KeyringStatus?
    /// When `auto` fell back to the file: the keys the ledger says apictl put in the keyring.
    public let keysOutOfReach: [CredentialKey]

    public init(store: CredentialStore, choice: CredentialStoreChoice, keyringStatus: KeyringStatus?,
                keysOutOfReach: [CredentialKey] = []) {
        self.store = store
        self.choice = choice
        self.keyringStatus = keyringStatus
        self.keysOutOfReach = keysOutOfReach
    }
    /// Set when `auto` chose the file because no keyring answered.
    public var fallbackReason: String? {
        guard choice == .auto, store is EncryptedFileStore, let status = keyringStatus else { return nil }
        return status.explanation
    }

    /// Before a removal: a key that lives in the keyring `auto` could not reach is not in the
    /// file either, so removing it from the file would report "nothing there" while it stays.
    public func checkRemovable(_ matches: (CredentialKey) -> Bool) throws(APICtlError) {
        guard let key = keysOutOfReach.first(where: matches), let status = keyringStatus else { return }
        throw Self.outOfReach(key, status, doing: "nothing was removed")
    }

    static func outOfReach(_ key: CredentialKey, _ status: KeyringStatus, doing outcome: String? = nil) -> APICtlError {
        .store("the credential for \(key) is in the Secret Service keyring, which cannot be reached: \(status.explanation)"
               + (outcome.map { "; \($0)" } ?? ""),
               hint: "start the keyring in a desktop session or with 'dbus-run-session' and gnome-keyring, or log in again with APICTL_CREDENTIAL_STORE=file")
    }

    /// `APICTL_CREDENTIAL_STORE`, then the config's `credential_store`, then auto.
    public static func choice(config: ConfigFile, environment: [String: String]) throws(APICtlError) -> CredentialStoreChoice {
        if let value = environment["APICTL_CREDENTIAL_STORE"], !value.isEmpty {
            guard let choice = CredentialStoreChoice(rawValue: value) else {
                throw .config("APICTL_CREDENTIAL_STORE=\(value) is not one of auto, keyring, file")
            }
            return choice
        }
        return config.credentialStore.flatMap(CredentialStoreChoice.init(rawValue:)) ?? .auto
    }

    /// `passphraseCache`: seconds the file's derived key stays in the kernel keyring (0: off).
    /// `reading`: the credential the caller is about to load, whose kept keyring copy
    /// (if any) shows the keyring answered recently enough to skip asking it again.
    public static func open(choice: CredentialStoreChoice, environment: [String: String], dataDirectory: String,
                            passphrase: @escaping PassphraseSource,
                            passphraseCache: Double = 0, keyringCopies: KeyringCopies? = nil,
                            reading key: CredentialKey? = nil) throws(APICtlError) -> StoreSelection {
        // A passphrase set outright wins over a cached key (it may be a new one).
        let consult = (environment["APICTL_PASSPHRASE"] ?? "").isEmpty
        let file = { EncryptedFileStore(directory: dataDirectory, passphrase: passphrase, cacheLifetime: passphraseCache,
                                        consultCache: consult) }
        let ledger = KeyringLedger(dataDirectory: dataDirectory)
        func keyring(_ store: KeyringStore) -> KeyringStore { store.ledger = ledger; return store }
        if choice != .file, let copies = keyringCopies, let key, copies.read(key) != nil {
            return StoreSelection(store: keyring(KeyringStore(copies: copies, probingLater: environment)), choice: choice, keyringStatus: nil)
        }
        switch choice {
        case .file:
            return StoreSelection(store: file(), choice: choice, keyringStatus: nil)
        case .keyring:
            let status = KeyringProbe.check(environment: environment)
            guard status.isUsable else { throw KeyringStore.unusable(status) }
            return StoreSelection(store: keyring(KeyringStore(copies: keyringCopies)), choice: choice, keyringStatus: status)
        case .auto:
            let status = KeyringProbe.check(environment: environment)
            if status.isUsable {
                return StoreSelection(store: keyring(KeyringStore(copies: keyringCopies)), choice: choice, keyringStatus: status)
            }
            guard status.allowsFallback else {
                throw .store(status.explanation, hint: "or choose the encrypted file explicitly: APICTL_CREDENTIAL_STORE=file")
            }
            let inKeyring = ledger.keys()
            if let key, inKeyring.contains(key) { throw outOfReach(key, status) }
            return StoreSelection(store: file(), choice: choice, keyringStatus: status, keysOutOfReach: inKeyring)
        }
    }
}
