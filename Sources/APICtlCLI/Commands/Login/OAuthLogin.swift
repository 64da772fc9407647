import APICtlCore
import FoundationEssentials
import Glibc

/// `apictl login` on an oauth2 profile: the authorization-code flow with PKCE
/// through a loopback redirect (the default), the device flow, or client
/// credentials. The token is verified against whoami, then stored with its
/// refresh token, expiry, scopes and the token endpoint it came from.
enum OAuthLogin {
    enum Flow { case web, device, clientCredentials }

    /// `login`'s OAuth 2.0 options.
    struct Options: CommandOptions {
        let web: Bool
        let device: Bool
        let clientCredentials: Bool
        let noBrowser: Bool
        let timeout: Double?
        let scopes: [String]
        let clientSecretStdin: Bool

        init(_ declare: OptionBinding) {
            web = declare.flag("web", nil, help: "OAuth 2.0: log in through the browser (the default)")
            device = declare.flag("device", nil, help: "OAuth 2.0: the device flow; approve on any device with a browser")
            clientCredentials = declare.flag("client-credentials", nil, help: "OAuth 2.0: log in as the client itself (client_credentials)")
            noBrowser = declare.flag("no-browser", nil,
                                     help: "Print the login URL instead of opening it; paste the redirect URL or code on stdin")
            timeout = declare.seconds("timeout", help: "OAuth 2.0: give up waiting for the browser or approval (default 300)",
                                      positive: true)
            scopes = declare.list("scope", nil, "SCOPE", help: "OAuth 2.0: ask for this scope instead of the profile's")
            clientSecretStdin = declare.flag("client-secret-stdin", nil, help: "OAuth 2.0: read the client secret from stdin")
        }

        /// True when the command line asks for an OAuth 2.0 flow by name.
        var flowRequested: Bool { web || device || clientCredentials }
    }

    /// The grant the chosen flow brings; nil when `--device --no-wait` printed the pending authorization.
    static func obtain(_ flow: Flow, _ login: LoginCommand.Options, _ context: CommandContext, profile: ResolvedProfile,
                       client: OAuthClient, endpoints: OAuthEndpoints, tokenURL: String, scopes: [String],
                       timeout: Double) throws(TokenEndpointError) -> TokenGrant? {
        switch flow {
        case .web:
            guard let authorizeURL = endpoints.authorizeURL else {
                throw TokenEndpointError.failed(.config("profile '\(profile.name)' has no oauth.authorize_url (and no issuer that names one)",
                                                        hint: "or log in with --device or --client-credentials"))
            }
            return try webLogin(noBrowser: login.oauth.noBrowser, context, client: client, config: try configOrFail(profile),
                                authorizeURL: authorizeURL, tokenURL: tokenURL, scopes: scopes, timeout: timeout)
        case .device:
            guard let deviceURL = endpoints.deviceAuthorizationURL else {
                throw TokenEndpointError.failed(.config("profile '\(profile.name)' has no oauth.device_authorization_url",
                                                        hint: "set the provider's device endpoint (RFC 8628) with 'apictl profile set \(profile.name) --oauth-device-url URL', or log in in the browser"))
            }
            return try DeviceLogin.run(login.device, context, profile: profile.name, client: client, deviceURL: deviceURL,
                                       tokenURL: tokenURL, scopes: scopes, timeout: timeout)
        case .clientCredentials:
            return try client.clientCredentials(scopes: scopes, tokenURL: tokenURL)
        }
    }

    private static func configOrFail(_ profile: ResolvedProfile) throws(TokenEndpointError) -> OAuthConfig {
        do { return try OAuthEndpoints.config(profile) } catch { throw .failed(error) }
    }

    /// A login over an earlier OAuth login leaves that one's refresh token live at the provider
    /// unless it is revoked: revoke it where the provider has an RFC 7009 endpoint, else say so.
    static func revokeReplaced(_ replaced: Credential?, by fresh: Credential, client: OAuthClient, revocationURL: String?,
                               profile: ResolvedProfile) -> String {
        guard let replaced, replaced.kind == "oauth2", let old = replaced.refreshToken, old != fresh.refreshToken else { return "" }
        guard let revocationURL else { return "; the replaced login's refresh token was left active (the provider has no revocation endpoint)" }
        // The replaced token came from wherever the profile pointed then: it is revoked only there.
        guard (try? CredentialRefresher.checkDestination(revocationURL, of: replaced, profile: profile, what: "revocation endpoint")) != nil else {
            return "; the replaced login's refresh token was left active (it came from another provider than this login's)"
        }
        do {
            let response = try client.revoke(old, hint: "refresh_token", url: revocationURL)
            return response.head.isSuccess ? "; the replaced login's refresh token was revoked"
                : "; revoking the replaced login's refresh token failed (\(response.status)): it may still be active"
        } catch {
            return "; revoking the replaced login's refresh token failed: it may still be active"
        }
    }

    static func run(_ login: LoginCommand.Options, _ context: CommandContext, configFile: ConfigFile,
                    profile: ResolvedProfile) throws(APICtlError) -> Int32 {
        let options = login.oauth
        let flows = [options.web, options.device, options.clientCredentials].filter { $0 }.count
        guard flows <= 1 else { throw .usage("choose one of --web, --device and --client-credentials") }
        let flow: Flow = options.device ? .device : options.clientCredentials ? .clientCredentials : .web
        if login.device.deferred, flow != .device {
            throw .usage("--no-wait and --complete go with --device")
        }
        let timeout = options.timeout ?? 300
        let config = try OAuthEndpoints.config(profile)
        let http = context.makeClient(transport: try context.openTransport(), profile: nil, credential: nil)
        let endpoints = try OAuthEndpoints.resolve(profile, http: http)
        guard let tokenURL = endpoints.tokenURL else {
            throw .config("profile '\(profile.name)' has no oauth.token_url (and no issuer that names one)")
        }
        let (secret, secretToStore) = try clientSecret(fromStdin: options.clientSecretStdin, context, profile: profile, config: config,
                                                        required: flow == .clientCredentials)
        let identity = try OAuthEndpoints.identity(profile, environment: context.environment, storedSecret: secret,
                                                   connection: http.settings.connection)
        let client = OAuthClient(http: http, identity: identity, caCert: profile.caCert)
        let scopes = options.scopes.isEmpty ? endpoints.scopes : options.scopes
        let action = "the login to '\(profile.name)'"

        let grant: TokenGrant
        do throws(TokenEndpointError) {
            guard let obtained = try obtain(flow, login, context, profile: profile, client: client, endpoints: endpoints,
                                            tokenURL: tokenURL, scopes: scopes, timeout: timeout) else { return 0 }
            grant = obtained
        } catch {
            throw error.apiError(doing: action, profile: profile.name)
        }

        var credential = client.credential(from: grant, receivedAt: context.now(), replacing: nil, requestedScopes: scopes)
        credential.tokenURL = tokenURL
        credential.refreshURL = endpoints.refreshURL
        credential.clientSecret = secretToStore
        credential.grant = flow == .clientCredentials ? "client_credentials" : flow == .device ? "device_code" : "authorization_code"
        var who: String?
        if !login.noVerify, profile.whoamiPath != nil {
            let identity = try LoginCommand.verify(credential, profile: profile, context)
            who = identity?.shownName
        }
        if who == nil, flow == .clientCredentials { who = "client \(identity.clientID)" }
        let selection = try context.openStore(config: configFile)
        let replaced = try selection.store.loadLatest(profile.credentialKey)
        var message = try LoginCommand.store(credential, who: who, noun: "token", profile: profile, config: configFile, context,
                                             in: selection)
        message += revokeReplaced(replaced, by: credential, client: client, revocationURL: endpoints.revocationURL,
                                  profile: profile)
        if let expiry = credential.expiresAt { message += "; it expires in \(humanDuration(expiry.timeIntervalSince(context.now())))" }
        if credential.refreshToken != nil { message += " and renews itself" }
        context.stderr.write(message + "\n")
        return 0
    }

    /// The client secret: `client_secret_env` (never stored), stdin with
    /// --client-secret-stdin, or a no-echo prompt; the last two are kept in the store.
    static func clientSecret(fromStdin: Bool, _ context: CommandContext, profile: ResolvedProfile,
                             config: OAuthConfig, required: Bool) throws(APICtlError) -> (String?, String?) {
        if let name = config.clientSecretEnv, let value = context.environment[name], !value.isEmpty { return (value, nil) }
        // RFC 8705: the certificate is the client's authentication; no secret is asked for or sent.
        if OAuthClientIdentity.Method(rawValue: config.clientAuth ?? "")?.usesCertificate == true { return (nil, nil) }
        let wanted = required || config.clientAuth == "basic" || config.clientAuth == "post" || fromStdin
        guard wanted else { return (nil, nil) }
        if fromStdin {
            guard !context.stdinIsTerminal else { throw .usage("--client-secret-stdin reads the secret from stdin, which is a terminal") }
            let secret = String(decoding: context.readStandardInput(), as: UTF8.self).trimmingWhitespace()
            guard !secret.isEmpty else { throw .usage("no client secret came on stdin") }
            return (secret, secret)
        }
        guard let typed = TerminalInput.readSecret(prompt: "Client secret for \(profile.name): ")?.trimmingWhitespace(), !typed.isEmpty else {
            throw .usage("profile '\(profile.name)' needs a client secret and there is no terminal to ask on",
                         hint: "set \(config.clientSecretEnv ?? "oauth.client_secret_env") or pass --client-secret-stdin")
        }
        return (typed, typed)
    }

    /// Authorization code + PKCE (S256) + state through a loopback redirect (RFC 8252).
    static func webLogin(noBrowser: Bool, _ context: CommandContext, client: OAuthClient, config: OAuthConfig,
                         authorizeURL: String, tokenURL: String, scopes: [String],
                         timeout: Double) throws(TokenEndpointError) -> TokenGrant {
        let receiver: LoopbackReceiver
        do {
            // Bound before the browser opens, so the redirect cannot race the listener.
            receiver = try LoopbackReceiver(host: config.redirectHost ?? "127.0.0.1", port: config.redirectPort ?? 0,
                                            path: config.redirectPath ?? "/callback")
        } catch { throw .failed(error) }
        let pkce = PKCE()
        let state = RandomText.urlSafe(byteCount: 16)
        var query: [(String, String)] = [("response_type", "code"), ("client_id", client.identity.clientID),
                                         ("redirect_uri", receiver.redirectURI)]
        if !scopes.isEmpty { query.append(("scope", scopes.joined(separator: " "))) }
        query += [("state", state), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
        let url = authorizeURL + (authorizeURL.contains("?") ? "&" : "?") + PercentEncoding.formEncode(query)
        if !noBrowser, let opener = BrowserLauncher.open(url, environment: context.childEnvironment) {
            context.stderr.write("Opening the login page with \(opener); if nothing opens, visit:\n\(url)\n")
        } else {
            context.stderr.write("Open this URL in a browser to log in:\n\(url)\n")
            if noBrowser { context.stderr.write("Then paste the URL you are redirected to (or the code) here:\n") }
        }
        let minutes = max(1, Int((timeout / 60).rounded(.up)))
        context.stderr.write("Waiting for the browser on \(receiver.redirectURI) (up to \(minutes) min; Ctrl-C to cancel)...\n")
        let pasteFD: Int32? = noBrowser ? STDIN_FILENO : nil
        do {
            let code = try receiver.waitForCode(state: state, deadline: context.now().addingTimeInterval(timeout), pasteFD: pasteFD)
            return try client.exchangeCode(code, verifier: pkce.verifier, redirectURI: receiver.redirectURI, tokenURL: tokenURL)
        } catch let error as TokenEndpointError {
            throw error
        } catch let error as APICtlError {
            throw .failed(error)
        } catch {
            throw .failed(APICtlError.auth("\(error)"))
        }
    }
}
