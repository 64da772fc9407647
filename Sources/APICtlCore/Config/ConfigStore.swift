import FoundationEssentials
import Glibc
import TOMLKit

/// Reads and writes the config file. A missing file is an empty config; a
/// malformed one is an error naming the file and, where known, the line.
public struct ConfigStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func load() throws(APICtlError) -> ConfigFile {
        guard let data = FileBytes.contents(of: path) else {
            if let isDirectory = FileBytes.isDirectory(path) {
                throw .config("cannot read config file \(path)\(isDirectory ? ": it is a directory" : "")")
            }
            return ConfigFile()
        }
        // toml++ reads a C string: a NUL would silently end the file early.
        guard !data.contains(0), let text = String(validating: data, as: UTF8.self) else {
            throw .config("config file \(path) is not UTF-8 text without NUL bytes")
        }
        let config: ConfigFile
        do {
            config = try TOMLDecoder().decode(ConfigFile.self, from: text)
        } catch let error as TOMLParseError {
            throw .config("config file \(path), line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch let error as DecodingError {
            throw .config("config file \(path): \(Self.describe(error))")
        } catch {
            throw .config("config file \(path): \(error)")
        }
        try ConfigValidator.validate(config, path: path)
        return config
    }

    public func save(_ config: ConfigFile) throws(APICtlError) {
        let text: String
        do {
            text = try TOMLEncoder().encode(config)
        } catch {
            throw .config("could not write config file \(path): \(error)")
        }
        do {
            try AtomicFile.write(Array(("# apictl configuration. It holds no secrets: keys live in the credential store.\n" + text + "\n").utf8),
                                 to: path, mode: 0o644)
        } catch {
            throw .config("could not write config file \(path): \(error.message)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .keyNotFound(let key, let context):
            // TOMLKit reports a value of the wrong type as a missing key, sometimes with the key twice.
            var keys = context.codingPath
            if keys.last?.stringValue != key.stringValue { keys.append(key) }
            return "\(path(keys)): missing or not a string"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "true or false"
        default: return "a table"
        }
    }
}

/// Checks the parts of a config that decoding alone cannot, so a bad value is
/// reported against the file rather than surfacing later as a strange failure.
enum ConfigValidator {
    static func validate(_ config: ConfigFile, path: String) throws(APICtlError) {
        if let store = config.credentialStore, CredentialStoreChoice(rawValue: store) == nil {
            throw .config("config file \(path): credential_store = \"\(store)\" is not one of auto, keyring, file")
        }
        for (name, profile) in config.profiles {
            guard AuthScheme(configValue: profile.auth) != nil else {
                throw .config("config file \(path): profiles.\(name).auth = \"\(profile.auth)\" is not one of \(AuthScheme.configChoices.joined(separator: ", "))")
            }
            if profile.baseURL == nil && (profile.environments ?? [:]).isEmpty {
                throw .config("config file \(path): profile '\(name)' has neither base_url nor environments")
            }
            if let env = profile.defaultEnv, profile.environments?[env] == nil {
                throw .config("config file \(path): profiles.\(name).default_env = \"\(env)\" names no environment of that profile")
            }
        }
        if let name = config.defaultProfile, config.profiles[name] == nil {
            throw .config("config file \(path): default_profile = \"\(name)\" names no profile")
        }
    }
}
