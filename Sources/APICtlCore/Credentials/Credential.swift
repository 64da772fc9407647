import FoundationEssentials

/// One stored credential per (profile, environment). `token` is the secret;
/// everything else is metadata that `whoami` and `token list` may show.
public struct Credential: Sendable, Equatable {
    public var token: String
    public var tokenID: String?
    /// "api_key", "jwt", "oauth2"
    public var kind: String
    public var refreshToken: String?
    public var expiresAt: Date?
    public var scopes: [String]?
    public var createdAt: Date?
    /// The key's name at the API, for `token list` and the name of a rotated key.
    public var name: String?
    /// The OAuth 2.0 token endpoint this token came from, so a refresh goes back there.
    public var tokenURL: String?
    /// The API's own refresh endpoint (`oauth.refresh_url`), when the profile named one at
    /// login: with `tokenURL`, the only places its refresh token may go.
    public var refreshURL: String?
    /// A confidential client's secret, asked once at login (never in the config file).
    public var clientSecret: String?
    /// "authorization_code", "device_code", "client_credentials": how to get a new token.
    public var grant: String?
    /// When the token itself was handed out (a login, a refresh): with `expiresAt`, its lifetime,
    /// which bounds how early it is renewed. `createdAt` is when the login was.
    public var issuedAt: Date?
    /// The origin ("https://api.example.com", "http://127.0.0.1:8080") the credential
    /// was obtained for: it is sent nowhere else. nil only in records of earlier versions.
    public var origin: String?
    /// RFC 8705: the `x5t#S256` of the client certificate the token is bound to, from its `cnf`
    /// claim or the certificate that obtained it; it is sent only with that certificate.
    public var certificateBinding: String?

    /// The certificate the token is bound to: the record's, else the token's own `cnf` claim.
    public var boundCertificate: String? { certificateBinding ?? JWT.decode(token)?.certificateThumbprint }

    /// Every secret the record holds: what output masks wherever a server or a URL repeats it.
    public var secrets: [String] { [token, refreshToken, clientSecret].compactMap { $0 } }

    public init(token: String, tokenID: String? = nil, kind: String = "api_key", refreshToken: String? = nil,
                expiresAt: Date? = nil, scopes: [String]? = nil, createdAt: Date? = nil) {
        self.token = token
        self.tokenID = tokenID
        self.kind = kind
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.createdAt = createdAt
    }
}

/// Where a credential came from: `whoami` and `doctor` always say.
public enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    case environment(variable: String)
    /// A token command; its words, never its output.
    case command(words: String)
    /// A CI job's ID token exchanged for an access token (docs/ci.md).
    case ci(identity: String, exchange: String)
    case keyring
    case file(path: String)

    /// A login apictl keeps (keyring or encrypted file): what accounts are, and what the audit
    /// record names an account for. A token from a variable, a command or a CI exchange is not one.
    public var isStoredLogin: Bool {
        switch self {
        case .keyring, .file: return true
        case .environment, .command, .ci: return false
        }
    }

    /// "environment", "command", "ci", "keyring" or "file": the short name scripts match on.
    public var name: String {
        switch self {
        case .environment: return "environment"
        case .command: return "command"
        case .ci: return "ci"
        case .keyring: return "keyring"
        case .file: return "file"
        }
    }

    public var description: String {
        switch self {
        case .environment(let variable): return "environment variable \(variable)"
        case .command(let words): return "command `\(words)`"
        case .ci(let identity, let exchange):
            return "CI identity (\(identity), \(exchange.hasSuffix("exchange") ? exchange : exchange + " exchange"))"
        case .keyring: return "keyring (Secret Service)"
        case .file(let path): return "encrypted file \(path)"
        }
    }
}

public struct ResolvedCredential: Sendable {
    public var credential: Credential
    public var source: CredentialSource

    public init(credential: Credential, source: CredentialSource) {
        self.credential = credential
        self.source = source
    }
}

/// The read-only credential source: `APICTL_TOKEN`, then the profile's `token_env`.
/// Nothing from here is ever stored.
public enum EnvironmentCredentials {
    public static func resolve(profile: ResolvedProfile?, environment: [String: String]) -> ResolvedCredential? {
        var names = ["APICTL_TOKEN"]
        if let tokenEnv = profile?.tokenEnv { names.append(tokenEnv) }
        for name in names {
            if let value = environment[name]?.trimmingWhitespace(), !value.isEmpty {
                return ResolvedCredential(credential: Credential(token: value, kind: JWT.decode(value) != nil ? "jwt" : "api_key"),
                                          source: .environment(variable: name))
            }
        }
        return nil
    }
}

/// Whether a token can go in a header line, whoever handed it over (a user, a store,
/// a command, a server): a CR or LF would end the line and inject headers of its own,
/// NUL cuts it, and no other control character belongs in a token either.
public enum TokenText {
    /// What is wrong with `token` in words ("a line break (line feed)"), or nil when nothing is.
    /// Invisible characters (a byte-order mark, a zero-width space, a bidi override), Unicode's
    /// line and paragraph separators, and bytes that were not UTF-8 (read as U+FFFD) count too:
    /// pasted into a key by accident, they would be sent as part of it.
    public static func flaw(_ token: String) -> String? {
        // What a terminal shows as nothing, or as a break, is what no key may hold.
        guard let bad = token.unicodeScalars.first(where: { TerminalText.isHidden($0) || $0 == "\u{FFFD}" }) else { return nil }
        let code = "U+" + String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)
        switch bad {
        case "\r": return "a line break (carriage return)"
        case "\n": return "a line break (line feed)"
        case "\0": return "a NUL byte"
        case "\u{FFFD}": return "a byte that is not UTF-8"
        case "\u{2028}", "\u{2029}": return "a line break (\(code))"
        default:
            return bad.properties.generalCategory == .format ? "the invisible character \(code)" : "the control character \(code)"
        }
    }

    /// Tokens longer than this are refused: no API issues one, and libcurl would fail on the header.
    public static let longest = 64 * 1024

    /// What makes `token` unfit to be sent or stored (a control character, or more than `longest`
    /// bytes), in words; nil when nothing does.
    public static func issuedProblem(_ token: String) -> String? {
        flaw(token).map { "holds \($0)" }
            ?? (token.utf8.count > longest ? "is \(token.utf8.count) bytes long, more than the \(longest / 1024) KiB a token may be" : nil)
    }

    /// `issuedProblem` as the error for a token a server answered: `what` names the field and
    /// the endpoint ("the access_token from the token endpoint https://…"). Nothing was stored when it is thrown.
    public static func checkIssued(_ token: String, what: String, code: ExitCode) throws(APICtlError) {
        guard let problem = issuedProblem(token) else { return }
        throw APICtlError(code, "\(what) \(problem); refusing it, and nothing was stored",
                          hint: "the server's answer is broken or hostile; whatever was stored before stays in use")
    }
}
