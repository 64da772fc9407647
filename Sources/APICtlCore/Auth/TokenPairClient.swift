import FoundationEssentials

/// Buys and renews an access/refresh pair as a profile's `[pair]` table describes: a
/// JWT pair API (djangorestframework-simplejwt and its like), an OAuth 2.0 password
/// grant, or a short-lived token bought with another (Datasets). Renewed like an OAuth
/// token: before expiry, on a 401, under the cross-process refresh lock.
public struct TokenPairClient {
    let profile: ResolvedProfile
    let pair: PairConfig
    /// A plain client: it carries no profile credential, so every header is set here.
    let http: APIClient

    public init(profile: ResolvedProfile, pair: PairConfig, http: APIClient) {
        self.profile = profile
        self.pair = pair
        self.http = http
    }

    /// A pair for a username and password, or for a token (`{token}` in `obtain_body`).
    public func obtain(username: String?, password: String?, token: String?, now: Date) throws(APICtlError) -> Credential {
        let (method, url) = try endpoint(pair.obtain, "obtain")
        let values: [String: JSONValue] = ["{username}": JSONValue(username), "{password}": JSONValue(password),
                                           "{token}": JSONValue(token)]
        let template = pair.obtainBody ?? ["username": "{username}", "password": "{password}"]
        let body = TokenAPI.fill(.object(template), with: values) ?? .object([:])
        let response = try send(method, url, body: body, form: pair.obtainFormat == "form", bearer: nil, doing: "obtain",
                                secrets: [password, token].compactMap { $0 })
        // A pair may have no refresh endpoint: its access token then lives until it expires.
        let refreshURL = pair.refresh == nil ? nil : try endpoint(pair.refresh, "refresh").1
        return try credential(from: response, previous: nil, refreshURL: refreshURL, now: now, doing: "obtain", at: url)
    }

    /// Where `refresh` sends the refresh token.
    public func refreshURL() throws(APICtlError) -> String { try endpoint(pair.refresh, "refresh").1 }

    /// The pair renewed with its refresh token; a rotated refresh token replaces the old one.
    public func refresh(_ stored: Credential, now: Date) throws(APICtlError) -> Credential {
        guard let refreshToken = stored.refreshToken else {
            throw APICtlError.auth("the token of '\(profile.name)' expired and there is no refresh token to renew it",
                                   hint: "run 'apictl login \(profile.selectionFlags)'")
        }
        let (method, url) = try endpoint(pair.refresh, "refresh")
        let response: HTTPResponse
        do throws(APICtlError) {
            if pair.refreshWith == "bearer" {
                response = try send(method, url, body: nil, form: false, bearer: refreshToken, doing: "refresh", secrets: [refreshToken, stored.token])
            } else {
                let template = pair.refreshBody ?? ["refresh": "{refresh_token}"]
                let body = TokenAPI.fill(.object(template), with: ["{refresh_token}": .string(refreshToken)]) ?? .object([:])
                response = try send(method, url, body: body, form: pair.refreshFormat == "form", bearer: nil, doing: "refresh",
                                    secrets: [refreshToken, stored.token])
            }
        } catch {
            // A pair this endpoint renewed before is sent the right way: refused now, it is revoked or spent.
            var refused = error
            if let issued = stored.issuedAt, let created = stored.createdAt, issued.timeIntervalSince(created) >= 1 {
                refused.hint = "run 'apictl login \(profile.selectionFlags)'"
            }
            throw refused
        }
        return try credential(from: response, previous: stored, refreshURL: url, now: now, doing: "refresh", at: url)
    }

    /// Revokes the pair at `pair.revoke`, its refresh token (or access token) in the body, where
    /// the refresh token may go (`CredentialRefresher.checkDestination`). The server's status
    /// is returned as given: many answer 200 for a token they no longer know.
    public func revoke(_ stored: Credential) throws(APICtlError) -> Int {
        let (method, url) = try endpoint(pair.revoke, "revoke")
        try CredentialRefresher.checkDestination(url, of: stored, profile: profile, what: "pair.revoke")
        // `bearer_refresh`: the refresh token is the call's credential, and the body empty unless
        // revoke_body says otherwise (flask-jwt-extended revokes the token that calls).
        let withRefresh = pair.revokeWith == "bearer_refresh"
        if withRefresh && stored.refreshToken == nil {
            throw APICtlError.config("the stored pair of '\(profile.name)' has no refresh token to revoke with (pair.revoke_with = \"bearer_refresh\")",
                                     hint: "revoke it at the API, or set revoke_with = \"bearer\"")
        }
        let template = pair.revokeBody ?? (withRefresh ? [:] : ["refresh": "{refresh_token}"])
        let values: [String: JSONValue] = ["{refresh_token}": JSONValue(stored.refreshToken), "{access_token}": .string(stored.token)]
        // `revoke_body = {}` is a revocation without a body (flask-jwt-extended's, with revoke_with = "bearer").
        let body: JSONValue?
        if template.isEmpty {
            body = nil
        } else {
            guard let filled = TokenAPI.fill(.object(template), with: values), filled.objectValue?.isEmpty == false else {
                throw APICtlError.config("the stored pair of '\(profile.name)' has no refresh token for pair.revoke_body",
                                         hint: "revoke it at the API, or set revoke_body = { token = \"{access_token}\" }")
            }
            body = filled
        }
        let response = try send(method, url, body: body, form: pair.revokeFormat == "form",
                                bearer: withRefresh ? stored.refreshToken : pair.revokeWith == "bearer" ? stored.token : nil, doing: "revoke",
                                secrets: [stored.refreshToken, stored.token].compactMap { $0 })
        return response.status
    }

    private func credential(from response: HTTPResponse, previous: Credential?, refreshURL: String?, now: Date,
                            doing step: String, at url: String) throws(APICtlError) -> Credential {
        let document = JSONValue(parsing: response.body)
        let accessPointer = pair.access ?? "/access"
        guard let access = document?.at(pointer: accessPointer)?.stringValue, !access.isEmpty else {
            throw APICtlError.auth("the \(step) endpoint of '\(profile.name)' answered \(response.status) without an access token at \(accessPointer)",
                                   hint: "check pair.access in the profile")
        }
        try TokenText.checkIssued(access, what: "the access token from the \(step) endpoint \(url)", code: .authentication)
        let rotated = try TokenGrant.optionalToken(document?.at(pointer: pair.refreshToken ?? "/refresh"),
                                                   named: "refresh token", from: "the \(step) endpoint \(url)")
        if let rotated {
            try TokenText.checkIssued(rotated, what: "the refresh token from the \(step) endpoint \(url)", code: .authentication)
        }
        var credential = previous ?? Credential(token: access, kind: "pair", createdAt: now)
        credential.token = access
        credential.kind = "pair"
        if let rotated { credential.refreshToken = rotated }
        var seconds: Double?
        if let pointer = pair.expiresIn, let raw = document?.at(pointer: pointer), raw != .null {
            guard let lifetime = TokenGrant.lifetime(raw) else {
                throw APICtlError.auth("the \(step) endpoint \(url) sent a lifetime at \(pointer) that is not one (seconds, at most ten years)")
            }
            seconds = lifetime
        }
        credential.expiresAt = seconds.map { now.addingTimeInterval($0) } ?? JWT.decode(access)?.expiresAt
        credential.issuedAt = now
        if previous == nil {
            // Where the pair came from (the obtain endpoint), and where the profile said then that it
            // renews: a refresh token goes to these two origins only (CredentialRefresher.checkDestination).
            credential.tokenURL = url
            credential.refreshURL = refreshURL
        } else if previous?.refreshURL == nil {
            credential.tokenURL = refreshURL   // a record of an earlier version named its refresh endpoint here
        }
        if let scopes = JWT.decode(access)?.scopes, !scopes.isEmpty { credential.scopes = scopes }
        return credential
    }

    /// `secrets`: what the request carries (a password, the pair's tokens), masked in the error
    /// line if the server quotes them.
    private func send(_ method: String, _ url: String, body: JSONValue?, form: Bool, bearer: String?,
                      doing step: String, secrets: [String]) throws(APICtlError) -> HTTPResponse {
        var headers = HTTPHeaders()
        var bytes: [UInt8]?
        if let body {
            if form {
                let fields = (body.objectValue ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.text ?? $0.value.rendered()) }
                bytes = Array(PercentEncoding.formEncode(fields).utf8)
                headers.add("Content-Type", "application/x-www-form-urlencoded")
            } else {
                bytes = Array(body.rendered().utf8)
                headers.add("Content-Type", "application/json")
            }
        }
        if let bearer { headers.add("Authorization", "Bearer " + bearer) }
        var request = HTTPRequest(method: method, url: url, headers: headers, body: bytes, timeout: 60)
        request.caCertPath = profile.caCert
        request.carriesSecrets = true
        request.secrets = secrets
        let response = try http.fetch(request)
        guard response.head.isSuccess else {
            var context = FailureContext(profile: profile, credential: nil, now: http.now())
            context.sentSecrets = secrets
            var error = HTTPFailure.error(for: response, context: context)
            error.message = "the \(step) endpoint (\(method) \(url)) refused: " + error.message
            switch step {
            case "obtain":
                // A wrong password is "log in again" whether the server answers 400 (DRF, dj-rest-auth) or 401.
                if [400, 401].contains(response.status) { error.exitCode = .authentication }
                error.hint = pair.asksForToken ? "check the token given to log in with" : "check the username and password"
            case "refresh":
                // flask-jwt-extended and its like take the refresh token as the Bearer credential.
                error.hint = response.status == 401 && pair.refreshWith != "bearer"
                    ? "if the API takes the refresh token as a Bearer credential, set pair.refresh_with = \"bearer\"; else run 'apictl login \(profile.selectionFlags)'"
                    : "run 'apictl login \(profile.selectionFlags)'"
            default:
                break
            }
            throw error
        }
        return response
    }

    /// "METHOD PATH" of the table, the path under the base URL; a password or a refresh
    /// token goes over plain http only to loopback, as any credential does.
    private func endpoint(_ text: String?, _ name: String) throws(APICtlError) -> (String, String) {
        guard let text else {
            throw APICtlError.config("profile '\(profile.name)' has no pair.\(name) endpoint",
                                     hint: "set it as \"METHOD PATH\", e.g. pair.\(name) = \"POST /api/token/\(name == "refresh" ? "refresh/" : "")\"")
        }
        let parts = text.split(separator: " ", maxSplits: 1).map { String($0).trimmingSpaces() }
        guard parts.count == 2, RequestBuilder.methods.contains(parts[0].uppercased()) else {
            throw APICtlError.config("pair.\(name) of profile '\(profile.name)' is not \"METHOD PATH\": '\(text)'")
        }
        let url = try profile.url(for: parts[1])
        guard let target = URLParts.parse(url), target.scheme == "https" || target.isLoopback else {
            throw APICtlError.config("refusing to send a credential over plain http to pair.\(name) \(url)",
                                     hint: "use an https:// URL")
        }
        return (parts[0].uppercased(), url)
    }
}
