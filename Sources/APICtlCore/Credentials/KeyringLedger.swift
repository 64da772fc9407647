/// The names (never the secrets) of the credentials apictl has put in the Secret
/// Service keyring, kept in the data folder. When the keyring cannot be reached
/// (no session bus, no service), `auto` falls back to the encrypted file; the
/// ledger lets apictl say "your key is in the keyring, which is not running"
/// instead of "no credential, run login", and lets login say where the first copy is.
public struct KeyringLedger: Sendable {
    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory + "/keyring-items"
    }

    public func contains(_ key: CredentialKey) -> Bool { entries().contains(Self.line(key)) }

    /// Every key noted, in no particular order; a line not of the ledger's shape is skipped.
    public func keys() -> [CredentialKey] {
        entries().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 2 || fields.count == 3, !fields.contains(where: \.isEmpty) else { return nil }
            return CredentialKey(profile: fields[0], environment: fields[1], account: fields.count == 3 ? fields[2] : nil)
        }
    }

    public func add(_ key: CredentialKey) { update { $0.insert(Self.line(key)) } }

    public func remove(_ key: CredentialKey) { update { $0.remove(Self.line(key)) } }

    private static func line(_ key: CredentialKey) -> String {
        "\(key.profile)\t\(key.environment)" + (key.isDefaultAccount ? "" : "\t\(key.account)")
    }

    private func entries() -> Set<String> {
        guard let bytes = FileBytes.contents(of: path, limit: 1 << 20) else { return [] }
        return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    /// Best effort: the ledger only improves a message, so a failure to write it is no failure of the store.
    /// Under a lock, so logins at once each keep the others' lines.
    private func update(_ change: (inout Set<String>) -> Void) {
        try? AtomicFile.makePrivateDirectory(PathText.directory(of: path))
        let lock = try? FileLock(path: path + ".lock")
        defer { lock?.unlock() }
        var lines = entries()
        let before = lines
        change(&lines)
        guard lines != before else { return }
        let text = lines.sorted().map { $0 + "\n" }.joined()
        try? AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
    }
}
