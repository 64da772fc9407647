import CLibSecret
import FoundationEssentials

/// Credentials in the Secret Service (gnome-keyring, KeePassXC) through
/// libsecret. Items carry the non-secret attributes `profile` and
/// `environment`; the secret is the credential record as JSON. Reads are
/// answered from a kept copy when there is one (`KeyringCopies`).
///
/// An account other than the default also carries `account`, and its label in
/// `environment` ("production@work"): the Secret Service matches an item whose
/// attributes include those asked for, so the default account's lookup (profile,
/// environment) would otherwise find, and its removal delete, every account's item.
/// The default account's items are as they were before accounts existed.
public final class KeyringStore: CredentialStore {
    public let source = CredentialSource.keyring
    static let operationTimeoutMilliseconds = 900
    let copies: KeyringCopies?
    /// Where the names of the items written are noted, for when the keyring is unreachable.
    var ledger: KeyringLedger?
    /// The environment to probe the Secret Service with, when the store was opened on a kept copy without asking it.
    private var unprobed: [String: String]?

    public init(copies: KeyringCopies? = nil) {
        self.copies = copies
    }

    /// A store chosen because a kept copy showed the keyring answered within `keyring_cache`:
    /// the Secret Service is asked whether it is usable only when the copy is not enough.
    init(copies: KeyringCopies, probingLater environment: [String: String]) {
        self.copies = copies
        unprobed = environment
    }

    public func load(_ key: CredentialKey) throws(APICtlError) -> Credential? {
        if let copy = copies?.read(key) { return copy }
        return try loadLatest(key)
    }

    public func loadLatest(_ key: CredentialKey) throws(APICtlError) -> Credential? {
        let credential = try lookup(key)
        if let credential { copies?.write(credential, for: key) } else { KeyringCopies.entry(key).forget() }
        return credential
    }

    private func lookup(_ key: CredentialKey) throws(APICtlError) -> Credential? {
        try ensureUsable()
        var status = apictl_status()
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let secret = apictl_secret_lookup(key.profile, key.environmentAttribute, deadline.cancellable, &status)
        deadline.finish()
        defer { apictl_secret_free(secret) }
        if status.failed != 0 { throw Self.failure(GLibError(status), doing: "read the credential for \(key)") }
        guard let secret else { return nil }
        return try CredentialRecord.decode(Array(String(cString: secret).utf8), what: "the keyring item for \(key)")
    }

    public func save(_ credential: Credential, for key: CredentialKey) throws(APICtlError) {
        // Forgotten even with copies off: a copy left by an earlier process must not outlive the item it copied.
        KeyringCopies.entry(key).forget()
        try ensureUsable()
        let json = String(decoding: CredentialRecord.encode(credential), as: UTF8.self)
        var status = apictl_status()
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let ok = apictl_secret_store(key.profile, key.environmentAttribute, key.isDefaultAccount ? nil : key.account,
                                     "apictl: \(key)", json, deadline.cancellable, &status)
        deadline.finish()
        if ok == 0 || status.failed != 0 { throw Self.failure(GLibError(status), doing: "store the credential for \(key)") }
        copies?.write(credential, for: key)
        ledger?.add(key)
    }

    public func delete(_ key: CredentialKey) throws(APICtlError) -> Bool {
        KeyringCopies.entry(key).forget()
        try ensureUsable()
        var status = apictl_status()
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let removed = apictl_secret_clear(key.profile, key.environmentAttribute, deadline.cancellable, &status)
        deadline.finish()
        if status.failed != 0 { throw Self.failure(GLibError(status), doing: "remove the credential for \(key)") }
        ledger?.remove(key)
        return removed != 0
    }

    public func keys() throws(APICtlError) -> [CredentialKey] {
        try ensureUsable()
        final class Collected { var keys: [CredentialKey] = [] }
        let collected = Collected()
        var status = apictl_status()
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        withExtendedLifetime(collected) {
            _ = apictl_secret_search_all({ profile, environment, account, context in
                guard let profile, let context else { return }
                let box = Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue()
                box.keys.append(CredentialKey(profile: String(cString: profile), environmentAttribute: environment.map { String(cString: $0) },
                                              account: account.map { String(cString: $0) }))
            }, Unmanaged.passUnretained(collected).toOpaque(), deadline.cancellable, &status)
        }
        deadline.finish()
        if status.failed != 0 { throw Self.failure(GLibError(status), doing: "list credentials") }
        return collected.keys.sorted()
    }

    private func ensureUsable() throws(APICtlError) {
        if let environment = unprobed {
            let status = KeyringProbe.check(environment: environment)
            guard status.isUsable else { throw Self.unusable(status) }
            unprobed = nil
        }
        if let missing = apictl_keyring_load() { throw .store("the keyring cannot be used: \(String(cString: missing))") }
    }

    static func unusable(_ status: KeyringStatus) -> APICtlError {
        .store("the keyring cannot be used: \(status.explanation)",
               hint: "or choose the encrypted file: credential_store = \"file\" or APICTL_CREDENTIAL_STORE=file")
    }

    static func failure(_ error: GLibError, doing what: String) -> APICtlError {
        if error.isTimeout {
            return .store("could not \(what): the Secret Service did not answer within \(operationTimeoutMilliseconds) ms")
        }
        if error.domain == "secret-error-quark" && error.code == 2 || error.message.lowercased().containsText("locked") {
            return .store("could not \(what): the keyring is locked", hint: KeyringStatus.locked.explanation)
        }
        return .store("could not \(what): \(error.message)")
    }
}

extension CredentialKey {
    /// The item's `environment` attribute: "ENV" for the default account, "ENV@LABEL" for another.
    var environmentAttribute: String { isDefaultAccount ? environment : environment + "@" + account }

    init(profile: String, environmentAttribute: String?, account: String?) {
        var environment = environmentAttribute
        if let account, let attribute = environmentAttribute, attribute.hasSuffix("@" + account) {
            environment = String(attribute.dropLast(account.utf8.count + 1))
        }
        self.init(profile: profile, environment: environment, account: account)
    }
}
