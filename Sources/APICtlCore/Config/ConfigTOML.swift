import TOMLKit

/// Maps the config file to and from TOMLKit's tables by hand. The Codable route
/// was the costliest step of every command's start-up: the generic decoder
/// resolves types and protocol conformances at run time, about a millisecond,
/// while reading a handful of keys from a table takes microseconds. It also lets
/// an error name the exact key and what was found there.
public enum ConfigTOML {
    /// A value of the wrong shape, named by its dotted path ("profiles.a.auth").
    public struct ShapeError: Error {
        public let message: String
    }

    /// The config file's settings; keys it does not know are in `unknownKeys`, one line each.
    static func decode(_ root: TOMLTable) throws(ShapeError) -> ConfigFile {
        let file = TableReader(table: root, path: "")
        var profiles: [String: ProfileConfig] = [:]
        for (name, profile) in try file.tables("profiles") ?? [] {
            profiles[name] = try decodeProfile(profile)
        }
        var config = ConfigFile(defaultProfile: try file.string("default_profile"),
                                credentialStore: try file.string("credential_store"),
                                passphraseCache: try file.durationText("passphrase_cache"),
                                keyringCache: try file.durationText("keyring_cache"),
                                profiles: profiles)
        config.audit = try file.bool("audit")
        file.noteUnknownKeys()
        config.unknownKeys = file.unknown.lines
        return config
    }

    /// TOML text in the form TOMLKit's encoder wrote before: keys sorted, one
    /// `[profiles.NAME]` table per profile, sub-tables for headers and the like.
    static func encode(_ config: ConfigFile) -> String {
        let root = TOMLTable()
        root["default_profile"] = config.defaultProfile
        root["credential_store"] = config.credentialStore
        root["passphrase_cache"] = config.passphraseCache
        root["keyring_cache"] = config.keyringCache
        root["audit"] = config.audit
        let profiles = TOMLTable()
        for (name, profile) in config.profiles {
            profiles[name] = encodeProfile(profile)
        }
        root["profiles"] = profiles
        return root.convert(to: .toml, options: [.allowLiteralStrings, .allowMultilineStrings])
    }

    /// One profile as the config file holds it, every table included: what
    /// `profile show` prints, so it can leave nothing out.
    public static func profileText(name: String, profile: ProfileConfig) -> String {
        let profiles = TOMLTable()
        profiles[name] = encodeProfile(profile)
        let root = TOMLTable()
        root["profiles"] = profiles
        return root.convert(to: .toml, options: [.allowLiteralStrings, .allowMultilineStrings])
    }

    /// The same profile as JSON, keys as in the config file.
    public static func profileJSON(_ profile: ProfileConfig) -> JSONValue {
        json(encodeProfile(profile))
    }

    private static func json(_ value: TOMLValueConvertible) -> JSONValue {
        if let table = value.table {
            return .object(Dictionary(table.map { ($0.0, json($0.1)) }) { $1 })
        }
        if let array = value.array { return .array(array.map { json($0) }) }
        if let string = value.string { return .string(string) }
        if let flag = value.bool { return .bool(flag) }
        if let number = value.int { return .number(String(number)) }
        if let number = value.double { return .number(String(number)) }
        return .null
    }

    private static func decodeProfile(_ profile: TableReader) throws(ShapeError) -> ProfileConfig {
        var environments: [String: EnvironmentConfig]?
        if let tables = try profile.tables("environments") {
            var decoded: [String: EnvironmentConfig] = [:]
            for (name, environment) in tables {
                decoded[name] = EnvironmentConfig(baseURL: try environment.requiredString("base_url"),
                                                  tokenEnv: try environment.string("token_env"),
                                                  keyPrefix: try environment.string("key_prefix"),
                                                  confirm: try environment.bool("confirm"))
                decoded[name]?.connection = try decodeConnection(environment)
                environment.noteUnknownKeys()
            }
            environments = decoded
        }
        var pagination: PaginationConfig?
        if let table = try profile.table("pagination") {
            pagination = PaginationConfig(items: try table.string("items"), nextURL: try table.string("next_url"),
                                          nextCursor: try table.string("next_cursor"),
                                          cursorParam: try table.string("cursor_param"),
                                          pageParam: try table.string("page_param"))
            table.noteUnknownKeys()
        }
        var decoded = ProfileConfig(preset: try profile.string("preset"), auth: try profile.requiredString("auth"),
                                    baseURL: try profile.string("base_url"), tokenEnv: try profile.string("token_env"),
                                    whoami: try profile.string("whoami"), defaultEnv: try profile.string("default_env"),
                                    environments: environments, vars: try profile.strings("vars"),
                                    headers: try profile.strings("headers"), caCert: try profile.string("ca_cert"),
                                    pagination: pagination, oauth: try profile.table("oauth").map(decodeOAuth),
                                    tokens: try profile.table("tokens").map(decodeTokens),
                                    ci: try profile.table("ci").map(decodeCI),
                                    whoamiKeyID: try profile.string("whoami_key_id"),
                                    tokenCommand: try profile.command("token_command"),
                                    tokenCommandTimeout: try profile.durationText("token_command_timeout"),
                                    tokenCommandCache: try profile.durationText("token_command_cache"),
                                    pair: try profile.table("pair").map(decodePair),
                                    whoamiIdentity: try profile.string("whoami_identity"),
                                    idempotencyHeader: try profile.headerName("idempotency_header"),
                                    openapi: try profile.string("openapi"), openapiMaxAge: try profile.durationText("openapi_max_age"))
        decoded.connection = try decodeConnection(profile)
        profile.noteUnknownKeys()
        return decoded
    }

    private static func encodeProfile(_ profile: ProfileConfig) -> TOMLTable {
        let table = TOMLTable()
        table["preset"] = profile.preset
        table["auth"] = profile.auth
        table["base_url"] = profile.baseURL
        table["token_env"] = profile.tokenEnv
        table["whoami"] = profile.whoami
        table["default_env"] = profile.defaultEnv
        table["ca_cert"] = profile.caCert
        encodeConnection(profile.connection, into: table)
        if let environments = profile.environments {
            let environmentTables = TOMLTable()
            for (name, environment) in environments {
                let environmentTable = TOMLTable()
                environmentTable["base_url"] = environment.baseURL
                environmentTable["token_env"] = environment.tokenEnv
                environmentTable["key_prefix"] = environment.keyPrefix
                environmentTable["confirm"] = environment.confirm
                encodeConnection(environment.connection, into: environmentTable)
                environmentTables[name] = environmentTable
            }
            table["environments"] = environmentTables
        }
        table["vars"] = profile.vars.map(stringTable)
        table["headers"] = profile.headers.map(stringTable)
        if let pagination = profile.pagination {
            let paginationTable = TOMLTable()
            paginationTable["items"] = pagination.items
            paginationTable["next_url"] = pagination.nextURL
            paginationTable["next_cursor"] = pagination.nextCursor
            paginationTable["cursor_param"] = pagination.cursorParam
            paginationTable["page_param"] = pagination.pageParam
            table["pagination"] = paginationTable
        }
        table["oauth"] = profile.oauth.map(encodeOAuth)
        table["tokens"] = profile.tokens.map(encodeTokens)
        table["ci"] = profile.ci.map(encodeCI)
        table["whoami_key_id"] = profile.whoamiKeyID
        table["whoami_identity"] = profile.whoamiIdentity
        table["idempotency_header"] = profile.idempotencyHeader
        table["openapi"] = profile.openapi
        table["openapi_max_age"] = profile.openapiMaxAge
        if let pair = profile.pair { table["pair"] = encodePair(pair) }
        if let command = profile.tokenCommand {
            if command.count == 3, command[0] == "/bin/sh", command[1] == "-c" { table["token_command"] = command[2] }
            else { table["token_command"] = TOMLArray(command) }
        }
        table["token_command_timeout"] = profile.tokenCommandTimeout
        table["token_command_cache"] = profile.tokenCommandCache
        return table
    }

    private static func decodeConnection(_ table: TableReader) throws(ShapeError) -> ConnectionConfig {
        ConnectionConfig(clientCert: try table.string("client_cert"), clientKey: try table.string("client_key"),
                         clientKeyPassphraseEnv: try table.string("client_key_passphrase_env"), proxy: try table.string("proxy"))
    }

    private static func encodeConnection(_ connection: ConnectionConfig, into table: TOMLTable) {
        table["client_cert"] = connection.clientCert
        table["client_key"] = connection.clientKey
        table["client_key_passphrase_env"] = connection.clientKeyPassphraseEnv
        table["proxy"] = connection.proxy
    }

    static func stringTable(_ values: [String: String]) -> TOMLTable {
        let table = TOMLTable()
        for (key, value) in values { table[key] = value }
        return table
    }
}

/// Typed reads from one table, each failure naming the key's full path. It notes which keys
/// were read, so a key apictl does not know (a typo such as `token_evn`) is an error naming
/// it, rather than a setting silently ignored and then dropped when apictl rewrites the file.
struct TableReader {
    let table: TOMLTable
    let path: String
    private let read = ReadKeys()
    /// Where every reader of one file notes the keys it did not know.
    let unknown: UnknownKeys

    init(table: TOMLTable, path: String, unknown: UnknownKeys = UnknownKeys()) {
        self.table = table
        self.path = path
        self.unknown = unknown
    }

    /// The value at `key`, noted as read.
    func value(_ key: String) -> TOMLValueConvertible? {
        read.keys.insert(key)
        return table[key]
    }

    /// Called once this table's keys have all been read: one that was not is one apictl does
    /// not know (a typo such as `tokenenv`), told with the nearest it does, and ignored.
    func noteUnknownKeys() {
        let known = read.keys
        for key in table.keys.sorted() where !known.contains(key) {
            let place = path.isEmpty ? "at the top" : "in [\(path)]"
            unknown.lines.append("unknown key '\(key)' \(place), ignored"
                                 + (suggestion(key, among: known.sorted()).map { "; did you mean '\($0)'?" } ?? ""))
        }
    }

    private final class ReadKeys { var keys: Set<String> = [] }
    final class UnknownKeys { var lines: [String] = [] }

    func string(_ key: String) throws(ConfigTOML.ShapeError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { throw mismatch(key, expected: "a string", found: value) }
        return string
    }

    /// A header name: a value that could end a header line early never reaches a request.
    func headerName(_ key: String) throws(ConfigTOML.ShapeError) -> String? {
        guard let name = try string(key) else { return nil }
        guard HTTPHeaders.isValidName(name) else {
            throw ConfigTOML.ShapeError(message: "\(qualified(key)): '\(name)' is not a header name (letters, digits, '-' and '_')")
        }
        return name
    }

    /// A duration written as "15m" or as a bare number of seconds.
    func durationText(_ key: String) throws(ConfigTOML.ShapeError) -> String? {
        guard let value = value(key) else { return nil }
        if let number = value.int { return String(number) }
        guard let text = value.string else { throw mismatch(key, expected: "a duration such as \"15m\" or seconds", found: value) }
        return text
    }

    func bool(_ key: String) throws(ConfigTOML.ShapeError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else { throw mismatch(key, expected: "true or false", found: value) }
        return flag
    }

    func requiredString(_ key: String) throws(ConfigTOML.ShapeError) -> String {
        guard let string = try string(key) else {
            throw ConfigTOML.ShapeError(message: "\(qualified(key)): missing; it must be a string")
        }
        return string
    }

    func table(_ key: String) throws(ConfigTOML.ShapeError) -> TableReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw mismatch(key, expected: "a table", found: value) }
        return TableReader(table: table, path: qualified(key), unknown: unknown)
    }

    /// A table whose every value is itself a table, such as `[profiles.NAME]`.
    func tables(_ key: String) throws(ConfigTOML.ShapeError) -> [(String, TableReader)]? {
        guard let outer = try table(key) else { return nil }
        var entries: [(String, TableReader)] = []
        for name in outer.table.keys {
            guard let inner = try outer.table(name) else { continue }
            entries.append((name, inner))
        }
        return entries
    }

    /// A table of strings, such as `headers` or `vars`.
    func strings(_ key: String) throws(ConfigTOML.ShapeError) -> [String: String]? {
        guard let outer = try table(key) else { return nil }
        var values: [String: String] = [:]
        for name in outer.table.keys {
            values[name] = try outer.string(name)
        }
        return values
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func mismatch(_ key: String, expected: String, found value: TOMLValueConvertible) -> ConfigTOML.ShapeError {
        ConfigTOML.ShapeError(message: "\(qualified(key)): expected \(expected), found \(Self.describe(value.type))")
    }

    private static func describe(_ type: TOMLType) -> String {
        switch type {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }
}
