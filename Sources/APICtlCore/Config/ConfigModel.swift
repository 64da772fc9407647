/// The config file as stored. It never holds a secret: only names of the
/// environment variables a secret may come from.
public struct ConfigFile: Codable, Sendable, Equatable {
    public var defaultProfile: String?
    public var credentialStore: String?
    public var profiles: [String: ProfileConfig]

    public init(defaultProfile: String? = nil, credentialStore: String? = nil, profiles: [String: ProfileConfig] = [:]) {
        self.defaultProfile = defaultProfile
        self.credentialStore = credentialStore
        self.profiles = profiles
    }

    enum CodingKeys: String, CodingKey {
        case defaultProfile = "default_profile"
        case credentialStore = "credential_store"
        case profiles
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        defaultProfile = try c.decodeIfPresent(String.self, forKey: .defaultProfile)
        credentialStore = try c.decodeIfPresent(String.self, forKey: .credentialStore)
        profiles = try c.decodeIfPresent([String: ProfileConfig].self, forKey: .profiles) ?? [:]
    }
}

public struct ProfileConfig: Codable, Sendable, Equatable {
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
    public var pagination: PaginationConfig?

    public init(preset: String? = nil, auth: String, baseURL: String? = nil, tokenEnv: String? = nil,
                whoami: String? = nil, defaultEnv: String? = nil, environments: [String: EnvironmentConfig]? = nil,
                vars: [String: String]? = nil, headers: [String: String]? = nil, caCert: String? = nil,
                pagination: PaginationConfig? = nil) {
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
    }

    enum CodingKeys: String, CodingKey {
        case preset, auth, whoami, environments, vars, headers, pagination
        case baseURL = "base_url"
        case tokenEnv = "token_env"
        case defaultEnv = "default_env"
        case caCert = "ca_cert"
    }
}

public struct EnvironmentConfig: Codable, Sendable, Equatable {
    public var baseURL: String
    /// Overrides the profile's token_env, so sandbox and production keys never mix.
    public var tokenEnv: String?

    public init(baseURL: String, tokenEnv: String? = nil) {
        self.baseURL = baseURL
        self.tokenEnv = tokenEnv
    }

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case tokenEnv = "token_env"
    }
}

/// How an API's list endpoints page. `Link: rel="next"` is always honoured;
/// these describe the body-based styles.
public struct PaginationConfig: Codable, Sendable, Equatable {
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

    enum CodingKeys: String, CodingKey {
        case items
        case nextURL = "next_url"
        case nextCursor = "next_cursor"
        case cursorParam = "cursor_param"
        case pageParam = "page_param"
    }
}
