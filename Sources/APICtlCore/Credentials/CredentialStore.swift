/// Which credential a store holds: one per (profile, environment, account).
public struct CredentialKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var profile: String
    /// "default" for a profile without environments, so keyring attributes are never empty.
    public var environment: String
    /// The label `login --account` gave it; "default" for the first login's, which every
    /// store keeps under the name it had before accounts existed.
    public var account: String

    public static let defaultAccount = "default"

    public init(profile: String, environment: String?, account: String? = nil) {
        self.profile = profile
        self.environment = environment ?? "default"
        self.account = account ?? Self.defaultAccount
    }

    public var isDefaultAccount: Bool { account == Self.defaultAccount }

    /// Where a profile keeps what its connection needs, beside its logins: labels no user can give
    /// (a colon), so no login is ever one of them.
    public static let clientKeyAccount = ":client-key"
    public static let proxyAccount = ":proxy"

    /// A login's credential: not the client key or the proxy's password stored beside it.
    public var isLogin: Bool { !account.hasPrefix(":") }

    /// The client certificate's private key (`credentials import-key`) of this profile and environment.
    public var clientKey: CredentialKey { CredentialKey(profile: profile, environment: environment, account: Self.clientKeyAccount) }
    /// The proxy's user and password (`login --proxy`) of this profile and environment.
    public var proxyLogin: CredentialKey { CredentialKey(profile: profile, environment: environment, account: Self.proxyAccount) }

    public var description: String {
        var text = environment == "default" ? profile : "\(profile) (\(environment))"
        if !isDefaultAccount { text += ", account \(account)" }
        return text
    }

    public static func < (a: CredentialKey, b: CredentialKey) -> Bool {
        (a.profile, a.environment, a.account) < (b.profile, b.environment, b.account)
    }
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
