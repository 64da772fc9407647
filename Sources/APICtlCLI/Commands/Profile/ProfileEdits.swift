import APICtlCore

/// The options `profile add` and `profile set` share: each changes one part of a
/// profile, so a new profile and an edited one are described the same way.
struct ProfileEdits: CommandOptions {
    let baseURL: String?
    let auth: String?
    let tokenEnv: String?
    let whoami: String?
    let envURLs: [String]
    let defaultEnv: String?
    let envKeyPrefixes: [String]
    let envConfirm: [String]
    let vars: [String]
    let headers: [String]
    let caCert: String?
    let clientCert: String?
    let clientKey: String?
    let clientKeyPassphraseEnv: String?
    let proxy: String?
    let tokenCommand: String?
    let tokenCommandTimeout: DurationValue?
    let tokenCommandCache: DurationValue?
    let whoamiKeyID: String?
    let openapi: String?
    let openapiMaxAge: DurationValue?
    let idempotencyHeader: String?
    let authTables: ProfileAuthOptions

    init(_ declare: OptionBinding) {
        baseURL = declare.value("base-url", nil, "URL", help: "Base URL; may hold {var} placeholders")
        auth = declare.value("auth", nil, "SCHEME", help: "How the key is sent: token, bearer, basic, oauth2, header:NAME, query:NAME",
                             completion: .suggestions(["token", "bearer", "basic", "oauth2", "header:", "query:"]))
        tokenEnv = declare.value("token-env", nil, "VAR", help: "Environment variable a CI job may put the token in")
        whoami = declare.value("whoami", nil, "PATH", help: "Path that identifies the caller (used by login and whoami)")
        envURLs = declare.list("env-url", nil, "ENV=URL", help: "Add an environment with its own base URL (or change its URL)")
        defaultEnv = declare.value("default-env", nil, "ENV", help: "Environment used when -e is not given")
        envKeyPrefixes = declare.list("env-key-prefix", nil, "ENV=PREFIX", help: "How the environment's keys begin (empty: no check)")
        envConfirm = declare.list("env-confirm", nil, "ENV", help: "Ask before POST, PUT, PATCH and DELETE in this environment")
        vars = declare.list("var", nil, "KEY=VALUE", help: "Value for a {KEY} placeholder")
        headers = declare.list("header", "H", "'NAME: VALUE'", help: "Non-secret header sent with every request")
        caCert = declare.value("ca-cert", nil, "FILE", help: "PEM bundle of a private CA", completion: .files)
        clientCert = declare.value("client-cert", nil, "FILE", help: "Client certificate for mutual TLS (PEM, or PKCS#12)", completion: .files)
        clientKey = declare.value("client-key", nil, "FILE", help: "The client certificate's private key (PEM)", completion: .files)
        clientKeyPassphraseEnv = declare.value("client-key-passphrase-env", nil, "VAR",
                                               help: "Environment variable holding the client key's passphrase")
        proxy = declare.value("proxy", nil, "URL", help: "Proxy for this profile, over https_proxy ('' goes direct)")
        tokenCommand = declare.value("token-command", nil, "COMMAND",
                                     help: "A command that prints the token (run by /bin/sh -c), e.g. 'pass show api/dz'")
        tokenCommandTimeout = declare.duration("token-command-timeout", help: "How long the token command may take (default 30s)")
        tokenCommandCache = declare.duration("token-command-cache", help: "Reuse a plain answer this long (default 0: every time)",
                                             orZero: true)
        whoamiKeyID = declare.value("whoami-key-id", nil, "POINTER", help: "JSON pointer to the key's id in the whoami response")
        openapi = declare.value("openapi", nil, "URL-OR-FILE", help: "The API's OpenAPI description (else found from the base URL)",
                                completion: .files)
        openapiMaxAge = declare.duration("openapi-max-age", help: "How long a synced description is fresh (default 7d)")
        idempotencyHeader = declare.value("idempotency-header", nil, "NAME",
                                          help: "Header the API reads an idempotency key from (POST and PATCH are then retried)")
        authTables = ProfileAuthOptions(declare)
    }

    /// Whether the command line says where requests go at all.
    var givesURL: Bool { baseURL != nil || !envURLs.isEmpty }

    /// Applies every edit given on the command line to `profile`, checking each value
    /// where it was typed: a bad one is the flag's fault (exit 2), not the config file's.
    func apply(to profile: inout ProfileConfig, name: String) throws(APICtlError) {
        try applyConnection(to: &profile)
        try applyEnvironments(to: &profile)
        try applyCredentialSources(to: &profile)
        try authTables.apply(to: &profile)
        try applyRequests(to: &profile, name: name)
        if let env = profile.defaultEnv, profile.environments?[env] == nil {
            throw APICtlError.usage("--default-env \(env) names no environment of this profile")
        }
    }

    /// --auth, --base-url.
    private func applyConnection(to profile: inout ProfileConfig) throws(APICtlError) {
        if let auth {
            guard AuthScheme(configValue: auth) != nil else {
                throw APICtlError.usage("--auth does not take '\(auth)'", hint: "choose one of \(AuthScheme.configChoices.joined(separator: ", "))")
            }
            profile.auth = auth
        }
        if let url = baseURL {
            try Self.checkURL(url, option: "--base-url")
            if profile.environments != nil && envURLs.isEmpty {
                // A profile with environments given one URL: it replaces the default environment's.
                let env = defaultEnv ?? profile.defaultEnv ?? "default"
                var environment = profile.environments?[env] ?? EnvironmentConfig(baseURL: url)
                environment.baseURL = url
                profile.environments?[env] = environment
            } else {
                profile.baseURL = url
            }
        }
    }

    /// --env-url, --default-env, --env-key-prefix, --env-confirm.
    private func applyEnvironments(to profile: inout ProfileConfig) throws(APICtlError) {
        if !envURLs.isEmpty {
            var environments = profile.environments ?? [:]
            if environments.isEmpty, let single = profile.baseURL {
                // A profile with one base URL (given now or before) keeps it, as its "default" environment.
                environments["default"] = EnvironmentConfig(baseURL: single)
                if profile.defaultEnv == nil { profile.defaultEnv = "default" }
            }
            for pair in envURLs {
                let (env, url) = try KeyValue.split(pair, option: "--env-url", example: "sandbox=https://api.sandbox.example.com")
                try ProfileCommand.checkName(env)
                try Self.checkURL(url, option: "--env-url \(env)=")
                var environment = environments[env] ?? EnvironmentConfig(baseURL: url)
                environment.baseURL = url   // a preset's key prefix and confirm stay
                environments[env] = environment
            }
            profile.environments = environments
            profile.baseURL = nil
            if let current = profile.defaultEnv, environments[current] == nil { profile.defaultEnv = nil }
        }
        if let env = defaultEnv { profile.defaultEnv = env }
        for pair in envKeyPrefixes {
            let (env, prefix) = try KeyValue.split(pair, option: "--env-key-prefix", example: "production=sk_live_")
            guard profile.environments?[env] != nil else { throw APICtlError.usage("--env-key-prefix names no environment '\(env)'") }
            profile.environments?[env]?.keyPrefix = prefix.isEmpty ? nil : prefix
        }
        for env in envConfirm {
            guard profile.environments?[env] != nil else { throw APICtlError.usage("--env-confirm names no environment '\(env)'") }
            profile.environments?[env]?.confirm = true
        }
    }

    /// --token-env, --whoami, --token-command and its timing, --whoami-key-id.
    private func applyCredentialSources(to profile: inout ProfileConfig) throws(APICtlError) {
        if let tokenEnv {
            if let problem = EnvironmentName.problemAsTokenVariable(tokenEnv) {
                throw APICtlError.usage("--token-env '\(TerminalText.escapingControls(tokenEnv))' \(problem)")
            }
            profile.tokenEnv = tokenEnv
        }
        if let whoami { profile.whoami = whoami }
        if let tokenCommand { profile.tokenCommand = ["/bin/sh", "-c", tokenCommand] }
        if let tokenCommandTimeout { profile.tokenCommandTimeout = tokenCommandTimeout.text }
        if let tokenCommandCache { profile.tokenCommandCache = tokenCommandCache.text }
        if let pointer = whoamiKeyID {
            guard JSONPointer.tokens(pointer) != nil else { throw APICtlError.usage("--whoami-key-id '\(pointer)' is not a JSON pointer such as /data/key_id") }
            profile.whoamiKeyID = pointer
        }
    }

    /// --idempotency-header, --openapi and its age, --ca-cert, --var, --header.
    private func applyRequests(to profile: inout ProfileConfig, name: String) throws(APICtlError) {
        if let header = idempotencyHeader {
            guard HTTPHeaders.isValidName(header) else { throw .usage("--idempotency-header '\(header)' is not a header name") }
            profile.idempotencyHeader = header
        }
        if let openapi { profile.openapi = URLParts.isAbsolute(openapi) ? openapi : PathText.absolute(openapi) }
        if let openapiMaxAge { profile.openapiMaxAge = openapiMaxAge.text }
        if let caCert { profile.caCert = PathText.absolute(caCert) }
        if let clientCert {
            // A new certificate comes with its own key: the old one's settings would not match it.
            profile.connection = ConnectionConfig(clientCert: PathText.absolute(clientCert), proxy: profile.connection.proxy)
        }
        if let clientKey { profile.connection.clientKey = PathText.absolute(clientKey) }
        if let clientKeyPassphraseEnv {
            if let problem = EnvironmentName.problemAsTokenVariable(clientKeyPassphraseEnv) {
                throw .usage("--client-key-passphrase-env '\(TerminalText.escapingControls(clientKeyPassphraseEnv))' \(problem)")
            }
            profile.connection.clientKeyPassphraseEnv = clientKeyPassphraseEnv
        }
        if let proxy {
            guard !ProxySettings.hasUserInfo(proxy) else {
                throw .usage("--proxy holds a user and password, which the config file never holds",
                             hint: "give --proxy http://HOST:PORT, then 'apictl login --proxy' stores the login")
            }
            if !proxy.isEmpty, let problem = ProxySettings.problem(proxy) {
                throw .usage("--proxy '\(proxy)' cannot be used: \(problem)", hint: "e.g. --proxy http://proxy.corp:3128")
            }
            profile.connection.proxy = proxy
        }
        for pair in vars {
            let (key, value) = try KeyValue.split(pair, option: "--var", example: "subdomain=toronto-acme")
            profile.vars = (profile.vars ?? [:]).merging([key: value]) { $1 }
        }
        for raw in headers {
            guard let colon = raw.firstIndex(of: ":"), colon != raw.startIndex else {
                throw APICtlError.usage("header '\(raw)' has no colon", hint: "write it as -H 'Name: value'")
            }
            let headerName = raw[..<colon].trimmingSpaces()
            if HTTPHeaders.carriesCredential(headerName, keyHeader: AuthScheme(configValue: profile.auth)?.headerName) {
                throw APICtlError.usage("'\(headerName)' carries a secret, which the config file never holds",
                                        hint: "store the key with 'apictl login -p \(name)' or pass it through \(profile.tokenEnv ?? "APICTL_TOKEN")")
            }
            profile.headers = (profile.headers ?? [:]).merging([headerName: raw[raw.index(after: colon)...].trimmingSpaces()]) { $1 }
        }
    }

    /// A URL given on the command line is checked there. `{var}` placeholders count
    /// as a host name for the check.
    static func checkURL(_ url: String, option: String) throws(APICtlError) {
        guard URLParts.parse(Template.filled(url, with: "x")) != nil else {
            throw APICtlError.usage("\(option) '\(Redactor().url(url))' is not an http:// or https:// URL", hint: "e.g. \(option) https://api.example.com/v1")
        }
        if url.contains("#") {
            throw APICtlError.usage("\(option) holds a fragment (#...), which no request sends", hint: "give the base URL without it")
        }
        if let secret = Redactor.secretIn(url) {
            throw APICtlError.usage("\(option) holds \(secret), and the config file holds no secrets",
                                    hint: "give the URL without it, and keep the credential in the store with 'apictl login'")
        }
    }
}
