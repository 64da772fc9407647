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

    public init(preset: String? = nil, auth: String, baseURL: String? = nil, tokenEnv: String? = nil,
                whoami: String? = nil, defaultEnv: String? = nil, environments: [String: EnvironmentConfig]? = nil,
                vars: [String: String]? = nil, headers: [String: String]? = nil, caCert: String? = nil) {
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
    }

    enum CodingKeys: String, CodingKey {
        case preset, auth, whoami, environments, vars, headers
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
