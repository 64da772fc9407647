/// What apictl remembers about each profile's accounts, none of it secret, in
/// `$XDG_STATE_HOME/apictl/accounts.json`: the active account (`account use`), and each
/// stored login's label and the identity `whoami` last saw for it. Completion reads labels
/// from here, so a Tab never opens the keyring or asks for a passphrase.
public struct AccountState: Sendable {
    /// One stored login as remembered.
    public struct Entry: Sendable, Equatable {
        public var key: CredentialKey
        public var identity: String?

        public init(key: CredentialKey, identity: String? = nil) {
            self.key = key
            self.identity = identity
        }
    }

    public let path: String
    /// Profile name -> its active account.
    public private(set) var active: [String: String] = [:]
    public private(set) var entries: [Entry] = []
    /// Why the file was not read (another user's, a FIFO, not JSON): its choices are not obeyed,
    /// and it is not overwritten, so nothing in it is lost unseen.
    public private(set) var unreadable: String?

    /// An identity is a server's words: kept to a line's worth, controls escaped.
    static let identityLimit = 200

    /// The state as the file holds it; empty when there is none or it cannot be trusted
    /// (it only remembers choices: losing it costs the user one `account use`).
    public init(stateDirectory: String) {
        path = stateDirectory + "/accounts.json"
        let bytes: [UInt8]
        switch OwnFile.read(path, limit: 4 << 20) {
        case .absent: return
        case .refused(let why): unreadable = why; return
        case .contents(let read): bytes = read
        }
        guard let root = JSONValue(parsing: bytes) else { unreadable = "\(path) is not JSON"; return }
        for (profile, label) in root["active"]?.objectValue ?? [:] {
            if let label = label.stringValue, ProfileName.isValid(profile), ProfileName.isValid(label) { active[profile] = label }
        }
        for item in root["accounts"]?.arrayValue ?? [] {
            guard let profile = item["profile"]?.stringValue, let account = item["account"]?.stringValue,
                  ProfileName.isValid(profile), ProfileName.isValid(account) else { continue }
            let environment = item["environment"]?.stringValue.flatMap { ProfileName.isValid($0) ? $0 : nil }
            entries.append(Entry(key: CredentialKey(profile: profile, environment: environment, account: account),
                                 identity: item["identity"]?.stringValue.map(Self.shown)))
        }
    }

    /// An identity as it may be kept and shown: one line, no control characters, not too long.
    static func shown(_ identity: String) -> String {
        let escaped = TerminalText.escapingControls(identity).unicodeScalars
        guard escaped.count > identityLimit else { return String(escaped) }
        var cut = String.UnicodeScalarView(escaped.prefix(identityLimit - 1))
        cut.append("…")
        return String(cut)
    }

    /// The labels known for a profile, in order, the default first when there is one.
    public func labels(of profile: String) -> [String] {
        var labels = Set(entries.filter { $0.key.profile == profile }.map(\.key.account))
        if let chosen = active[profile] { labels.insert(chosen) }
        let others = labels.subtracting([CredentialKey.defaultAccount]).sorted()
        return labels.contains(CredentialKey.defaultAccount) ? [CredentialKey.defaultAccount] + others : others
    }

    public func identity(of key: CredentialKey) -> String? { entries.first { $0.key == key }?.identity }

    /// Reads, changes and writes the state under a lock, so concurrent logins keep each other's entries.
    public static func update(stateDirectory: String, _ change: (inout AccountState) -> Void) throws(APICtlError) {
        do { try AtomicFile.makePrivateDirectory(stateDirectory) } catch { throw .config("cannot create \(stateDirectory): \(error.message)") }
        let lock = try FileLock(path: stateDirectory + "/accounts.lock")
        defer { lock.unlock() }
        var state = AccountState(stateDirectory: stateDirectory)
        if let why = state.unreadable {
            throw .config("\(why); it was left as it is", hint: "remove it (it only remembers 'account use' choices and identities)")
        }
        let before = (state.active, state.entries)
        change(&state)
        guard state.active != before.0 || state.entries != before.1 else { return }
        do { try AtomicFile.write(state.encoded(), to: state.path, mode: 0o600) } catch {
            throw .config("cannot write the account state: \(error.message)")
        }
    }

    /// Notes a stored login; its identity when known (nil keeps what was known).
    public mutating func remember(_ key: CredentialKey, identity: String?) {
        let identity = identity.map(Self.shown)
        if let index = entries.firstIndex(where: { $0.key == key }) {
            if let identity { entries[index].identity = identity }
        } else {
            entries.append(Entry(key: key, identity: identity))
        }
    }

    /// A login that is gone; whether the profile's active account changes is the caller's to
    /// decide, since only the store knows whether another environment still holds the label.
    public mutating func forget(_ key: CredentialKey) {
        entries.removeAll { $0.key == key }
    }

    /// Everything about a profile (it was removed).
    public mutating func forget(profile: String) {
        entries.removeAll { $0.key.profile == profile }
        active[profile] = nil
    }

    public mutating func use(_ account: String?, for profile: String) {
        active[profile] = account == CredentialKey.defaultAccount ? nil : account
    }

    private func encoded() -> [UInt8] {
        let accounts = entries.sorted { $0.key < $1.key }.map { entry -> JSONValue in
            var members: [String: JSONValue] = ["profile": .string(entry.key.profile), "environment": .string(entry.key.environment),
                                                "account": .string(entry.key.account)]
            if let identity = entry.identity { members["identity"] = .string(identity) }
            return .object(members)
        }
        let root: JSONValue = .object(["version": 1, "active": .object(active.mapValues(JSONValue.string)), "accounts": .array(accounts)])
        return Array((root.rendered() + "\n").utf8)
    }
}
