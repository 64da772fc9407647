import FoundationEssentials

/// The claims apictl reads from a JWT. The signature is not checked: only the
/// API can do that; we read `exp` to warn before the API says 401.
public struct JWTClaims: Sendable, Equatable {
    public var subject: String?
    public var name: String?
    public var email: String?
    public var issuedAt: Date?
    public var expiresAt: Date?
    public var scopes: [String]
    /// RFC 8705's `cnf.x5t#S256`: the certificate the token is bound to.
    public var certificateThumbprint: String?
}

public enum JWT {
    public static func decode(_ token: String) -> JWTClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = base64URLDecode(parts[1]),
              let claims = JSONValue(parsing: payload), case .object(let object) = claims else { return nil }
        // A claim outside years 1970-5000 is not a date anyone meant; ignoring it keeps formatting sane.
        func date(_ key: String) -> Date? {
            guard let seconds = object[key]?.doubleValue, seconds.isFinite, (0...1e11).contains(seconds) else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }
        var scopes: [String] = []
        if let list = object["scope"]?.stringArray ?? object["scopes"]?.stringArray {
            scopes = list
        } else if let text = object["scope"]?.stringValue ?? object["scp"]?.stringValue {
            scopes = text.split(separator: " ").map(String.init)
        }
        return JWTClaims(subject: object["sub"]?.stringValue, name: object["name"]?.stringValue,
                         email: object["email"]?.stringValue, issuedAt: date("iat"), expiresAt: date("exp"), scopes: scopes,
                         certificateThumbprint: object["cnf"].flatMap { cnf in
                             // A cnf that is not an object cannot be read: it binds the token to nothing presentable.
                             cnf.objectValue.map { $0["x5t#S256"].map(thumbprint) } ?? "(not a SHA-256 thumbprint)"
                         })
    }

    /// A `cnf` `x5t#S256` as given when it is a SHA-256 in base64url (43 characters); anything else
    /// there still binds the token, to a certificate no configured one can match.
    static func thumbprint(_ value: JSONValue) -> String {
        guard let text = value.stringValue, text.utf8.count == 43,
              text.utf8.allSatisfy({ JSONLexer.isDigit($0) || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return "(not a SHA-256 thumbprint)" }
        return text
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var s = String(text).replacingAll("-", with: "+").replacingAll("_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// "3h", "2d", "45m": for hints like "token expired 3h ago".
public func humanDuration(_ seconds: TimeInterval) -> String {
    let s = abs(seconds).saturatingInt
    // Two units, to the minute: "1h59m" is not "1h".
    func two(_ big: Int, _ bigUnit: String, _ small: Int, _ smallUnit: String) -> String {
        small == 0 ? "\(big)\(bigUnit)" : "\(big)\(bigUnit)\(small)\(smallUnit)"
    }
    switch s {
    case ..<60: return "\(s)s"
    case ..<3600: return "\(s / 60)m"
    case ..<86400: return two(s / 3600, "h", s % 3600 / 60, "m")
    default: return two(s / 86400, "d", s % 86400 / 3600, "h")
    }
}
