import FoundationEssentials

/// The JSON form of a credential inside a store: the keyring item's secret, and
/// each entry of the encrypted file. Mapped by hand through JSONValue rather
/// than JSONEncoder/JSONDecoder: the Codable route cost ~4.5 ms and ~2.5 MiB of
/// every request with a stored credential, nearly all of what a request with the
/// file's cached key cost over one with a token from the environment
/// (docs/development.md). The text is the same as the coders wrote:
/// sorted keys, dates as ISO 8601 in whole seconds, absent fields left out.
enum CredentialRecord {
    static func encode(_ credential: Credential) -> [UInt8] {
        bytes(json(credential))
    }

    static func decode(_ bytes: [UInt8], what: String) throws(APICtlError) -> Credential {
        guard let value = JSONValue(parsing: bytes), let credential = credential(value) else {
            throw .store("\(what) is not an apictl credential record", hint: "remove it with 'apictl logout' and log in again")
        }
        return credential
    }

    static func json(_ credential: Credential) -> JSONValue {
        var members: [String: JSONValue] = ["token": .string(credential.token), "kind": .string(credential.kind)]
        let strings: [(String, String?)] = [
            ("token_id", credential.tokenID), ("refresh_token", credential.refreshToken), ("name", credential.name),
            ("token_url", credential.tokenURL), ("refresh_url", credential.refreshURL), ("client_secret", credential.clientSecret),
            ("grant", credential.grant),
            ("origin", credential.origin), ("certificate_binding", credential.certificateBinding),
            ("expires_at", credential.expiresAt.map(Timestamp.iso8601)), ("created_at", credential.createdAt.map(Timestamp.iso8601)),
            ("issued_at", credential.issuedAt.map(Timestamp.iso8601)),
        ]
        for (key, value) in strings { if let value { members[key] = .string(value) } }
        if let scopes = credential.scopes { members["scopes"] = JSONValue(scopes) }
        return .object(members)
    }

    /// nil when `value` is not a record: no token, or a field of the wrong type.
    static func credential(_ value: JSONValue) -> Credential? {
        guard let members = value.objectValue, let token = members["token"]?.stringValue else { return nil }
        func string(_ key: String) -> String?? {
            guard let field = members[key], field != .null else { return .some(nil) }
            return field.stringValue.map { .some($0) } ?? nil
        }
        func date(_ key: String) -> Date?? {
            guard let text = string(key) else { return nil }
            guard let text else { return .some(nil) }
            // Records hold whole seconds; a finer date from outside is cut to them, so it reads back the same.
            return Timestamp.rfc3339(text).map { .some(Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down))) } ?? nil
        }
        guard let kind = string("kind"), let tokenID = string("token_id"), let refresh = string("refresh_token"),
              let name = string("name"), let tokenURL = string("token_url"), let refreshURL = string("refresh_url"),
              let secret = string("client_secret"),
              let grant = string("grant"), let origin = string("origin"), let expiresAt = date("expires_at"), let createdAt = date("created_at"),
              let issuedAt = date("issued_at"), let binding = string("certificate_binding") else { return nil }
        var scopes: [String]?
        if let field = members["scopes"], field != .null {
            guard let list = field.stringArray else { return nil }
            scopes = list
        }
        var credential = Credential(token: token, tokenID: tokenID, kind: kind ?? "api_key", refreshToken: refresh,
                                    expiresAt: expiresAt, scopes: scopes, createdAt: createdAt)
        credential.name = name
        credential.tokenURL = tokenURL
        credential.refreshURL = refreshURL
        credential.clientSecret = secret
        credential.grant = grant
        credential.origin = origin
        credential.issuedAt = issuedAt
        credential.certificateBinding = binding
        return credential
    }

    /// Compact JSON text.
    static func bytes(_ value: JSONValue) -> [UInt8] {
        RawJSON.minified(Array(value.rendered().utf8)[...])
    }
}

/// A record kept in the kernel keyring behind one line naming what it is bound
/// to (a CI job's ID token, the session bus it was read on): read back under
/// another binding, it is absent.
extension KernelKey {
    func readRecord(boundTo binding: String) -> Credential? {
        guard let bytes = read(), let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
              String(decoding: bytes[..<newline], as: UTF8.self) == binding,
              let value = JSONValue(parsing: Array(bytes[(newline + 1)...])) else { return nil }
        return CredentialRecord.credential(value)
    }

    func writeRecord(_ credential: Credential, boundTo binding: String, lifetime: TimeInterval) {
        write(Array((binding + "\n").utf8) + CredentialRecord.encode(credential), lifetime: lifetime)
    }
}
