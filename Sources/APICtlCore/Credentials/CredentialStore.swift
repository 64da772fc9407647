/// Which credential a store holds: one per (profile, environment).
public struct CredentialKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var profile: String
    /// "default" for a profile without environments, so keyring attributes are never empty.
    public var environment: String

    public init(profile: String, environment: String?) {
        self.profile = profile
        self.environment = environment ?? "default"
    }

    public var description: String { environment == "default" ? profile : "\(profile) (\(environment))" }
    public static func < (a: CredentialKey, b: CredentialKey) -> Bool { (a.profile, a.environment) < (b.profile, b.environment) }
}

/// Somewhere credentials are kept. Implementations fail with exit code 9
/// (credential store) and a message that says what is wrong, never "no token".
public protocol CredentialStore: AnyObject {
    var source: CredentialSource { get }
    func load(_ key: CredentialKey) throws(APICtlError) -> Credential?
    /// The record as the store holds it now, never a kept copy: for decisions made
    /// under a lock (refresh, rotation) and for checking what was just written.
    func loadLatest(_ key: CredentialKey) throws(APICtlError) -> Credential?
    func save(_ credential: Credential, for key: CredentialKey) throws(APICtlError)
    /// True when something was removed.
    func delete(_ key: CredentialKey) throws(APICtlError) -> Bool
    func keys() throws(APICtlError) -> [CredentialKey]
}

extension CredentialStore {
    public func loadLatest(_ key: CredentialKey) throws(APICtlError) -> Credential? { try load(key) }
}
