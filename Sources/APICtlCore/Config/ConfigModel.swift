/// The config file as stored. It never holds a secret: only names of the
/// environment variables a secret may come from.
public struct ConfigFile: Sendable, Equatable {
    public var defaultProfile: String?
    public var credentialStore: String?
    /// How long the encrypted file's derived key stays in the kernel keyring ("15m"; "0": off).
    public var passphraseCache: String?
    /// How long copies of keyring items stay in the kernel keyring ("15m"; "0": off).
    public var keyringCache: String?
    /// `audit = false` stops recording each use of a stored credential (docs/accounts.md); nil: on.
    public var audit: Bool?
    public var profiles: [String: ProfileConfig]
    /// Keys the file has that apictl does not know, each with the nearest known one: told, not stored,
    /// and so not part of what makes two configs equal (a config written back has none).
    public var unknownKeys: [String] = []

    public static func == (a: ConfigFile, b: ConfigFile) -> Bool {
        a.defaultProfile == b.defaultProfile && a.credentialStore == b.credentialStore && a.passphraseCache == b.passphraseCache
            && a.keyringCache == b.keyringCache && a.audit == b.audit && a.profiles == b.profiles
    }

    public init(defaultProfile: String? = nil, credentialStore: String? = nil, passphraseCache: String? = nil,
                keyringCache: String? = nil, profiles: [String: ProfileConfig] = [:]) {
        self.defaultProfile = defaultProfile
        self.credentialStore = credentialStore
        self.passphraseCache = passphraseCache
        self.keyringCache = keyringCache
        self.profiles = profiles
    }
}

public struct ProfileConfig: Sendable, Equatable {
    /// The built-in description this profile was made from, for `profile show`.
    public var preset: String?
    /// token | bearer | basic | oauth2 | header:NAME | query:NAME
    public var auth: String
    public var baseURL: String?
    public var tokenEnv: String?
    public var whoami: String?
    public var defaultEnv: String?
    public var environments: [String: EnvironmentConfig]?
    /// Values for `{name}` placeholders in base URLs and request paths.
    public var vars: [String: String]?
    /// Non-secret headers sent with every request (e.g. Accept).
    public var headers: [String: String]?
    public var caCert: String?
    /// The client certificate and proxy (`client_cert`, `client_key`, `proxy`, ...); an environment's own win.
    public var connection = ConnectionConfig()
    public var pagination: PaginationConfig?
    /// `[profiles.NAME.oauth]`: how an oauth2 profile obtains and refreshes its token.
    public var oauth: OAuthConfig?
    /// `[profiles.NAME.tokens]`: the API's own key-management endpoints.
    public var tokens: TokensConfig?
    /// `[profiles.NAME.ci]`: a CI job's identity exchanged for an access token.
    public var ci: CIConfig?
    /// `[profiles.NAME.pair]`: an access/refresh pair bought with a login (not OAuth 2.0).
    public var pair: PairConfig?
    /// JSON pointer to the key's id in the whoami response, so rotate knows which key to revoke.
    public var whoamiKeyID: String?
    /// JSON pointer to the caller's name in the whoami response, over apictl's guess.
    public var whoamiIdentity: String?
    /// A password manager's command that prints the token (argv; a TOML string becomes `/bin/sh -c`).
    public var tokenCommand: [String]?
    public var tokenCommandTimeout: String?
    /// How long a plain-text answer is reused ("0": run every time).
    public var tokenCommandCache: String?
    /// The header the API reads an idempotency key from: POST and PATCH then carry a
    /// fresh key, reused on their retries, and are retried like GET.
    public var idempotencyHeader: String?
    /// Where the API's OpenAPI description is (a URL or a file), and how long a synced copy is fresh.
    public var openapi: String?
    public var openapiMaxAge: String?

    public init(preset: String? = nil, auth: String, baseURL: String? = nil, tokenEnv: String? = nil,
                whoami: String? = nil, defaultEnv: String? = nil, environments: [String: EnvironmentConfig]? = nil,
                vars: [String: String]? = nil, headers: [String: String]? = nil, caCert: String? = nil,
                pagination: PaginationConfig? = nil, oauth: OAuthConfig? = nil, tokens: TokensConfig? = nil,
                ci: CIConfig? = nil, whoamiKeyID: String? = nil, tokenCommand: [String]? = nil, tokenCommandTimeout: String? = nil,
                tokenCommandCache: String? = nil, pair: PairConfig? = nil, whoamiIdentity: String? = nil,
                idempotencyHeader: String? = nil, openapi: String? = nil, openapiMaxAge: String? = nil) {
        self.idempotencyHeader = idempotencyHeader
        self.openapi = openapi
        self.openapiMaxAge = openapiMaxAge
        self.pair = pair
        self.whoamiIdentity = whoamiIdentity
        self.preset = preset
        self.auth = auth
        self.baseURL = baseURL
        self.tokenEnv = tokenEnv
        self.whoami = whoami
        self.defaultEnv = defaultEnv
        self.environments = environments
        self.vars = vars
        self.headers = headers
        self.caCert = caCert
        self.pagination = pagination
        self.oauth = oauth
        self.tokens = tokens
        self.ci = ci
        self.whoamiKeyID = whoamiKeyID
        self.tokenCommand = tokenCommand
        self.tokenCommandTimeout = tokenCommandTimeout
        self.tokenCommandCache = tokenCommandCache
    }
}

public struct EnvironmentConfig: Sendable, Equatable {
    public var baseURL: String
    /// Overrides the profile's token_env, so sandbox and production keys never mix.
    public var tokenEnv: String?
    /// How this environment's keys begin ("sk_test_"): a key of another environment is never sent here.
    public var keyPrefix: String?
    /// Ask before POST, PUT, PATCH and DELETE (`--yes` without a terminal).
    public var confirm: Bool?
    /// This environment's client certificate and proxy, over the profile's.
    public var connection = ConnectionConfig()

    public init(baseURL: String, tokenEnv: String? = nil, keyPrefix: String? = nil, confirm: Bool? = nil) {
        self.baseURL = baseURL
        self.tokenEnv = tokenEnv
        self.keyPrefix = keyPrefix
        self.confirm = confirm
    }
}

/// How an API's list endpoints page. `Link: rel="next"` is always honoured;
/// these describe the body-based styles.
public struct PaginationConfig: Sendable, Equatable {
    /// JSON pointer to the array of items in a page ("" or absent: found by looking).
    public var items: String?
    /// JSON pointer to the next page's URL in the body (e.g. "/next").
    public var nextURL: String?
    /// JSON pointer to the next cursor in the body, sent back in `cursorParam`.
    public var nextCursor: String?
    public var cursorParam: String?
    /// Page-number style: this query parameter counts up until a page is empty.
    public var pageParam: String?

    public init(items: String? = nil, nextURL: String? = nil, nextCursor: String? = nil, cursorParam: String? = nil,
                pageParam: String? = nil) {
        self.items = items
        self.nextURL = nextURL
        self.nextCursor = nextCursor
        self.cursorParam = cursorParam
        self.pageParam = pageParam
    }
}

/// How a profile (or one of its environments) reaches its API below HTTP: the client
/// certificate it presents and the proxy it goes through (docs/configuration.md).
public struct ConnectionConfig: Sendable, Equatable {
    /// PEM (leaf first, chain and key allowed) or PKCS#12.
    public var clientCert: String?
    /// PEM private key; without one, the certificate file's own, else the one `credentials import-key` stored.
    public var clientKey: String?
    /// The variable holding the passphrase of an encrypted key or PKCS#12 file.
    public var clientKeyPassphraseEnv: String?
    /// "http://host:port"; "" goes direct whatever the proxy variables say.
    public var proxy: String?

    public init(clientCert: String? = nil, clientKey: String? = nil, clientKeyPassphraseEnv: String? = nil, proxy: String? = nil) {
        self.clientCert = clientCert
        self.clientKey = clientKey
        self.clientKeyPassphraseEnv = clientKeyPassphraseEnv
        self.proxy = proxy
    }

    /// `override`'s settings where it has them: an environment's over its profile's. A certificate
    /// comes with its own key and passphrase, never the profile's.
    public func overridden(by override: ConnectionConfig) -> ConnectionConfig {
        var merged = self
        if override.clientCert != nil {
            merged.clientCert = override.clientCert
            merged.clientKey = override.clientKey
            merged.clientKeyPassphraseEnv = override.clientKeyPassphraseEnv
        }
        if override.proxy != nil { merged.proxy = override.proxy }
        return merged
    }
}
