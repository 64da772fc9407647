import FoundationEssentials

/// Where a CI job's OIDC ID token is, found without any network call: the
/// first present of the profile's `id_token_env` (GitLab `id_tokens`,
/// CircleCI), its `id_token_file` (a Kubernetes projected token), then GitHub
/// Actions, which hands out ID tokens on request to jobs granted
/// `permissions: id-token: write`.
public enum CIIdentitySource: Sendable, Equatable {
    case variable(name: String, token: String)
    case file(path: String, token: String)
    case githubActions(requestURL: String, requestToken: String)

    public static func find(_ ci: CIConfig, environment: [String: String]) -> CIIdentitySource? {
        if let name = ci.idTokenEnv, let value = environment[name]?.trimmingWhitespace(), !value.isEmpty {
            return .variable(name: name, token: value)
        }
        if let path = ci.idTokenFile, let bytes = FileBytes.contents(of: path) {
            return .file(path: path, token: String(decoding: bytes, as: UTF8.self).trimmingWhitespace())
        }
        if let url = environment["ACTIONS_ID_TOKEN_REQUEST_URL"], !url.isEmpty,
           let token = environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], !token.isEmpty {
            return .githubActions(requestURL: url, requestToken: token)
        }
        return nil
    }

    /// Why there is none, with what to change: outside CI, or a GitHub job without the permission.
    public static func absence(_ ci: CIConfig, environment: [String: String]) -> APICtlError {
        if environment["GITHUB_ACTIONS"] == "true" {
            return .auth("this GitHub Actions job cannot ask for an ID token (ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
                         hint: "give the job `permissions: id-token: write`; docs/ci.md shows how")
        }
        var places = [ci.idTokenEnv.map { "$\($0)" }, ci.idTokenFile].compactMap { $0 }
        places.append("GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL")
        return .auth("no CI identity token: none of \(places.joined(separator: ", ")) is present",
                     hint: "run this in a CI job that provides one, or set id_token_env / id_token_file as docs/ci.md shows")
    }

    /// "GitHub Actions", "environment variable X", "file P": for whoami, doctor and `login --ci`.
    public var description: String {
        switch self {
        case .variable(let name, _): return "ID token in environment variable \(name)"
        case .file(let path, _): return "ID token in file \(path)"
        case .githubActions: return "GitHub Actions ID token"
        }
    }

    /// Tells apart ID tokens (or, for GitHub, jobs) without keeping either: a
    /// token kept for one job is never handed to another job of the same user.
    public func fingerprint(_ parts: [String]) -> String {
        let material: [String]
        switch self {
        case .variable(_, let token), .file(_, let token): material = [token]
        case .githubActions(let url, let token): material = [url, token]
        }
        return Base64URL.encode(SHA256.hash(Array((material + parts).joined(separator: "\u{0}").utf8)))
    }

    /// The ID token itself, checked to be a JWT that has not expired: the
    /// exchange would refuse it anyway, less clearly.
    public func idToken(audience: String, http: APIClient, caCert: String?, now: Date) throws(APICtlError) -> String {
        let token: String
        switch self {
        case .variable(_, let value), .file(_, let value): token = value
        case .githubActions(let url, let requestToken): token = try Self.requestFromGitHub(url, requestToken, audience: audience, http: http)
        }
        guard let claims = JWT.decode(token) else { throw .auth("the \(description) is not a JWT") }
        if let expiry = claims.expiresAt, expiry <= now {
            throw .auth("the \(description) expired \(humanDuration(now.timeIntervalSince(expiry))) ago",
                        hint: "CI ID tokens live minutes; ask the CI system for a fresh one")
        }
        return token
    }

    /// GET the request URL with `audience` added, the request token as Bearer; the answer is `{"value": JWT}`.
    static func requestFromGitHub(_ url: String, _ requestToken: String, audience: String, http: APIClient) throws(APICtlError) -> String {
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer " + requestToken)
        headers.add("Accept", "application/json")
        let separator = url.contains("?") ? "&" : "?"
        let request = HTTPRequest(method: "GET", url: url + separator + "audience=" + PercentEncoding.encodeQueryComponent(audience),
                                  headers: headers, timeout: 30)
        let response = try http.fetch(request)
        if response.status >= 500 {
            throw APICtlError(.serverError, "GitHub Actions' ID token endpoint answered \(response.status)", hint: "try the job again")
        }
        guard response.head.isSuccess else {
            let reason = APIErrorDecoder.decode(response.body)?.message.map { ": " + HTTPFailure.oneLine($0) } ?? ""
            throw .auth("GitHub Actions refused the ID token request (\(response.status)\(reason))",
                        hint: "the job needs `permissions: id-token: write`")
        }
        guard let value = JSONValue(parsing: response.body)?.objectValue?["value"]?.stringValue, !value.isEmpty else {
            throw .auth("GitHub Actions' ID token endpoint answered without a token (no \"value\")")
        }
        return value
    }
}
