import FoundationEssentials

/// How this client proves who it is to the token endpoint (RFC 6749 2.3).
public struct OAuthClientIdentity: Sendable {
    public enum Method: String, Sendable {
        case basic, post, none
        /// RFC 8705 §2: the client's certificate is its authentication, a PKI one or one registered with the provider.
        case tlsClientAuth = "tls_client_auth", selfSignedTLSClientAuth = "self_signed_tls_client_auth"

        public var usesCertificate: Bool { self == .tlsClientAuth || self == .selfSignedTLSClientAuth }
    }

    public var clientID: String
    public var clientSecret: String?
    public var method: Method
    /// Token requests as JSON (seed 001) rather than form-encoded.
    public var json: Bool
    /// Presented to the token endpoint by the certificate methods.
    public var certificate: ClientCertificate?

    public init(clientID: String, clientSecret: String?, method: Method, json: Bool, certificate: ClientCertificate? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.method = method
        self.json = json
        self.certificate = certificate
    }
}

/// A token endpoint that did not hand out a token, told apart the way callers
/// must act on it: a definite rejection, a pending device grant, a failing
/// server, or an answer that could not be read.
public enum TokenEndpointError: Error, Sendable {
    /// `endpoint` names what answered ("the token endpoint", "the device authorization endpoint").
    case rejected(code: String, description: String?, status: Int, endpoint: String = "the token endpoint")
    case server(status: Int, endpoint: String = "the token endpoint")
    case failed(APICtlError)

    public var code: String? { if case .rejected(let code, _, _, _) = self { return code } else { return nil } }

    /// The one line for the user. Network failures keep their exit code 8 and 5xx
    /// gives 7, so a script can tell "try later" from "log in again".
    public func apiError(doing action: String, profile: String, hint: String? = nil) -> APICtlError {
        let login = hint ?? "run 'apictl login -p \(profile)'"
        switch self {
        case .rejected(let code, let description, let status, let endpoint):
            var message = "\(action): \(endpoint) refused it (\(status) \(code)"
            if let description, !description.isEmpty { message += ": \(HTTPFailure.oneLine(description))" }
            return APICtlError(.authentication, message + ")", hint: hint ?? Self.whatToChange(code) ?? login)
        case .server(let status, let endpoint):
            return APICtlError(.serverError, "\(action) failed: \(endpoint) answered \(status)",
                               hint: hint == nil ? "the stored credential was kept; try again later" : "try again later")
        case .failed(var error):
            if error.exitCode == .network, hint == nil { error.hint = "the stored credential was kept; check the network and try again" }
            error.message = "\(action) failed: " + error.message
            return error
        }
    }
}

extension TokenEndpointError {
    /// For a refused login, what to change: running the same command again would not help.
    static func whatToChange(_ code: String) -> String? {
        switch code {
        case "invalid_client", "unauthorized_client":
            return "check the client id and secret (client_secret_env, or --client-secret-stdin) and oauth.client_auth (basic, post, none, or tls_client_auth with client_cert)"
        case "invalid_redirect_uri", "redirect_uri_mismatch":
            return "register the redirect URI with the provider, or set oauth.redirect_port to the registered port"
        case "invalid_scope":
            return "ask for scopes the client may have: oauth.scopes or login --scope"
        case "unsupported_grant_type":
            return "the provider does not allow this grant for the client: try --web or --device, or enable the grant"
        default:
            return nil
        }
    }
}

/// What a device authorization endpoint answers (RFC 8628 3.2).
public struct DeviceAuthorization: Sendable, Equatable {
    public var deviceCode: String
    public var userCode: String
    public var verificationURI: String
    public var verificationURIComplete: String?
    /// Seconds between polls; 5 when the server does not say.
    public var interval: Double
    public var expiresIn: Double

    public init(deviceCode: String, userCode: String, verificationURI: String, verificationURIComplete: String?,
                interval: Double, expiresIn: Double) {
        self.deviceCode = deviceCode
        self.userCode = userCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.interval = interval
        self.expiresIn = expiresIn
    }
}

/// Talks to an authorization server's endpoints. Every request asks for JSON
/// (GitHub answers form-encoded otherwise) and carries no API credential.
public final class OAuthClient {
    let http: APIClient
    public let identity: OAuthClientIdentity
    let caCert: String?

    public init(http: APIClient, identity: OAuthClientIdentity, caCert: String?) {
        self.http = http
        self.identity = identity
        self.caCert = caCert
    }

    public func exchangeCode(_ code: String, verifier: String, redirectURI: String, tokenURL: String) throws(TokenEndpointError) -> TokenGrant {
        try grant(tokenURL, [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                             ("code_verifier", verifier)])
    }

    /// The refresh grant at the token endpoint, or seed 001's own endpoint, which takes just the refresh token as JSON.
    public func refresh(_ refreshToken: String, tokenURL: String, ownEndpoint: Bool) throws(TokenEndpointError) -> TokenGrant {
        if ownEndpoint {
            let response = try post(tokenURL, [("refresh_token", refreshToken)], json: true, authenticate: false)
            return try Self.readGrant(response, from: tokenURL, hiding: [refreshToken])
        }
        return try grant(tokenURL, [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    /// The record to store from `grant`: a token obtained with a certificate is bound to it (its
    /// `cnf` claim says which; an opaque one is bound to the certificate that obtained it).
    public func credential(from grant: TokenGrant, receivedAt now: Date, replacing previous: Credential?,
                           requestedScopes: [String]?) -> Credential {
        var credential = grant.credential(receivedAt: now, replacing: previous, requestedScopes: requestedScopes)
        credential.certificateBinding = JWT.decode(grant.accessToken)?.certificateThumbprint
            ?? (identity.method.usesCertificate ? identity.certificate?.thumbprint : nil)
        return credential
    }

    public func clientCredentials(scopes: [String], tokenURL: String) throws(TokenEndpointError) -> TokenGrant {
        try grant(tokenURL, [("grant_type", "client_credentials")] + Self.scope(scopes))
    }

    public func startDevice(_ url: String, scopes: [String]) throws(TokenEndpointError) -> DeviceAuthorization {
        let response = try post(url, Self.scope(scopes), json: identity.json, authenticate: true)
        guard response.head.isSuccess else {
            throw Self.failure(response, endpoint: "the device authorization endpoint", hiding: secrets(in: []))
        }
        guard let object = JSONValue(parsing: response.body)?.objectValue,
              let deviceCode = object["device_code"]?.stringValue, let userCode = object["user_code"]?.stringValue,
              let uri = object["verification_uri"]?.stringValue ?? object["verification_url"]?.stringValue else {
            throw .failed(APICtlError(.authentication, "the device authorization endpoint \(url) answered without a device_code, user_code and verification_uri"))
        }
        let interval = object["interval"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 && $0 <= 300 ? $0 : nil } ?? 5
        let expiresIn = object["expires_in"]?.doubleValue.flatMap { $0.isFinite && $0 > 0 && $0 <= 86400 ? $0 : nil } ?? 900
        return DeviceAuthorization(deviceCode: deviceCode, userCode: userCode, verificationURI: uri,
                                   verificationURIComplete: object["verification_uri_complete"]?.stringValue,
                                   interval: interval, expiresIn: expiresIn)
    }

    /// One poll: a grant, or `.rejected` with authorization_pending / slow_down / expired_token / access_denied.
    public func pollDevice(_ deviceCode: String, tokenURL: String) throws(TokenEndpointError) -> TokenGrant {
        try grant(tokenURL, [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode)])
    }

    /// RFC 7009. The status is returned as the server gave it: a 200 proves
    /// nothing (servers answer 200 for unknown tokens too).
    public func revoke(_ token: String, hint: String, url: String) throws(TokenEndpointError) -> HTTPResponse {
        try post(url, [("token", token), ("token_type_hint", hint)], json: identity.json, authenticate: true)
    }

    /// A grant form-encoded whatever `token_request` says: RFC 8693 and RFC 7523
    /// define only that encoding. `authenticate`: add the client's authentication.
    public func formGrant(_ parameters: [(String, String)], tokenURL: String, authenticate: Bool) throws(TokenEndpointError) -> TokenGrant {
        try Self.readGrant(try post(tokenURL, parameters, json: false, authenticate: authenticate), from: tokenURL,
                           hiding: secrets(in: parameters))
    }

    private func grant(_ url: String, _ parameters: [(String, String)]) throws(TokenEndpointError) -> TokenGrant {
        try Self.readGrant(try post(url, parameters, json: identity.json, authenticate: true), from: url, hiding: secrets(in: parameters))
    }

    /// The secrets a token request carries (a refresh token, a code and its verifier, a device
    /// code, a password, an assertion, the client's secret): a server that quotes them back in
    /// its error must not have them shown.
    private func secrets(in parameters: [(String, String)]) -> [String] {
        let names: Set<String> = ["refresh_token", "code", "code_verifier", "device_code", "password", "assertion",
                                  "subject_token", "actor_token", "token"]
        var secrets = parameters.filter { names.contains($0.0) }.map(\.1) + [identity.clientSecret].compactMap { $0 }
        if case .basic = identity.method, let secret = identity.clientSecret {
            // What the Authorization header carried, should a server echo it back.
            secrets.append(Data((PercentEncoding.encodeQueryComponent(identity.clientID) + ":"
                                 + PercentEncoding.encodeQueryComponent(secret)).utf8).base64EncodedString())
        }
        return secrets
    }

    static func readGrant(_ response: HTTPResponse, from url: String, hiding secrets: [String]) throws(TokenEndpointError) -> TokenGrant {
        guard response.head.isSuccess else { throw failure(response, hiding: secrets) }
        do { return try TokenGrant.parse(response.body, from: url) } catch { throw .failed(error) }
    }

    /// RFC 6749 5.2 errors, and the seeds' own shapes for an API's refresh endpoint. `secrets`:
    /// what the request carried, masked wherever the server's words repeat it.
    public static func failure(_ response: HTTPResponse, endpoint: String = "the token endpoint",
                               hiding secrets: [String] = []) -> TokenEndpointError {
        if response.status >= 500 { return .server(status: response.status, endpoint: endpoint) }
        let redactor = Redactor(secrets: secrets)
        let object = JSONValue(parsing: response.body)?.objectValue
        if let code = object?["error"]?.stringValue {
            return .rejected(code: redactor.text(code), description: object?["error_description"]?.stringValue.map { redactor.text($0) },
                             status: response.status, endpoint: endpoint)
        }
        let decoded = APIErrorDecoder.decode(response.body, contentType: response.headers["Content-Type"])
        return .rejected(code: decoded?.code.map { redactor.text($0) } ?? (response.status == 401 ? "unauthorized" : "invalid_request"),
                         description: decoded?.message.map { redactor.text($0) }, status: response.status, endpoint: endpoint)
    }

    private static func scope(_ scopes: [String]) -> [(String, String)] {
        scopes.isEmpty ? [] : [("scope", scopes.joined(separator: " "))]
    }

    private func post(_ url: String, _ parameters: [(String, String)], json: Bool,
                      authenticate: Bool) throws(TokenEndpointError) -> HTTPResponse {
        var fields = parameters
        var headers = HTTPHeaders()
        headers.add("Accept", "application/json")
        if authenticate {
            switch identity.method {
            case .basic where identity.clientSecret != nil:
                let pair = PercentEncoding.encodeQueryComponent(identity.clientID) + ":"
                    + PercentEncoding.encodeQueryComponent(identity.clientSecret ?? "")
                headers.add("Authorization", "Basic " + Data(pair.utf8).base64EncodedString())
            case .post where identity.clientSecret != nil:
                fields += [("client_id", identity.clientID), ("client_secret", identity.clientSecret ?? "")]
            default:
                fields.append(("client_id", identity.clientID))
            }
        }
        let body: String
        if json {
            headers.add("Content-Type", "application/json")
            body = JSONValue.object(Dictionary(fields.map { ($0.0, JSONValue.string($0.1)) }) { $1 }).rendered()
        } else {
            headers.add("Content-Type", "application/x-www-form-urlencoded")
            body = PercentEncoding.formEncode(fields)
        }
        var request = HTTPRequest(method: "POST", url: url, headers: headers, body: Array(body.utf8), timeout: 30, caCertPath: caCert)
        if identity.method.usesCertificate { request.clientCertificate = identity.certificate }
        request.carriesSecrets = true
        request.secrets = secrets(in: parameters)
        do { return try http.fetch(request) } catch { throw .failed(error) }
    }
}
