import APICtlCore

/// The `profile add` options that fill a profile's `[oauth]` and `[tokens]` tables.
enum ProfileAuthOptions {
    static let options: [OptionSpec] = [
        .value("oauth-issuer", nil, "URL", help: "OAuth 2.0 issuer; its discovery document gives the endpoints"),
        .value("oauth-client-id", nil, "ID", help: "OAuth 2.0 client id registered for apictl"),
        .value("oauth-client-auth", nil, "METHOD", help: "How the client authenticates: basic, post or none",
               completion: .choices(["basic", "post", "none"])),
        .value("oauth-client-secret-env", nil, "VAR", help: "Environment variable holding the client secret"),
        .value("oauth-token-request", nil, "FORMAT", help: "Token requests as form (RFC 6749) or json",
               completion: .choices(["form", "json"])),
        .value("oauth-scope", nil, "SCOPE", help: "Scope to ask for at login", repeatable: true),
        .value("oauth-authorize-url", nil, "URL", help: "Authorization endpoint"),
        .value("oauth-token-url", nil, "URL", help: "Token endpoint"),
        .value("oauth-device-url", nil, "URL", help: "Device authorization endpoint (RFC 8628)"),
        .value("oauth-revocation-url", nil, "URL", help: "Revocation endpoint (RFC 7009)"),
        .value("oauth-refresh-url", nil, "URL", help: "The API's own refresh endpoint (JSON {refresh_token}); a path is under the base URL"),
        .value("oauth-redirect-port", nil, "PORT", help: "Fixed loopback port for the redirect (0: any free port)"),
        .value("tokens-from", nil, "FILE", help: "TOML file with a [tokens] table: the API's key endpoints", completion: .files),
    ]

    static func apply(_ parsed: ParsedCommand, to profile: inout ProfileConfig) throws(APICtlError) {
        var oauth = profile.oauth ?? OAuthConfig()
        let before = oauth
        if let issuer = parsed.value("oauth-issuer") {
            // The issuer's discovery document names the endpoints: a preset's own URLs would hide it.
            oauth = OAuthConfig(issuer: issuer, refreshURL: oauth.refreshURL, clientID: oauth.clientID,
                                clientSecretEnv: oauth.clientSecretEnv, clientAuth: oauth.clientAuth,
                                tokenRequest: oauth.tokenRequest, scopes: oauth.scopes)
        }
        if let id = parsed.value("oauth-client-id") { oauth.clientID = id }
        if let method = parsed.value("oauth-client-auth") { oauth.clientAuth = method }
        if let variable = parsed.value("oauth-client-secret-env") { oauth.clientSecretEnv = variable }
        if let format = parsed.value("oauth-token-request") { oauth.tokenRequest = format }
        if !parsed.all("oauth-scope").isEmpty { oauth.scopes = parsed.all("oauth-scope") }
        if let url = parsed.value("oauth-authorize-url") { oauth.authorizeURL = url }
        if let url = parsed.value("oauth-token-url") { oauth.tokenURL = url }
        if let url = parsed.value("oauth-device-url") { oauth.deviceAuthorizationURL = url }
        if let url = parsed.value("oauth-revocation-url") { oauth.revocationURL = url }
        if let url = parsed.value("oauth-refresh-url") { oauth.refreshURL = url }
        if let text = parsed.value("oauth-redirect-port") {
            guard let port = Int(text), (0...65535).contains(port) else {
                throw .usage("--oauth-redirect-port takes a port from 0 to 65535, not '\(text)'")
            }
            oauth.redirectPort = port
        }
        if oauth != before { profile.oauth = oauth }
        if let file = parsed.value("tokens-from") { profile.tokens = try tokensTable(from: file) }
    }

    /// A `[tokens]` table (or the bare keys) from a TOML file of the user's.
    static func tokensTable(from path: String) throws(APICtlError) -> TokensConfig {
        guard let bytes = FileBytes.contents(of: path) else { throw .usage("--tokens-from: cannot read '\(path)'") }
        do { return try ConfigTOML.decodeTokensFile(String(decoding: bytes, as: UTF8.self)) } catch {
            throw .usage("--tokens-from: \(path): \(error.message)")
        }
    }
}
