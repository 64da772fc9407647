import FoundationEssentials

/// A copy of each keyring item apictl reads or writes, kept in the kernel's user
/// keyring for `keyring_cache` (default 15 minutes), so that later processes of
/// the same user on the same session bus answer without libsecret at all.
///
/// Why a copy and not a faster lookup: reading one item through libsecret costs
/// about 18 ms here, and the largest part, about 9 ms, is the Diffie-Hellman
/// session every process must open before the Secret Service hands over a
/// secret (four 1024-bit modular exponentiations of ~1.8 ms, two on each side).
/// libsecret's API has no call that skips it; the rest is loading GLib and the
/// bus handshake. docs/development.md has the measurements.
///
/// Each copy carries the bus address it was read on, so another Secret Service
/// (another login, another dbus-run-session) never gets it. apictl's own writes
/// replace it; a change made outside apictl (secret-tool, Seahorse) is seen when
/// the copy expires, after `apictl credentials lock`, or at once when the API
/// refuses the copied token (the session then reads the item itself).
public struct KeyringCopies: Sendable {
    public let busAddress: String
    /// Seconds the kernel keeps a copy after it is written.
    public let lifetime: TimeInterval

    /// nil when copies are off (`keyring_cache = "0"`) or there is no session bus to bind them to.
    public init?(environment: [String: String], lifetime: TimeInterval) {
        guard lifetime > 0, let address = KeyringProbe.busAddress(environment: environment) else { return nil }
        busAddress = address
        self.lifetime = lifetime
    }

    public static func entry(_ key: CredentialKey, in keeper: any SecretKeeping = KernelKeyring()) -> KernelKey {
        ProfileStateFiles.kernelKey("keyring-copy", key: key, in: keeper)
    }

    func read(_ key: CredentialKey) -> Credential? { Self.entry(key).readRecord(boundTo: busAddress) }

    func write(_ credential: Credential, for key: CredentialKey) {
        Self.entry(key).writeRecord(credential, boundTo: busAddress, lifetime: lifetime)
    }

    /// `APICTL_KEYRING_CACHE`, else the config's `keyring_cache`, else 15 minutes; "0" turns copies off.
    public static func lifetime(config: ConfigFile, environment: [String: String]) throws(APICtlError) -> TimeInterval {
        try DurationText.cacheLifetime(variable: "APICTL_KEYRING_CACHE", key: "keyring_cache",
                                       configured: config.keyringCache, environment: environment)
    }
}
