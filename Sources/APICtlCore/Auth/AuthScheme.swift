import FoundationEssentials

/// How a credential travels in a request.
public enum AuthScheme: Sendable, Equatable {
    /// `Authorization: Token X` (DataDocks)
    case token
    /// `Authorization: Bearer X` (TechDocs, Datasets, PocketDNS, DZDESK)
    case bearer
    /// `Authorization: Basic base64(user:password)`; the secret is "user:password".
    case basic
    /// Bearer access token obtained through OAuth 2.0.
    case oauth2
    /// The key in a header of its own, e.g. `X-API-Key: X`.
    case header(String)
    /// The key in a query parameter, e.g. `?api_key=X`.
    case query(String)

    public static let configChoices = ["token", "bearer", "basic", "oauth2", "header:NAME", "query:NAME"]

    public init?(configValue: String) {
        switch configValue {
        case "token": self = .token
        case "bearer": self = .bearer
        case "basic": self = .basic
        case "oauth2": self = .oauth2
        default:
            if configValue.hasPrefix("header:"), let name = Self.validName(configValue.dropFirst(7)) {
                self = .header(name)
            } else if configValue.hasPrefix("query:"), let name = Self.validName(configValue.dropFirst(6)) {
                self = .query(name)
            } else {
                return nil
            }
        }
    }

    public var configValue: String {
        switch self {
        case .token: return "token"
        case .bearer: return "bearer"
        case .basic: return "basic"
        case .oauth2: return "oauth2"
        case .header(let name): return "header:\(name)"
        case .query(let name): return "query:\(name)"
        }
    }

    /// The header that carries the credential, so it can be redacted and dropped on redirects.
    public var headerName: String? {
        switch self {
        case .token, .bearer, .basic, .oauth2: return "Authorization"
        case .header(let name): return name
        case .query: return nil
        }
    }

    public func headerValue(for secret: String) -> String? {
        switch self {
        case .token: return "Token \(secret)"
        case .bearer, .oauth2: return "Bearer \(secret)"
        case .basic: return "Basic \(Data(secret.utf8).base64EncodedString())"
        case .header: return secret
        case .query: return nil
        }
    }

    private static func validName(_ name: Substring) -> String? {
        HTTPHeaders.isValidName(name) ? String(name) : nil
    }
}

/// Which credential store to use; an explicit, visible choice (config or env).
public enum CredentialStoreChoice: String, Sendable, CaseIterable {
    case auto, keyring, file
}
