import TOMLKit

/// The `[oauth]`, `[tokens]` and `[ci]` tables of a profile, read and written key by key
/// like the rest of the file (ConfigTOML.swift says why not Codable).
extension ConfigTOML {
    static func decodeOAuth(_ table: TableReader) throws(ShapeError) -> OAuthConfig {
        let decoded = OAuthConfig(issuer: try table.string("issuer"), authorizeURL: try table.string("authorize_url"),
                                  tokenURL: try table.string("token_url"),
                                  deviceAuthorizationURL: try table.string("device_authorization_url"),
                                  revocationURL: try table.string("revocation_url"), refreshURL: try table.string("refresh_url"),
                                  clientID: try table.string("client_id"), clientSecretEnv: try table.string("client_secret_env"),
                                  clientAuth: try table.choice("client_auth", among: OAuthConfig.clientAuthChoices),
                                  tokenRequest: try table.choice("token_request", among: ["form", "json"]),
                                  scopes: try table.stringList("scopes"), redirectPort: try table.port("redirect_port"),
                                  redirectPath: try table.string("redirect_path"),
                                  redirectHost: try table.choice("redirect_host", among: ["127.0.0.1", "localhost"]))
        table.noteUnknownKeys()
        return decoded
    }

    static func encodeOAuth(_ oauth: OAuthConfig) -> TOMLTable { table(oauth.keyedValues) }

    static func decodeTokens(_ table: TableReader) throws(ShapeError) -> TokensConfig {
        let decoded = TokensConfig(create: try table.string("create"), list: try table.string("list"), revoke: try table.string("revoke"),
                                   createBody: try table.jsonTable("create_body"), key: try table.string("key"),
                                   id: try table.string("id"), expiresAt: try table.string("expires_at"),
                                   listItems: try table.string("list_items"), itemID: try table.string("item_id"),
                                   itemName: try table.string("item_name"), itemScopes: try table.string("item_scopes"),
                                   itemCreatedAt: try table.string("item_created_at"), itemExpiresAt: try table.string("item_expires_at"),
                                   rotateAfter: try table.string("rotate_after"))
        table.noteUnknownKeys()
        return decoded
    }

    static func encodeTokens(_ tokens: TokensConfig) -> TOMLTable { table(tokens.keyedValues) }

    static func decodeCI(_ table: TableReader) throws(ShapeError) -> CIConfig {
        let decoded = CIConfig(exchange: try table.choice("exchange", among: CIConfig.exchanges), tokenURL: try table.string("token_url"),
                               audience: try table.string("audience"), scopes: try table.stringList("scopes"),
                               clientID: try table.string("client_id"), subjectTokenType: try table.string("subject_token_type"),
                               idTokenEnv: try table.string("id_token_env"), idTokenFile: try table.string("id_token_file"),
                               mint: try table.string("mint"), mintBody: try table.jsonTable("mint_body"),
                               mintToken: try table.string("mint_token"), mintExpiresAt: try table.string("mint_expires_at"))
        table.noteUnknownKeys()
        return decoded
    }

    static func encodeCI(_ ci: CIConfig) -> TOMLTable { table(ci.keyedValues) }

    static func decodePair(_ table: TableReader) throws(ShapeError) -> PairConfig {
        let decoded = PairConfig(obtain: try table.string("obtain"), obtainBody: try table.jsonTable("obtain_body"),
                                 obtainFormat: try table.choice("obtain_format", among: ["json", "form"]),
                                 refresh: try table.string("refresh"), refreshBody: try table.jsonTable("refresh_body"),
                                 refreshWith: try table.choice("refresh_with", among: ["body", "bearer"]),
                                 refreshFormat: try table.choice("refresh_format", among: ["json", "form"]),
                                 revoke: try table.string("revoke"), revokeBody: try table.jsonTable("revoke_body"),
                                 revokeWith: try table.choice("revoke_with", among: ["body", "bearer", "bearer_refresh"]),
                                 revokeFormat: try table.choice("revoke_format", among: ["json", "form"]),
                                 access: try table.string("access"), refreshToken: try table.string("refresh_token"),
                                 expiresIn: try table.string("expires_in"))
        table.noteUnknownKeys()
        return decoded
    }

    static func encodePair(_ pair: PairConfig) -> TOMLTable { table(pair.keyedValues) }

    private static func table(_ values: [(String, JSONValue)]) -> TOMLTable {
        let table = TOMLTable()
        for (key, value) in values { table[key] = tomlValue(value) }
        return table
    }

    private static func tomlValue(_ value: JSONValue) -> TOMLValueConvertible? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .number(let text): return Int(text) ?? Double(text)
        case .string(let text): return text
        case .array(let items): return TOMLArray(items.compactMap(tomlValue))
        case .object(let members):
            let table = TOMLTable()
            for (name, member) in members { table[name] = tomlValue(member) }
            return table
        }
    }
}

extension TableReader {
    func stringList(_ key: String) throws(ConfigTOML.ShapeError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw mismatch(key, expected: "an array of strings", found: value) }
        var strings: [String] = []
        for item in array {
            guard let string = item.string else { throw mismatch(key, expected: "an array of strings", found: value) }
            strings.append(string)
        }
        return strings
    }

    /// argv as an array of strings, or a string for `/bin/sh -c`.
    func command(_ key: String) throws(ConfigTOML.ShapeError) -> [String]? {
        guard let value = value(key) else { return nil }
        if let text = value.string { return ["/bin/sh", "-c", text] }
        guard let words = try stringList(key), !words.isEmpty else {
            throw ConfigTOML.ShapeError(message: "\(qualified(key)): expected a non-empty array of strings (argv) or a string")
        }
        return words
    }

    func choice(_ key: String, among choices: [String]) throws(ConfigTOML.ShapeError) -> String? {
        guard let text = try string(key) else { return nil }
        guard choices.contains(text) else {
            throw ConfigTOML.ShapeError(message: "\(qualified(key)): '\(text)' is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    func port(_ key: String) throws(ConfigTOML.ShapeError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int, (0...65535).contains(number) else {
            throw ConfigTOML.ShapeError(message: "\(qualified(key)): expected a port number from 0 to 65535")
        }
        return number
    }

    /// A table of plain values, kept as JSON for a request body.
    func jsonTable(_ key: String) throws(ConfigTOML.ShapeError) -> [String: JSONValue]? {
        guard let outer = try table(key) else { return nil }
        var members: [String: JSONValue] = [:]
        for name in outer.table.keys {
            guard let value = outer.table[name] else { continue }
            members[name] = try Self.json(value, path: outer.qualified(name))
        }
        return members
    }

    private static func json(_ value: TOMLValueConvertible, path: String) throws(ConfigTOML.ShapeError) -> JSONValue {
        if let text = value.string { return .string(text) }
        if let flag = value.bool { return .bool(flag) }
        if let number = value.int { return .number(String(number)) }
        if let number = value.double, number.isFinite { return .number(String(number)) }
        if let array = value.array {
            var items: [JSONValue] = []
            for item in array { items.append(try json(item, path: path)) }
            return .array(items)
        }
        if let table = value.table {
            var members: [String: JSONValue] = [:]
            for name in table.keys {
                if let member = table[name] { members[name] = try json(member, path: path + "." + name) }
            }
            return .object(members)
        }
        throw ConfigTOML.ShapeError(message: "\(path): dates and times cannot go in a JSON body")
    }
}

extension ConfigTOML {
    /// For `profile add --tokens-from FILE`: a `[tokens]` table, or its keys at the top.
    public static func decodeTokensFile(_ text: String) throws(ShapeError) -> TokensConfig {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch { throw ShapeError(message: "not valid TOML: \(error)") }
        return try decodeTokens(TableReader(table: table["tokens"]?.table ?? table, path: "tokens"))
    }
}
