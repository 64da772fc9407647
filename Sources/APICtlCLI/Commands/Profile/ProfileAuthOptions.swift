import APICtlCore

/// The `profile add` options that fill a profile's `[oauth]` and `[tokens]` tables.
enum ProfileAuthOptions {
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
