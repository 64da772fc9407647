import FoundationEssentials

/// A profile's OAuth 2.0 settings made concrete: absolute URLs (from the config,
/// else the issuer's discovery document) and the client's identity.
public struct OAuthEndpoints: Sendable {
    public var authorizeURL: String?
    public var tokenURL: String?
    public var deviceAuthorizationURL: String?
    public var revocationURL: String?
    /// Seed 001's own refresh endpoint, used instead of the token endpoint for refresh.
    public var refreshURL: String?
    public var scopes: [String]

    /// Reads `[profiles.NAME.oauth]`; fetches `{issuer}/.well-known/openid-configuration`
    /// (then `oauth-authorization-server`) only when `needsDiscovery` and a URL is missing.
    public static func resolve(_ profile: ResolvedProfile, http: APIClient,
                               needsDiscovery: Bool = true) throws(APICtlError) -> OAuthEndpoints {
        let config = try Self.config(profile)
        func url(_ text: String?, _ key: String) throws(APICtlError) -> String? {
            guard let text else { return nil }
            return try checked(try profile.url(for: text), what: "oauth.\(key)", profile: profile.name)
        }
        var endpoints = OAuthEndpoints(authorizeURL: try url(config.authorizeURL, "authorize_url"),
                                       tokenURL: try url(config.tokenURL, "token_url"),
                                       deviceAuthorizationURL: try url(config.deviceAuthorizationURL, "device_authorization_url"),
                                       revocationURL: try url(config.revocationURL, "revocation_url"),
                                       refreshURL: try url(config.refreshURL, "refresh_url"),
                                       scopes: config.scopes ?? [])
        let missing = endpoints.authorizeURL == nil || endpoints.tokenURL == nil
            || endpoints.deviceAuthorizationURL == nil || endpoints.revocationURL == nil
        if needsDiscovery, missing, let issuer = config.issuer {
            let document = try discover(try checked(issuer, what: "oauth.issuer", profile: profile.name), http: http,
                                        caCert: profile.caCert)
            func found(_ key: String) throws(APICtlError) -> String? {
                guard let value = document[key] else { return nil }
                guard let text = value.stringValue else {
                    throw APICtlError.config("the discovery document of \(issuer) has a \(key) that is not a string")
                }
                return try checked(text, what: "the discovery document's \(key)", profile: profile.name)
            }
            if endpoints.authorizeURL == nil { endpoints.authorizeURL = try found("authorization_endpoint") }
            if endpoints.tokenURL == nil { endpoints.tokenURL = try found("token_endpoint") }
            if endpoints.deviceAuthorizationURL == nil { endpoints.deviceAuthorizationURL = try found("device_authorization_endpoint") }
            if endpoints.revocationURL == nil { endpoints.revocationURL = try found("revocation_endpoint") }
            if OAuthClientIdentity.Method(rawValue: config.clientAuth ?? "")?.usesCertificate == true {
                try endpoints.useMTLSAliases(document["mtls_endpoint_aliases"], config: config, profile: profile.name)
            }
        }
        return endpoints
    }

    /// RFC 8705 §5: a client that authenticates by certificate uses the endpoints the provider
    /// listed for mutual TLS, where the config did not name its own.
    mutating func useMTLSAliases(_ aliases: JSONValue?, config: OAuthConfig, profile: String) throws(APICtlError) {
        guard let aliases = aliases?.objectValue else { return }
        func alias(_ key: String) throws(APICtlError) -> String? {
            guard let text = aliases[key]?.stringValue else { return nil }
            return try Self.checked(text, what: "the discovery document's mtls_endpoint_aliases.\(key)", profile: profile)
        }
        if config.tokenURL == nil, let url = try alias("token_endpoint") { tokenURL = url }
        if config.deviceAuthorizationURL == nil, let url = try alias("device_authorization_endpoint") { deviceAuthorizationURL = url }
        if config.revocationURL == nil, let url = try alias("revocation_endpoint") { revocationURL = url }
    }

    public static func config(_ profile: ResolvedProfile) throws(APICtlError) -> OAuthConfig {
        guard let config = profile.oauth else {
            throw APICtlError.config("profile '\(profile.name)' has no [profiles.\(profile.name).oauth] table",
                                     hint: "add one with 'apictl profile set \(profile.name) --oauth-client-id ID --oauth-issuer URL'")
        }
        return config
    }

    /// The client's identity; the secret from `client_secret_env`, else the one stored at login.
    public static func identity(_ profile: ResolvedProfile, environment: [String: String], storedSecret: String?,
                                connection: ConnectionSecrets? = nil) throws(APICtlError) -> OAuthClientIdentity {
        let config = try Self.config(profile)
        guard let clientID = config.clientID, !clientID.isEmpty else {
            throw APICtlError.config("profile '\(profile.name)' has no oauth.client_id",
                                     hint: "register apictl with the provider, then 'apictl profile set \(profile.name) --oauth-client-id ID'")
        }
        let fromEnvironment = config.clientSecretEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        // A profile whose client authenticates with a secret: say which variable is missing,
        // rather than send none and relay the provider's invalid_client.
        if let variable = config.clientSecretEnv, fromEnvironment == nil, storedSecret == nil,
           ["basic", "post"].contains(config.clientAuth ?? "") {
            throw APICtlError.config("profile '\(profile.name)' takes its client secret from \(variable) (oauth.client_secret_env), which is not set",
                                     hint: "export \(variable) with the client secret")
        }
        let method = OAuthClientIdentity.Method(rawValue: config.clientAuth ?? "") ?? ((fromEnvironment ?? storedSecret) == nil ? .none : .basic)
        if method.usesCertificate {
            guard let certificate = try connection?.certificate(for: profile) else {
                throw APICtlError.config("profile '\(profile.name)' authenticates its client by certificate (oauth.client_auth = \"\(method.rawValue)\") but has no client_cert",
                                         hint: "set client_cert (and client_key) of the profile")
            }
            return OAuthClientIdentity(clientID: clientID, clientSecret: nil, method: method, json: config.tokenRequest == "json",
                                       certificate: certificate)
        }
        return OAuthClientIdentity(clientID: clientID, clientSecret: method == .none ? nil : fromEnvironment ?? storedSecret,
                                   method: method, json: config.tokenRequest == "json")
    }

    /// https, or plain http to loopback only: a token endpoint sees secrets.
    static func checked(_ url: String, what: String, profile: String) throws(APICtlError) -> String {
        guard let parts = URLParts.parse(url) else {
            throw APICtlError.config("\(what) of profile '\(profile)' is not a URL: '\(url)'")
        }
        if parts.scheme == "http" && !parts.isLoopback {
            throw APICtlError.config("\(what) of profile '\(profile)' is plain http to \(parts.host); OAuth needs https")
        }
        return url
    }

    static func discover(_ issuer: String, http: APIClient, caCert: String?) throws(APICtlError) -> [String: JSONValue] {
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        for suffix in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
            let response = try http.fetch(HTTPRequest(method: "GET", url: base + suffix, timeout: 30, caCertPath: caCert))
            if response.status == 404 { continue }
            guard response.head.isSuccess else {
                throw APICtlError(ExitCode.forStatus(response.status) == .serverError ? .serverError : .configuration,
                                  "discovery at \(base + suffix) answered \(response.status)")
            }
            guard let document = JSONValue(parsing: response.body)?.objectValue else {
                throw APICtlError.config("the discovery document at \(base + suffix) is not a JSON object")
            }
            return document
        }
        throw APICtlError.config("\(issuer) has no discovery document", hint: "set oauth.authorize_url and oauth.token_url instead")
    }
}
