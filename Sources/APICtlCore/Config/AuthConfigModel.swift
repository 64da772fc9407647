/// `[profiles.NAME.oauth]` as written in the config file (docs/configuration.md).
/// URLs left out here may come from the issuer's discovery document.
public struct OAuthConfig: Sendable, Equatable {
    public var issuer: String?
    public var authorizeURL: String?
    public var tokenURL: String?
    public var deviceAuthorizationURL: String?
    public var revocationURL: String?
    /// An API's own refresh endpoint (seed 001), taking JSON `{"refresh_token": ...}`.
    public var refreshURL: String?
    public var clientID: String?
    public var clientSecretEnv: String?
    /// basic | post | none | tls_client_auth | self_signed_tls_client_auth
    public var clientAuth: String?
    public static let clientAuthChoices = ["basic", "post", "none", "tls_client_auth", "self_signed_tls_client_auth"]
    /// form | json
    public var tokenRequest: String?
    public var scopes: [String]?
    public var redirectPort: Int?
    public var redirectPath: String?
    /// 127.0.0.1 unless a provider registered `localhost`.
    public var redirectHost: String?

    public init(issuer: String? = nil, authorizeURL: String? = nil, tokenURL: String? = nil,
                deviceAuthorizationURL: String? = nil, revocationURL: String? = nil, refreshURL: String? = nil,
                clientID: String? = nil, clientSecretEnv: String? = nil, clientAuth: String? = nil,
                tokenRequest: String? = nil, scopes: [String]? = nil, redirectPort: Int? = nil,
                redirectPath: String? = nil, redirectHost: String? = nil) {
        self.issuer = issuer
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.deviceAuthorizationURL = deviceAuthorizationURL
        self.revocationURL = revocationURL
        self.refreshURL = refreshURL
        self.clientID = clientID
        self.clientSecretEnv = clientSecretEnv
        self.clientAuth = clientAuth
        self.tokenRequest = tokenRequest
        self.scopes = scopes
        self.redirectPort = redirectPort
        self.redirectPath = redirectPath
        self.redirectHost = redirectHost
    }
}

/// `[profiles.NAME.tokens]`: where an API creates, lists and revokes its keys,
/// and where the interesting fields sit in its answers (JSON pointers).
public struct TokensConfig: Sendable, Equatable {
    /// "METHOD PATH", relative to the base URL.
    public var create: String?
    public var list: String?
    /// May hold `{id}`.
    public var revoke: String?
    /// The create call's JSON body; string values "{name}", "{scopes}", "{expires_in}",
    /// "{expires_at}" are replaced by typed values, or the field is left out.
    public var createBody: [String: JSONValue]?
    public var key: String?
    public var id: String?
    public var expiresAt: String?
    public var listItems: String?
    public var itemID: String?
    public var itemName: String?
    public var itemScopes: String?
    public var itemCreatedAt: String?
    public var itemExpiresAt: String?
    /// A duration ("90d"): the age at which list and whoami flag a key.
    public var rotateAfter: String?

    public init(create: String? = nil, list: String? = nil, revoke: String? = nil, createBody: [String: JSONValue]? = nil,
                key: String? = nil, id: String? = nil, expiresAt: String? = nil, listItems: String? = nil,
                itemID: String? = nil, itemName: String? = nil, itemScopes: String? = nil, itemCreatedAt: String? = nil,
                itemExpiresAt: String? = nil, rotateAfter: String? = nil) {
        self.create = create
        self.list = list
        self.revoke = revoke
        self.createBody = createBody
        self.key = key
        self.id = id
        self.expiresAt = expiresAt
        self.listItems = listItems
        self.itemID = itemID
        self.itemName = itemName
        self.itemScopes = itemScopes
        self.itemCreatedAt = itemCreatedAt
        self.itemExpiresAt = itemExpiresAt
        self.rotateAfter = rotateAfter
    }
}

/// Each table's keys as the config file names them, with their values: the one
/// list that writing the file and `profile show` both use, so they cannot drift.
extension OAuthConfig {
    public var keyedValues: [(String, JSONValue)] {
        let strings: [(String, String?)] = [
            ("issuer", issuer), ("authorize_url", authorizeURL), ("token_url", tokenURL),
            ("device_authorization_url", deviceAuthorizationURL), ("revocation_url", revocationURL),
            ("refresh_url", refreshURL), ("client_id", clientID), ("client_secret_env", clientSecretEnv),
            ("client_auth", clientAuth), ("token_request", tokenRequest), ("redirect_path", redirectPath),
            ("redirect_host", redirectHost),
        ]
        var values = strings.compactMap { key, value in value.map { (key, JSONValue.string($0)) } }
        if let scopes { values.append(("scopes", JSONValue(scopes))) }
        if let redirectPort { values.append(("redirect_port", JSONValue(redirectPort))) }
        return values
    }
}

extension TokensConfig {
    public var keyedValues: [(String, JSONValue)] {
        let strings: [(String, String?)] = [
            ("create", create), ("list", list), ("revoke", revoke), ("key", key), ("id", id), ("expires_at", expiresAt),
            ("list_items", listItems), ("item_id", itemID), ("item_name", itemName), ("item_scopes", itemScopes),
            ("item_created_at", itemCreatedAt), ("item_expires_at", itemExpiresAt), ("rotate_after", rotateAfter),
        ]
        var values = strings.compactMap { key, value in value.map { (key, JSONValue.string($0)) } }
        if let createBody { values.append(("create_body", .object(createBody))) }
        return values
    }
}
