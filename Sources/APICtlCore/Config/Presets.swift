/// Built-in descriptions of the five seed APIs, so `profile add NAME --preset X`
/// gives a working profile with only the base URL (or a var) to adjust.
public struct Preset: Sendable {
    public let name: String
    public let summary: String
    public let profile: ProfileConfig
    /// Vars the user must supply, with what they mean.
    public let requiredVars: [(name: String, meaning: String)]

    public static let all: [Preset] = [
        Preset(name: "datadocks", summary: "DataDocks: Authorization: Token, one subdomain per location",
               profile: ProfileConfig(preset: "datadocks", auth: "token",
                                      baseURL: "https://{subdomain}.datadocks.com/api/v1",
                                      tokenEnv: "DATADOCKS_API_TOKEN", whoami: "/appointments",
                                      headers: ["Accept": "application/json"],
                                      pagination: PaginationConfig(items: "/appointments", pageParam: "page")),
               requiredVars: [("subdomain", "your location's subdomain, e.g. toronto-acme")]),
        Preset(name: "techdocs", summary: "TechDocs: Bearer API keys and JWTs, refresh endpoint",
               profile: ProfileConfig(preset: "techdocs", auth: "bearer", baseURL: "https://api.techdocs.com/v1",
                                      tokenEnv: "TECHDOCS_API_KEY", whoami: "/users/me",
                                      headers: ["Accept": "application/json"], pagination: PaginationConfig(items: "/users", nextCursor: "/meta/next_cursor", cursorParam: "cursor"),
                                      oauth: OAuthConfig(authorizeURL: "https://auth.techdocs.com/oauth/authorize",
                                                         tokenURL: "https://auth.techdocs.com/oauth/token",
                                                         refreshURL: "/auth/refresh", clientSecretEnv: "TECHDOCS_CLIENT_SECRET",
                                                         tokenRequest: "json", scopes: ["read:users", "write:data"])),
               requiredVars: []),
        Preset(name: "datasets", summary: "Datasets API: JWT Bearer, company-scoped paths",
               profile: ProfileConfig(preset: "datasets", auth: "bearer", baseURL: "https://{host}/api/v1",
                                      tokenEnv: "DATASETS_API_TOKEN", whoami: "/companies/{company_id}/datasets/",
                                      headers: ["Accept": "application/json"],
                                      pagination: PaginationConfig(items: "/results", nextURL: "/next"),
                                      tokens: TokensConfig(create: "POST /companies/{company_id}/api-keys/",
                                                           list: "GET /companies/{company_id}/api-keys/",
                                                           revoke: "DELETE /companies/{company_id}/api-keys/{id}/",
                                                           createBody: ["name": "{name}", "expires_at": "{expires_at}"],
                                                           key: "/token", id: "/id", expiresAt: "/expires_at",
                                                           listItems: "/results")),
               requiredVars: [("host", "the API host"), ("company_id", "your company id, shown beside your API keys")]),
        Preset(name: "pocketdns", summary: "PocketDNS: Bearer, separate sandbox and production keys",
               profile: ProfileConfig(preset: "pocketdns", auth: "bearer", tokenEnv: "POCKETDNS_API_KEY",
                                      whoami: "/api/v1/users/me", defaultEnv: "sandbox",
                                      environments: [
                                          "sandbox": EnvironmentConfig(baseURL: "https://api.sandbox.pocketdns.com",
                                                                       keyPrefix: "sk_test_"),
                                          "production": EnvironmentConfig(baseURL: "https://api.pocketdns.com",
                                                                          keyPrefix: "sk_live_", confirm: true),
                                      ],
                                      headers: ["Accept": "application/json"]),
               requiredVars: []),
        Preset(name: "dzdesk", summary: "DZDESK: scoped, expiring Bearer keys, X-RateLimit headers",
               profile: ProfileConfig(preset: "dzdesk", auth: "bearer", baseURL: "https://api.dzdesk.com/v1",
                                      tokenEnv: "DZDESK_TOKEN", whoami: "/me",
                                      headers: ["Accept": "application/json"], pagination: PaginationConfig(items: "/data"),
                                      oauth: OAuthConfig(authorizeURL: "https://api.dzdesk.com/oauth/authorize",
                                                         tokenURL: "https://api.dzdesk.com/oauth/token",
                                                         clientSecretEnv: "DZDESK_CLIENT_SECRET", tokenRequest: "form",
                                                         scopes: ["requests:read", "requests:write"]),
                                      tokens: TokensConfig(create: "POST /api-keys", list: "GET /api-keys",
                                                           revoke: "DELETE /api-keys/{id}",
                                                           createBody: ["name": "{name}", "scopes": "{scopes}", "expires_in": "{expires_in}"],
                                                           key: "/data/key", id: "/data/id", expiresAt: "/data/expires_at",
                                                           listItems: "/data"),
                                      whoamiKeyID: "/data/key_id"),
               requiredVars: []),
    ]

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }

    /// A preset pointed elsewhere with `--base-url` (a staging host, a local server)
    /// takes its OAuth endpoints along: each keeps its path and moves under the new
    /// API root, the new base URL less the preset's own base path ("/v1"). Returns
    /// the endpoints that moved, as "name URL", so the user is told.
    public func moveOAuthEndpoints(of profile: inout ProfileConfig, to newBase: String) -> [String] {
        guard var oauth = profile.oauth, let presetBase = profile.baseURL.flatMap(URLParts.parse) else { return [] }
        var trimmed = Substring(newBase)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let presetPath = presetBase.path.hasSuffix("/") ? String(presetBase.path.dropLast()) : presetBase.path
        let root: String
        if !presetPath.isEmpty, trimmed.hasSuffix(presetPath) {
            root = String(trimmed.dropLast(presetPath.count))
        } else if let parts = URLParts.parse(newBase) {
            root = parts.origin.description
        } else {
            return []
        }
        var moved: [String] = []
        func move(_ url: inout String?, _ name: String) {
            guard let current = url, let parts = URLParts.parse(current) else { return }
            let target = root + parts.rest
            if target != current { url = target; moved.append("\(name) \(target)") }
        }
        move(&oauth.issuer, "issuer")
        move(&oauth.authorizeURL, "authorize")
        move(&oauth.tokenURL, "token")
        move(&oauth.deviceAuthorizationURL, "device")
        move(&oauth.revocationURL, "revocation")
        move(&oauth.refreshURL, "refresh")
        profile.oauth = oauth
        return moved
    }
}
