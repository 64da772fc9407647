import FoundationEssentials

/// One use of a stored or commanded credential, as a line of the audit record: enough to answer
/// "which of my keys was used, when, against what?" after a leak, and nothing that is a secret
/// (the credential is named by a short hash, the query by its names without their values).
public struct AuditEntry: Sendable, Equatable {
    public var time: Date
    public var profile: String
    public var environment: String?
    /// nil for a credential that is not a stored login (a token command's, a CI job's).
    public var account: String?
    public var fingerprint: String
    public var tokenID: String?
    /// "keyring", "file", "command" or "ci".
    public var source: String
    public var method: String
    public var origin: String
    public var path: String
    /// nil when no answer came (a network failure).
    public var status: Int?
    /// What chose the profile: "flag", "environment", ".apictl.toml" or "default".
    public var chosenBy: String

    public init(time: Date, profile: String, environment: String?, account: String?, fingerprint: String, tokenID: String?,
                source: String, method: String, origin: String, path: String, status: Int?, chosenBy: String) {
        self.time = time
        self.profile = profile
        self.environment = environment
        self.account = account
        self.fingerprint = fingerprint
        self.tokenID = tokenID
        self.source = source
        self.method = method
        self.origin = origin
        self.path = path
        self.status = status
        self.chosenBy = chosenBy
    }

    /// A credential's name in the record: the first 12 hex digits of its SHA-256. Enough to tell
    /// a user's keys apart and match one found in a leak (`apictl account list --json`), far too
    /// little to guess a key from.
    public static func fingerprint(of token: String) -> String {
        SHA256.hash(Array(token.utf8)).prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The URL's path, and its query as names only ("/items?page=&q="): a query value may be a
    /// search for something private, or a key. An item without '=' is all value ("?sk_live_..."),
    /// so it is kept as "(value)".
    public static func recordedPath(of url: URLParts) -> String {
        let rest = url.rest
        guard let question = rest.firstIndex(of: "?") else { return url.path }
        let query = rest[rest.index(after: question)...].prefix { $0 != "#" }
        let names = query.split(separator: "&").map { $0.contains("=") ? String($0.prefix { $0 != "=" }) + "=" : "(value)" }
        return url.path + (names.isEmpty ? "" : "?" + names.joined(separator: "&"))
    }

    /// At most this many characters of a path: a server's next-page links cannot fill the record
    /// (and push out every other line at rotation) with a few long requests.
    static let pathLimit = 1024

    /// Text from a URL as the record keeps it: printable ASCII, anything else percent-encoded (so
    /// no control, bidi or invisible character reaches a terminal from `apictl audit`), and at most
    /// `pathLimit` characters, a cut marked "…".
    public static func printable(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if out.utf8.count >= pathLimit { return out + "…" }
            if byte > 0x20 && byte < 0x7F { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// The line, keys in a fixed order, ending in "\n".
    public var line: [UInt8] {
        func quoted(_ text: String?) -> String { text.map(JSONValue.quoted) ?? "null" }
        var text = "{\"time\":\(quoted(Timestamp.iso8601(time))),\"profile\":\(quoted(profile)),\"environment\":\(quoted(environment))"
        text += ",\"account\":\(quoted(account)),\"credential\":\(quoted(fingerprint))"
        if let tokenID { text += ",\"token_id\":\(quoted(tokenID))" }
        text += ",\"source\":\(quoted(source)),\"method\":\(quoted(method)),\"origin\":\(quoted(origin)),\"path\":\(quoted(path))"
        text += ",\"status\":\(status.map(String.init) ?? "null"),\"chosen_by\":\(quoted(chosenBy))}\n"
        return Array(text.utf8)
    }

    /// nil for a line that is not an entry (cut by a crash, written by hand).
    public init?(line: some Collection<UInt8>) {
        guard let value = JSONValue(parsing: line), let time = value["time"]?.stringValue.flatMap(Timestamp.rfc3339),
              let profile = value["profile"]?.stringValue, let method = value["method"]?.stringValue,
              let origin = value["origin"]?.stringValue, let path = value["path"]?.stringValue else { return nil }
        self.init(time: time, profile: profile, environment: value["environment"]?.stringValue, account: value["account"]?.stringValue,
                  fingerprint: value["credential"]?.stringValue ?? "", tokenID: value["token_id"]?.stringValue,
                  source: value["source"]?.stringValue ?? "", method: method, origin: origin, path: path,
                  status: value["status"]?.doubleValue.flatMap { Int(exactly: $0) }, chosenBy: value["chosen_by"]?.stringValue ?? "")
    }
}
