import APICtlCore

/// The options `profile add` and `profile set` share: each changes one part of a
/// profile, so a new profile and an edited one are described the same way.
enum ProfileEdits {
    static let options: [OptionSpec] = [
        .value("base-url", nil, "URL", help: "Base URL; may hold {var} placeholders"),
        .value("auth", nil, "SCHEME", help: "How the key is sent: token, bearer, basic, oauth2, header:NAME, query:NAME",
               completion: .suggestions(["token", "bearer", "basic", "oauth2", "header:", "query:"])),
        .value("token-env", nil, "VAR", help: "Environment variable a CI job may put the token in"),
        .value("whoami", nil, "PATH", help: "Path that identifies the caller (used by login and whoami)"),
        .value("env-url", nil, "ENV=URL", help: "Add an environment with its own base URL (or change its URL)", repeatable: true),
        .value("default-env", nil, "ENV", help: "Environment used when -e is not given"),
        .value("env-key-prefix", nil, "ENV=PREFIX", help: "How the environment's keys begin (empty: no check)", repeatable: true),
        .value("env-confirm", nil, "ENV", help: "Ask before POST, PUT, PATCH and DELETE in this environment", repeatable: true),
        .value("var", nil, "KEY=VALUE", help: "Value for a {KEY} placeholder", repeatable: true),
        .value("header", "H", "'NAME: VALUE'", help: "Non-secret header sent with every request", repeatable: true),
        .value("ca-cert", nil, "FILE", help: "PEM bundle of a private CA", completion: .files),
        .value("token-command", nil, "COMMAND", help: "A command that prints the token (run by /bin/sh -c), e.g. 'pass show api/dz'"),
        .value("token-command-timeout", nil, "DURATION", help: "How long the token command may take (default 30s)"),
        .value("token-command-cache", nil, "DURATION", help: "Reuse a plain answer this long (default 0: every time)"),
        .value("whoami-key-id", nil, "POINTER", help: "JSON pointer to the key's id in the whoami response"),
        .value("openapi", nil, "URL-OR-FILE", help: "The API's OpenAPI description (else found from the base URL)", completion: .files),
        .value("openapi-max-age", nil, "DURATION", help: "How long a synced description is fresh (default 7d)"),
        .value("idempotency-header", nil, "NAME", help: "Header the API reads an idempotency key from (POST and PATCH are then retried)"),
    ] + ProfileAuthOptions.options

    /// Applies every edit given on the command line to `profile`, checking each value
    /// where it was typed: a bad one is the flag's fault (exit 2), not the config file's.
    static func apply(_ parsed: ParsedCommand, to profile: inout ProfileConfig, name: String) throws(APICtlError) {
        if let auth = parsed.value("auth") {
            guard AuthScheme(configValue: auth) != nil else {
                throw APICtlError.usage("--auth does not take '\(auth)'", hint: "choose one of \(AuthScheme.configChoices.joined(separator: ", "))")
            }
            profile.auth = auth
        }
        if let url = parsed.value("base-url") {
            try checkURL(url, option: "--base-url")
            if profile.environments != nil && parsed.all("env-url").isEmpty {
                // A profile with environments given one URL: it replaces the default environment's.
                let env = parsed.value("default-env") ?? profile.defaultEnv ?? "default"
                var environment = profile.environments?[env] ?? EnvironmentConfig(baseURL: url)
                environment.baseURL = url
                profile.environments?[env] = environment
            } else {
                profile.baseURL = url
            }
        }
        if !parsed.all("env-url").isEmpty {
            var environments = profile.environments ?? [:]
            if environments.isEmpty, let single = profile.baseURL, parsed.value("base-url") == nil {
                // A profile with one base URL keeps it, as its "default" environment.
                environments["default"] = EnvironmentConfig(baseURL: single)
                if profile.defaultEnv == nil { profile.defaultEnv = "default" }
            }
            for pair in parsed.all("env-url") {
                let (env, url) = try KeyValue.split(pair, option: "--env-url", example: "sandbox=https://api.sandbox.example.com")
                try ProfileCommand.checkName(env)
                try checkURL(url, option: "--env-url \(env)=")
                var environment = environments[env] ?? EnvironmentConfig(baseURL: url)
                environment.baseURL = url   // a preset's key prefix and confirm stay
                environments[env] = environment
            }
            profile.environments = environments
            profile.baseURL = nil
            if let current = profile.defaultEnv, environments[current] == nil { profile.defaultEnv = nil }
        }
        if let env = parsed.value("default-env") { profile.defaultEnv = env }
        for pair in parsed.all("env-key-prefix") {
            let (env, prefix) = try KeyValue.split(pair, option: "--env-key-prefix", example: "production=sk_live_")
            guard profile.environments?[env] != nil else { throw APICtlError.usage("--env-key-prefix names no environment '\(env)'") }
            profile.environments?[env]?.keyPrefix = prefix.isEmpty ? nil : prefix
        }
        for env in parsed.all("env-confirm") {
            guard profile.environments?[env] != nil else { throw APICtlError.usage("--env-confirm names no environment '\(env)'") }
            profile.environments?[env]?.confirm = true
        }
        if let tokenEnv = parsed.value("token-env") {
            guard EnvironmentName.isValid(tokenEnv) else {
                throw APICtlError.usage("--token-env '\(tokenEnv)' is not an environment variable name")
            }
            profile.tokenEnv = tokenEnv
        }
        if let whoami = parsed.value("whoami") { profile.whoami = whoami }
        if let command = parsed.value("token-command") { profile.tokenCommand = ["/bin/sh", "-c", command] }
        if let text = parsed.value("token-command-timeout") {
            guard DurationText.seconds(text) != nil else { throw .usage("--token-command-timeout takes a duration such as 30s, not '\(text)'") }
            profile.tokenCommandTimeout = text
        }
        if let text = parsed.value("token-command-cache") {
            guard DurationText.seconds(text) != nil else { throw .usage("--token-command-cache takes a duration such as 5m, not '\(text)'") }
            profile.tokenCommandCache = text
        }
        if let pointer = parsed.value("whoami-key-id") {
            guard JSONPointer.tokens(pointer) != nil else { throw APICtlError.usage("--whoami-key-id '\(pointer)' is not a JSON pointer such as /data/key_id") }
            profile.whoamiKeyID = pointer
        }
        if let header = parsed.value("idempotency-header") {
            guard HTTPHeaders.isValidName(header) else { throw .usage("--idempotency-header '\(header)' is not a header name") }
            profile.idempotencyHeader = header
        }
        if let location = parsed.value("openapi") { profile.openapi = location }
        if let text = parsed.value("openapi-max-age") {
            guard DurationText.seconds(text) != nil else { throw .usage("--openapi-max-age takes a duration such as 7d, not '\(text)'") }
            profile.openapiMaxAge = text
        }
        try ProfileAuthOptions.apply(parsed, to: &profile)
        if let ca = parsed.value("ca-cert") { profile.caCert = ca }
        for pair in parsed.all("var") {
            let (key, value) = try KeyValue.split(pair, option: "--var", example: "subdomain=toronto-acme")
            profile.vars = (profile.vars ?? [:]).merging([key: value]) { $1 }
        }
        for raw in parsed.all("header") {
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
        if let env = profile.defaultEnv, profile.environments?[env] == nil {
            throw APICtlError.usage("--default-env \(env) names no environment of this profile")
        }
    }

    /// The `--base-url` given, for what add and set do around it (moving OAuth endpoints).
    static func baseURL(_ parsed: ParsedCommand) -> String? { parsed.value("base-url") }

    /// Whether the command line says where requests go at all.
    static func givesURL(_ parsed: ParsedCommand) -> Bool { parsed.value("base-url") != nil || !parsed.all("env-url").isEmpty }

    /// A URL given on the command line is checked there. `{var}` placeholders count
    /// as a host name for the check.
    static func checkURL(_ url: String, option: String) throws(APICtlError) {
        var filled = ""
        var inPlaceholder = false
        for character in url {
            if character == "{" { inPlaceholder = true; filled += "x"; continue }
            if character == "}" { inPlaceholder = false; continue }
            if !inPlaceholder { filled.append(character) }
        }
        guard URLParts.parse(filled) != nil else {
            throw APICtlError.usage("\(option) '\(url)' is not an http:// or https:// URL", hint: "e.g. \(option) https://api.example.com/v1")
        }
    }
}
