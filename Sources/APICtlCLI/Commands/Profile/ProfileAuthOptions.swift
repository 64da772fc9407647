import APICtlCore

/// The `profile add` options that fill a profile's `[oauth]` and `[tokens]` tables.
struct ProfileAuthOptions: CommandOptions {
    let issuer: String?
    let clientID: String?
    let clientAuth: String?
    let clientSecretEnv: String?
    let tokenRequest: String?
    let scopes: [String]
    let authorizeURL: String?
    let tokenURL: String?
    let deviceURL: String?
    let revocationURL: String?
    let refreshURL: String?
    let redirectPort: Int?
    let tokensFrom: String?

    init(_ declare: OptionBinding) {
        issuer = declare.value("oauth-issuer", nil, "URL", help: "OAuth 2.0 issuer; its discovery document gives the endpoints")
        clientID = declare.value("oauth-client-id", nil, "ID", help: "OAuth 2.0 client id registered for apictl")
        clientAuth = declare.value("oauth-client-auth", nil, "METHOD", help: "How the client authenticates: basic, post, none, tls_client_auth or self_signed_tls_client_auth",
                                   completion: .choices(OAuthConfig.clientAuthChoices))
        clientSecretEnv = declare.value("oauth-client-secret-env", nil, "VAR", help: "Environment variable holding the client secret")
        tokenRequest = declare.value("oauth-token-request", nil, "FORMAT", help: "Token requests as form (RFC 6749) or json",
                                     completion: .choices(["form", "json"]))
        scopes = declare.list("oauth-scope", nil, "SCOPE", help: "Scope to ask for at login")
        authorizeURL = declare.value("oauth-authorize-url", nil, "URL", help: "Authorization endpoint")
        tokenURL = declare.value("oauth-token-url", nil, "URL", help: "Token endpoint")
        deviceURL = declare.value("oauth-device-url", nil, "URL", help: "Device authorization endpoint (RFC 8628)")
        revocationURL = declare.value("oauth-revocation-url", nil, "URL", help: "Revocation endpoint (RFC 7009)")
        refreshURL = declare.value("oauth-refresh-url", nil, "URL",
                                   help: "The API's own refresh endpoint (JSON {refresh_token}); a path is under the base URL")
        redirectPort = declare.number("oauth-redirect-port", "PORT", help: "Fixed loopback port for the redirect (0: any free port)",
                                      in: 0...65535)
        tokensFrom = declare.value("tokens-from", nil, "FILE", help: "TOML file with a [tokens] table: the API's key endpoints",
                                   completion: .files)
    }

    func apply(to profile: inout ProfileConfig) throws(APICtlError) {
        var oauth = profile.oauth ?? OAuthConfig()
        let before = oauth
        if let issuer {
            // The issuer's discovery document names the endpoints: a preset's own URLs would hide it.
            oauth = OAuthConfig(issuer: issuer, refreshURL: oauth.refreshURL, clientID: oauth.clientID,
                                clientSecretEnv: oauth.clientSecretEnv, clientAuth: oauth.clientAuth,
                                tokenRequest: oauth.tokenRequest, scopes: oauth.scopes)
        }
        if let clientID { oauth.clientID = clientID }
        if let clientAuth { oauth.clientAuth = clientAuth }
        if let clientSecretEnv { oauth.clientSecretEnv = clientSecretEnv }
        if let tokenRequest { oauth.tokenRequest = tokenRequest }
        if !scopes.isEmpty { oauth.scopes = scopes }
        if let authorizeURL { oauth.authorizeURL = authorizeURL }
        if let tokenURL { oauth.tokenURL = tokenURL }
        if let deviceURL { oauth.deviceAuthorizationURL = deviceURL }
        if let revocationURL { oauth.revocationURL = revocationURL }
        if let refreshURL { oauth.refreshURL = refreshURL }
        if let redirectPort { oauth.redirectPort = redirectPort }
        if oauth != before { profile.oauth = oauth }
        if let tokensFrom { profile.tokens = try Self.tokensTable(from: tokensFrom) }
    }

    /// A `[tokens]` table (or the bare keys) from a TOML file of the user's.
    static func tokensTable(from path: String) throws(APICtlError) -> TokensConfig {
        guard let bytes = FileBytes.contents(of: path) else { throw .usage("--tokens-from: cannot read '\(path)'") }
        do { return try ConfigTOML.decodeTokensFile(String(decoding: bytes, as: UTF8.self)) } catch {
            throw .usage("--tokens-from: \(path): \(error.message)")
        }
    }
}
