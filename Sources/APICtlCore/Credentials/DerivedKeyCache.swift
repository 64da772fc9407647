import FoundationEssentials

/// Keeps the encrypted file's derived key (never the passphrase, never on disk)
/// in the kernel's user keyring with an expiry, as ssh-agent and sudo keep what
/// a person typed: later apictl processes of the same user skip the prompt and
/// the ~0.13 s of scrypt. Where the kernel refuses (some containers' seccomp),
/// every call quietly does nothing and apictl asks as before.
public struct DerivedKeyCache: Sendable {
    /// One key per credential file: "apictl:file-key:/home/me/.local/share/apictl/credentials.enc".
    public let description: String
    /// Seconds the kernel keeps the key after it is stored.
    public let lifetime: TimeInterval
    /// False when `APICTL_PASSPHRASE` is set: a passphrase given outright wins over a cached key.
    public let consult: Bool

    public init(filePath: String, lifetime: TimeInterval, consult: Bool) {
        description = "apictl:file-key:" + filePath
        self.lifetime = lifetime
        self.consult = consult
    }

    private var key: KernelKey { KernelKey(description) }

    /// The cached key when it was derived with `salt` (the file's current salt).
    func load(salt: [UInt8]) -> [UInt8]? {
        guard let payload = key.read() else { return nil }
        guard payload.count == salt.count + 32, Array(payload[0..<salt.count]) == salt else {
            forget()   // a key for a file since re-keyed or replaced: useless now
            return nil
        }
        return Array(payload[salt.count...])
    }

    func store(salt: [UInt8], key derived: [UInt8]) {
        key.write(salt + derived, lifetime: lifetime)
    }

    /// Whether a key for this file is in the kernel keyring now.
    public var isHeld: Bool { key.isHeld }

    /// True when a cached key was there to forget.
    @discardableResult
    public func forget() -> Bool { key.forget() }

    /// `APICTL_PASSPHRASE_CACHE`, else the config's `passphrase_cache`, else 15 minutes;
    /// a bare number is seconds and "0" turns the cache off (returns 0).
    public static func lifetime(config: ConfigFile, environment: [String: String]) throws(APICtlError) -> TimeInterval {
        try DurationText.cacheLifetime(variable: "APICTL_PASSPHRASE_CACHE", key: "passphrase_cache",
                                       configured: config.passphraseCache, environment: environment)
    }
}
