/// A profile with its environment chosen and its templates filled: everything
/// a request needs to know about where it goes and how it authenticates.
public struct ResolvedProfile: Sendable {
    public var name: String
    public var environment: String?
    public var baseURL: String
    public var base: URLParts
    public var auth: AuthScheme
    /// Environment variables that may hold this profile's token, most specific first.
    public var tokenEnv: String?
    public var whoamiPath: String?
    public var vars: [String: String]
    public var headers: [(String, String)]
    public var caCert: String?
    /// The client certificate and proxy, the selected environment's over the profile's.
    public var connection = ConnectionConfig()
    public var pagination: PaginationConfig?
    public var oauth: OAuthConfig?
    public var tokens: TokensConfig?
    public var whoamiKeyID: String?
    public var whoamiIdentity: String?
    public var pair: PairConfig?
    /// The header an idempotency key goes in; POST and PATCH are retried only with one.
    public var idempotencyHeader: String?
    /// The OpenAPI description's URL or file, when the config names one (else discovered).
    public var openapi: String?
    /// Seconds a synced description is fresh (`openapi_max_age`, default 7 days).
    public var openapiMaxAge: Double = 7 * 86400
    /// Key prefixes of every environment that has one, so a key can be told apart (seed 003).
    public var keyPrefixes: [String: String] = [:]
    /// The selected environment asks before mutating requests.
    public var confirmMutations = false
    /// A password manager's command that prints the token, with its time limit and
    /// how long a plain answer is reused (seconds; 0 runs it every time).
    public var tokenCommand: [String]?
    public var tokenCommandTimeout: Double = 30
    public var tokenCommandCache: Double = 0
    /// A CI job's ID token exchanged for an access token; checked to be workable.
    public var ci: CIConfig?
    /// Which of the profile's stored logins a command uses (`-a`, `APICTL_ACCOUNT`, `.apictl.toml`,
    /// `account use`); "default" for the first.
    public var account = CredentialKey.defaultAccount
    /// Where the profile, environment and account were chosen.
    public var choice = ChoiceOrigins()

    /// Mutual TLS alone: a client certificate and no way to any credential besides a login
    /// (no OAuth, pair, CI exchange, token command or token variable), so requests go without one.
    public var certificateIsTheIdentity: Bool {
        connection.clientCert != nil && auth != .oauth2 && pair == nil && ci == nil && tokenCommand == nil && tokenEnv == nil
    }

    /// Where this profile's stored credential is: one per environment and account.
    public var credentialKey: CredentialKey { CredentialKey(profile: name, environment: environment, account: account) }

    /// "-p dz -e sandbox -a work" as a command needs it to act on this same credential again.
    public var selectionFlags: String {
        var flags = "-p \(name)"
        if let environment { flags += " -e \(environment)" }
        if account != CredentialKey.defaultAccount { flags += " -a \(account)" }
        return flags
    }

    /// Picks the environment (`-e`, `APICTL_ENV`, the profile's default, or its
    /// only one) and expands `{var}` placeholders in the base URL.
    public static func resolve(name: String, config: ProfileConfig, requestedEnvironment: String?,
                               configPath: String) throws(APICtlError) -> ResolvedProfile {
        guard let auth = AuthScheme(configValue: config.auth) else {
            throw .config("profile '\(name)' has an unknown auth scheme '\(config.auth)'")
        }
        let environments = config.environments ?? [:]
        let environment = try chosenEnvironment(of: name, config: config, requested: requestedEnvironment)
        // An environment without a base_url of its own uses the profile's.
        let baseTemplate = environment.flatMap { environments[$0]?.baseURL } ?? config.baseURL
        let tokenEnv = environment.flatMap { environments[$0]?.tokenEnv } ?? config.tokenEnv
        guard let baseTemplate else { throw .config("profile '\(name)' has no base_url") }
        let vars = config.vars ?? [:]
        let baseURL = try Template.expand(baseTemplate, vars: vars, profile: name)
        guard let base = URLParts.parse(baseURL) else {
            throw .config("profile '\(name)' has an invalid base URL '\(baseURL)' in \(configPath)",
                          hint: "it must start with https://, or http:// for loopback")
        }
        var resolved = ResolvedProfile(name: name, environment: environment, baseURL: baseURL, base: base, auth: auth,
                               tokenEnv: tokenEnv, whoamiPath: config.whoami, vars: vars,
                               headers: (config.headers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                               caCert: config.caCert, pagination: config.pagination, oauth: config.oauth,
                               tokens: config.tokens, whoamiKeyID: config.whoamiKeyID, whoamiIdentity: config.whoamiIdentity,
                               pair: config.pair)
        resolved.keyPrefixes = environments.compactMapValues { $0.keyPrefix.flatMap { $0.isEmpty ? nil : $0 } }
        resolved.confirmMutations = environment.flatMap { environments[$0]?.confirm } ?? false
        resolved.connection = config.connection.overridden(by: environment.flatMap { environments[$0]?.connection } ?? ConnectionConfig())
        if let proxy = resolved.connection.proxy, !proxy.isEmpty {
            if ProxySettings.hasUserInfo(proxy) {
                throw .config("profile '\(name)': its proxy URL holds a user and password, and the config file holds no secret",
                              hint: "keep them in the credential store: 'apictl login --proxy -p \(name)'")
            }
            if let problem = ProxySettings.problem(proxy) {
                throw .config("profile '\(name)': proxy '\(proxy)' cannot be used: \(problem)", hint: "write it as http://host:port")
            }
        }
        resolved.tokenCommand = config.tokenCommand
        resolved.idempotencyHeader = config.idempotencyHeader
        resolved.openapi = config.openapi
        try resolved.readDurations(config)
        if let ci = config.ci {
            if let problem = CIExchange.problem(ci, oauth: config.oauth) {
                throw .config("profile '\(name)': \(problem)", hint: "docs/ci.md has an example for each exchange")
            }
            resolved.ci = ci
        }
        return resolved
    }

    /// `-e`, `APICTL_ENV`, the profile's default, or its only one; nil for a profile without environments.
    static func chosenEnvironment(of name: String, config: ProfileConfig, requested: String?) throws(APICtlError) -> String? {
        let environments = config.environments ?? [:]
        guard !environments.isEmpty else {
            if let requested {
                throw .config("profile '\(name)' has no environments, so -e \(requested) does not apply",
                              hint: "add one with 'apictl profile set \(name) --env-url \(requested)=URL'")
            }
            return nil
        }
        let names = environments.keys.sorted()
        guard let chosen = requested ?? config.defaultEnv ?? (names.count == 1 ? names[0] : nil) else {
            throw .config("profile '\(name)' has environments \(names.joined(separator: ", ")); pick one with -e")
        }
        guard environments[chosen] != nil else {
            throw .config("profile '\(name)' has no environment '\(chosen)'",
                          hint: suggestion(chosen, among: names).map { "did you mean '\($0)'?" } ?? "it has \(names.joined(separator: ", "))")
        }
        return chosen
    }

    /// openapi_max_age, token_command_timeout and token_command_cache, read as durations.
    mutating func readDurations(_ config: ProfileConfig) throws(APICtlError) {
        if let text = config.openapiMaxAge {
            guard let seconds = DurationText.seconds(text) else {
                throw .config("profile '\(name)': openapi_max_age '\(text)' is not a duration such as 7d")
            }
            openapiMaxAge = seconds
        }
        if let text = config.tokenCommandTimeout {
            guard let seconds = DurationText.seconds(text) else {
                throw .config("token_command_timeout of profile '\(name)' is not a duration such as 30s: '\(text)'")
            }
            tokenCommandTimeout = seconds
        }
        if let text = config.tokenCommandCache, text.trimmingSpaces() != "0" {
            guard let seconds = DurationText.seconds(text) else {
                throw .config("token_command_cache of profile '\(name)' is not a duration such as 5m (or 0): '\(text)'")
            }
            tokenCommandCache = seconds
        }
    }

    /// Seed 003's "never mix environments": nil when `token` may be used in the
    /// selected environment; else why not. A key with another environment's prefix
    /// never is; `requireOwnPrefix` (at login) also refuses one without this one's.
    public func environmentMismatch(of token: String, requireOwnPrefix: Bool) -> String? {
        guard let environment else { return nil }
        let own = keyPrefixes[environment]
        // The longest matching prefix decides, so "sk_" and "sk_live_" can coexist.
        let match = keyPrefixes.filter { token.hasPrefix($0.value) }.max { $0.value.count < $1.value.count }
        if let match, match.key != environment {
            return "the key looks like a '\(match.key)' key (it starts with \(match.value)), but this is the '\(environment)' environment"
        }
        if requireOwnPrefix, let own, !token.hasPrefix(own) {
            return "'\(environment)' keys start with \(own), and this one does not"
        }
        return nil
    }

    /// The origin a credential obtained for this profile is bound to (DESIGN §5).
    public var credentialOrigin: String { base.origin.description }

    /// A stored credential is used only for the origin it was obtained for: a config that points
    /// the same profile name elsewhere (another file, APICTL_CONFIG, an edited base_url) gets an
    /// error before anything is sent, refreshed or revoked with it.
    public func checkBound(_ credential: Credential, in source: CredentialSource) throws(APICtlError) {
        guard let origin = credential.origin, origin != credentialOrigin else { return }
        throw APICtlError.auth("the credential of '\(name)' in the \(source) was obtained for \(origin), "
                               + "but the profile now points at \(credentialOrigin); refusing to send it there",
                               hint: "to use \(credentialOrigin), run 'apictl login \(selectionFlags)'")
    }

    /// `credential` bound to this profile's origin, as every store write keeps it.
    public func bound(_ credential: Credential) -> Credential {
        var bound = credential
        bound.origin = credentialOrigin
        return bound
    }

    /// The absolute URL for a path relative to the base URL, or a full URL as given.
    public func url(for pathOrURL: String) throws(APICtlError) -> String {
        let expanded = try Template.expand(pathOrURL, vars: vars, profile: name)
        if URLParts.isAbsolute(expanded) { return expanded }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return expanded.hasPrefix("/") ? base + expanded : base + "/" + expanded
    }
}

/// `{name}` placeholders, as in DataDocks' per-location subdomain.
public enum Template {
    /// The names of the placeholders in `text`, in order.
    public static func placeholders(in text: String) -> [String] {
        placeholderRanges(in: text).map(\.name)
    }

    /// Substrings are made Strings before they are joined: `String + Substring` is generic over
    /// any sequence, and resolving that at run time scans every protocol conformance once.
    public static func expand(_ text: String, vars: [String: String], profile: String) throws(APICtlError) -> String {
        var out = ""
        var done = text.startIndex
        for (name, range) in placeholderRanges(in: text) {
            guard let value = vars[name] else {
                throw .config("'\(text)' needs a value for {\(name)}",
                              hint: "set it with 'apictl profile set \(profile) --var \(name)=VALUE'")
            }
            out += String(text[done..<range.lowerBound])
            out += value
            done = range.upperBound
        }
        return out + String(text[done...])
    }

    /// `text` with every placeholder replaced by `value`: what a URL with `{var}`s looks like
    /// once filled, for checking its shape before any value is known.
    public static func filled(_ text: String, with value: String) -> String {
        var out = ""
        var done = text.startIndex
        for (_, range) in placeholderRanges(in: text) {
            out += String(text[done..<range.lowerBound])
            out += value
            done = range.upperBound
        }
        return out + String(text[done...])
    }

    /// Each `{name}` in `text` and where it stands, braces included; a `{` never closed is text.
    private static func placeholderRanges(in text: String) -> [(name: String, range: Range<String.Index>)] {
        var found: [(name: String, range: Range<String.Index>)] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.append((String(rest[rest.index(after: open)..<close]), open..<rest.index(after: close)))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }
}

/// The closest candidate by edit distance, for "did you mean" hints.
public func suggestion(_ word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let limit = max(2, word.count / 3)
    if best.1 <= limit { return best.0 }
    return candidates.first { $0.hasPrefix(word) && !word.isEmpty }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
