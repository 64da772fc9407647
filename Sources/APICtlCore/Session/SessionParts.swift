import FoundationEssentials
import Glibc

/// Everything a credential session is built from. apictl hands it the real
/// parts (the process environment, libcurl, the kernel keyring, the configured
/// store); unit tests hand it fakes, so the whole resolution order, renewal and
/// rotation recovery can be tested without a process, a network or a keyring.
public struct SessionParts {
    public var environment: [String: String]
    public var now: @Sendable () -> Date
    public var config: ConfigFile
    /// Where locks and rotation journals live (the credential store's folder).
    public var dataDirectory: String
    public var stores: any CredentialStoreOpening
    public var transport: Transport
    /// Kept token-command answers and CI tokens.
    public var keeper: any SecretKeeping
    /// Runs token commands.
    public var runner: any ProcessRunning
    /// How every client the session makes behaves; its clock is the session's.
    public var clientSettings: ClientSettings

    public init(environment: [String: String], now: @escaping @Sendable () -> Date, config: ConfigFile, dataDirectory: String,
                stores: any CredentialStoreOpening, transport: Transport, keeper: any SecretKeeping = KernelKeyring(),
                runner: any ProcessRunning = ProcessRunner(), clientSettings: ClientSettings = ClientSettings()) {
        self.environment = environment
        self.now = now
        self.config = config
        self.dataDirectory = dataDirectory
        self.stores = stores
        self.transport = transport
        self.keeper = keeper
        self.runner = runner
        self.clientSettings = clientSettings
        self.clientSettings.now = now
    }

    /// What a token command this session runs may inherit of the environment.
    public var childEnvironment: ChildEnvironment { ChildEnvironment(environment, config: config) }

    /// A client on this session's transport: for the profile's own API when `profile`
    /// is given, else a plain one for token endpoints and ID-token sources.
    public func client(profile: ResolvedProfile?, credential: ResolvedCredential?) -> APIClient {
        APIClient(transport: transport, profile: profile, credential: credential, settings: clientSettings)
    }

    /// Refresh locks and rotation journals of the profile's selected environment.
    public func stateFiles(for profile: ResolvedProfile) -> ProfileStateFiles {
        ProfileStateFiles(dataDirectory: dataDirectory, profile: profile)
    }

    /// Renews `profile`'s stored OAuth 2.0 credential under the cross-process lock.
    public func refresher(for profile: ResolvedProfile, store: CredentialStore) -> CredentialRefresher {
        CredentialRefresher(store: store, profile: profile, files: stateFiles(for: profile),
                            http: client(profile: nil, credential: nil), environment: environment, now: now)
    }
}

/// How a client behaves for a whole run, in one value built in one place (the command's
/// context): what it reports (never calls that decide anything), the proxies and CA it
/// uses, how it retries and for how long, and its clock. A client never changes it.
public struct ClientSettings: Sendable {
    public var observer: (@Sendable (WireEvent) -> Void)?
    /// Told before each wait; the CLI prints it.
    public var onRetry: (@Sendable (RetryNotice) -> Void)?
    /// `--cacert FILE`: trusted for every request, over the profile's `ca_cert`.
    public var caCertOverride: String?
    /// From the proxy variables of the environment apictl was started with.
    public var proxies: ProxySettings
    public var retryPolicy: RetryPolicy
    /// `--timeout`: when the whole command must be over, retries and waits included.
    public var deadline: Date?
    /// `--stall-timeout`: seconds without a byte before a request is given up.
    public var stallTimeout: Double
    public var maxRedirects: Int
    /// `batch`: the transport's rate-limit budget holds a 429's retry until the server's reset, for
    /// every request to that origin at once; the client does not wait for it a second time.
    public var budgetHoldsRateLimits = false
    /// Where each use of a stored or commanded credential is recorded; nil with `audit = false`.
    public var audit: AuditTrail?
    /// The client certificates and proxy logins of the run's profiles, read on first use.
    public var connection: ConnectionSecrets?
    /// Whose stored proxy login a client without a profile of its own (token endpoints) gives a proxy that asks.
    public var proxyLoginProfile: ResolvedProfile?
    /// Blocks for the given seconds; handed in so tests can fake time.
    public var sleep: @Sendable (Double) -> Void
    public var now: @Sendable () -> Date

    public init(observer: (@Sendable (WireEvent) -> Void)? = nil, onRetry: (@Sendable (RetryNotice) -> Void)? = nil,
                caCertOverride: String? = nil, proxies: ProxySettings = .none, retryPolicy: RetryPolicy = RetryPolicy(),
                deadline: Date? = nil, stallTimeout: Double = HTTPRequest.defaultStallTimeout, maxRedirects: Int = 10,
                sleep: @escaping @Sendable (Double) -> Void = ClientSettings.realSleep,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.observer = observer
        self.onRetry = onRetry
        self.caCertOverride = caCertOverride
        self.proxies = proxies
        self.retryPolicy = retryPolicy
        self.deadline = deadline
        self.stallTimeout = stallTimeout
        self.maxRedirects = maxRedirects
        self.sleep = sleep
        self.now = now
    }

    /// Sleeps for real, at most an hour at a time.
    public static let realSleep: @Sendable (Double) -> Void = { seconds in
        if seconds.isFinite, seconds > 0 { usleep(useconds_t(min(seconds, 3600) * 1_000_000)) }
    }
}

/// Opens the credential store; asked only when no source before the store answered.
public protocol CredentialStoreOpening {
    /// `reading`: the credential about to be loaded, so a kept keyring copy of it can answer at once.
    func open(reading key: CredentialKey?) throws(APICtlError) -> StoreSelection
}

/// The store the config and `APICTL_CREDENTIAL_STORE` choose, with the
/// passphrase cache and keyring copies they configure.
public struct ConfiguredStores: CredentialStoreOpening {
    public let config: ConfigFile
    public let environment: [String: String]
    public let dataDirectory: String
    /// Asks for the encrypted file's passphrase (the environment, a file, or a no-echo prompt).
    public let passphrase: PassphraseSource

    public init(config: ConfigFile, environment: [String: String], dataDirectory: String,
                passphrase: @escaping PassphraseSource) {
        self.config = config
        self.environment = environment
        self.dataDirectory = dataDirectory
        self.passphrase = passphrase
    }

    public func open(reading key: CredentialKey?) throws(APICtlError) -> StoreSelection {
        try StoreSelection.open(choice: try StoreSelection.choice(config: config, environment: environment),
                                environment: environment, dataDirectory: dataDirectory, passphrase: passphrase,
                                passphraseCache: try DerivedKeyCache.lifetime(config: config, environment: environment),
                                keyringCopies: KeyringCopies(environment: environment,
                                                             lifetime: try KeyringCopies.lifetime(config: config, environment: environment)),
                                reading: key)
    }
}
