import FoundationEssentials

/// What is known about a request when it fails, so the error can carry a hint
/// the user can act on.
public struct FailureContext: Sendable {
    public var profile: ResolvedProfile?
    public var credential: ResolvedCredential?
    public var now: Date
    /// `--max-wait`, so a 429 given up on can say the server asked for longer.
    public var maxWait: Double?
    /// `--retry N` (0 with `--no-retry`): a 429 not waited for says why.
    public var maxRetries: Int?
    /// Secrets the request carried besides the credential (a password, a refresh token): a
    /// server that quotes them back in its error does not have them shown.
    public var sentSecrets: [String] = []
    /// The credential header the user gave with -H, which replaced the profile's own: a 401
    /// is then about that header, not about the stored credential.
    public var userCredentialHeader: String?

    public init(profile: ResolvedProfile?, credential: ResolvedCredential?, now: Date, maxWait: Double? = nil, maxRetries: Int? = nil) {
        self.profile = profile
        self.credential = credential
        self.now = now
        self.maxWait = maxWait
        self.maxRetries = maxRetries
    }
}

/// Turns a non-2xx response into the one stderr line and its exit code.
public enum HTTPFailure {
    public static func error(for response: HTTPResponse, context: FailureContext) -> APICtlError {
        let status = response.status
        let redactor = Redactor(secrets: (context.credential?.credential.secrets ?? []) + context.sentSecrets, auth: context.profile?.auth)
        let detail = APIErrorDecoder.decode(response.body, contentType: response.headers["Content-Type"])
        var message = "\(status)"
        if let code = detail?.code { message += " \(redactor.text(code))" }
        if let text = detail?.message {
            // Masked before it is cut: a long token cut first would no longer match, and show.
            message += ": " + oneLine(redactor.text(text))
        } else {
            let reason = response.head.reason.isEmpty ? standardReason(status) : response.head.reason
            message += " \(reason)"
            if !response.body.isEmpty, !looksLikeJSON(response.body) {
                let type = response.headers["Content-Type"]?.split(separator: ";").first.map(String.init) ?? "an unknown type"
                // Said in the message, not in parentheses: the hint brings its own.
                message += type.containsText("json") ? ": its JSON body is \(JSONValue.problem(with: response.body))"
                                                     : ": the server sent \(type), not JSON"
            }
        }
        // Some providers (oidc-provider-mock among them) answer a revoked token with
        // 400 and an OAuth error code instead of 401: it is still "log in again".
        let refusedToken = status == 400 && ["access_denied", "invalid_token"].contains(detail?.code ?? "")
        return APICtlError(refusedToken ? .authentication : ExitCode.forStatus(status), redactor.text(message),
                           hint: hint(status: refusedToken ? 401 : status, response: response, detail: detail, context: context)
                            .map { redactor.text($0) })
    }

    /// `detail`: the body as `error(for:)` already decoded it.
    static func hint(status: Int, response: HTTPResponse, detail: APIErrorDetail?, context: FailureContext) -> String? {
        let login = context.profile.map { "run 'apictl login \($0.selectionFlags)'" } ?? "select a profile with -p"
        switch status {
        case 401:
            if let header = context.userCredentialHeader {
                return "the \(header) header given with -H was rejected, and the profile's credential was not sent; drop -H \(header) to use it"
            }
            guard let credential = context.credential else {
                return "no credential was sent; \(login) or set APICTL_TOKEN"
            }
            if let exp = JWT.decode(credential.credential.token)?.expiresAt ?? credential.credential.expiresAt, exp < context.now {
                let ago = "token expired \(humanDuration(context.now.timeIntervalSince(exp))) ago"
                // A token from the environment wins over any login: the variable is what to change.
                if case .environment(let variable) = credential.source { return "\(ago); put a fresh token in \(variable), or unset it to use the stored one" }
                return "\(ago); \(login)"
            }
            var hint = "the token from the \(credential.source) was rejected"
            if let env = context.profile?.environment { hint += "; check that it is a key for the '\(env)' environment" }
            if case .environment = credential.source { return hint }
            return hint + "; \(login)"
        case 403:
            // Scopes are the likely cause only when the API says it is about permission or scope.
            let said = ((detail?.message ?? "") + " " + (detail?.code ?? "")).lowercased()
            guard said.containsText("scope") || said.containsText("permission") || said.containsText("forbidden")
                    || said.trimmingSpaces().isEmpty else {
                return "the API refused this request for this credential"
            }
            var hint = "the credential lacks permission for this request; check its scopes"
            if let scopes = context.credential.flatMap({ JWT.decode($0.credential.token)?.scopes }), !scopes.isEmpty {
                hint += "; it has \(scopes.joined(separator: " "))"
            }
            return hint
        case 404:
            return context.profile.map { "check the path; the base URL is \($0.baseURL)" }
        case 429:
            let limits = RateLimitStatus.parse(response.headers, now: context.now)
            if let wait = limits.waitHint(now: context.now) {
                let seconds = wait.rounded(.up).saturatingInt
                if context.maxRetries == 0 { return "rate limited; retries are off: try again in \(seconds)s" }
                if let maxWait = context.maxWait, wait > maxWait {
                    return "rate limited; the server asks for \(seconds)s, more than --max-wait allows: try again in \(seconds)s"
                }
                return "rate limited; try again in \(seconds)s"
            }
            return "rate limited; wait and try again"
        case 500..<600:
            return "the server failed; try again later"
        default:
            return nil
        }
    }

    static func looksLikeJSON(_ body: [UInt8]) -> Bool {
        JSONValue(parsing: body) != nil
    }

    static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }

    static func standardReason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "HTTP error"
        }
    }
}
