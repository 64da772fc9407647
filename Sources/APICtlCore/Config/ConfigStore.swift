import FoundationEssentials
import Glibc
import TOMLKit

/// Reads and writes the config file. A missing file is an empty config; a
/// malformed one is an error naming the file and, where known, the line.
public struct ConfigStore: Sendable {
    public let path: String
    /// A file named with --config or APICTL_CONFIG: missing, it is an error, not an empty config.
    public let mustExist: Bool

    public init(path: String, mustExist: Bool = false) {
        self.path = path
        self.mustExist = mustExist
    }

    public init(_ location: ConfigLocation) { self.init(path: location.configFile, mustExist: location.configNamed) }

    public func load() throws(APICtlError) -> ConfigFile {
        if mustExist && !FileBytes.exists(path) {
            throw .config("config file \(path): no such file", hint: "check the path given with --config or APICTL_CONFIG")
        }
        return try loadOrNew()
    }

    /// The file, or an empty config where there is none yet: `profile add` may start a file
    /// at a path given with --config.
    public func loadOrNew() throws(APICtlError) -> ConfigFile {
        // `APICTL_CONFIG=/dev/null` is how people say "no config": read as empty, never rewritten.
        if PathText.real(path) == "/dev/null" { return ConfigFile() }
        // A FIFO is not waited on, and /dev/zero not read for ever.
        let limit = 16 << 20
        guard let data = FileBytes.regularFileContents(of: path, limit: limit) else {
            let reason = errno
            if FileBytes.isDirectory(path) == true { throw .config("cannot read config file \(path): it is a directory") }
            if reason == EINVAL { throw .config("cannot read config file \(path): it is not a regular file") }
            // Only a file that is not there is an empty config: one that cannot be read (EACCES, a
            // link the kernel will not follow) would be replaced, profiles and all, by the next rewrite.
            guard reason == ENOENT else { throw .config("cannot read config file \(path): \(String(cString: strerror(reason)))") }
            return ConfigFile()
        }
        guard data.count <= limit else { throw .config("config file \(path) is larger than \(limit >> 20) MiB") }
        return try Self.parse(data, path: path)
    }

    /// The file's bytes as a config, every problem naming `path` (and the line, where toml++ knows it).
    public static func parse(_ data: [UInt8], path: String) throws(APICtlError) -> ConfigFile {
        // toml++ reads a C string: a NUL would silently end the file early.
        guard !data.contains(0), let text = String(validating: data, as: UTF8.self) else {
            throw .config("config file \(path) is not UTF-8 text without NUL bytes")
        }
        // Nor through an escape.
        if let line = TOMLErrorText.nulEscapeLine(in: text) {
            throw .config("config file \(path), line \(line): a \\u0000 escape (a NUL byte) is not allowed in a value")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .config("config file \(path), line \(error.source.begin.line), column \(error.source.begin.column): \(TOMLErrorText.plain(error.description))")
        } catch {
            throw .config("config file \(path): \(error)")
        }
        var config: ConfigFile
        do {
            config = try ConfigTOML.decode(table)
        } catch {
            throw .config("config file \(path): \(error.message)")
        }
        try ConfigValidator.validate(config, path: path)
        return config
    }

    /// Why someone else could have chosen what the file says, when they could: they could point a
    /// profile's base URL (and so its credential) at a server of theirs, or name a token command
    /// that runs as the user. A warning, not a refusal: the file holds no secret, and shared config
    /// on a build box is a choice people make. nil for a file of the user's (or root's) that only
    /// they can change, and for no file at all.
    public var trustProblem: String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        // Every step to the file, links included: whoever made one chose which file is read.
        if case .unsafe(let step, let why) = ConfigRewriteTarget.walk(path, user: geteuid()) {
            let what = step == PathText.absolute(path) || step == PathText.real(path) ? "it" : "the way to it, \(step),"
            return "\(path): \(what) \(why), so someone else could send your credentials elsewhere or run commands as you"
        }
        if info.st_mode & 0o022 != 0 {
            return "\(path) can be changed by other users, who could send your credentials elsewhere (run 'chmod go-w \(path)')"
        }
        return nil
    }

    /// Rewrites the file whole. It keeps the mode it has (a user who shares it chose to);
    /// a new one is 0600, as gh writes its hosts file: it names what the user talks to.
    /// `ConfigRewriteTarget` decides where the new file goes, or that none is written.
    /// Returns where the user's comments were copied, when the file had some.
    @discardableResult
    public func save(_ config: ConfigFile) throws(APICtlError) -> String? {
        let (target, mode) = try checkSavable(config)
        let commentCopy = try keepCommentedCopy(of: target)
        let text = ConfigTOML.encode(config)
        do {
            try AtomicFile.write(Array((Self.header + "\n" + text + "\n").utf8), to: target, mode: mode)
        } catch {
            throw .config("could not write config file \(path): \(error.message)")
        }
        return commentCopy
    }
}

extension ConfigStore {
    /// The header apictl writes at the top of the file.
    static let header = "# apictl configuration. It holds no secrets: keys live in the credential store."

    /// A file with comments of the user's own is copied to `config.toml.bak` (its mode kept)
    /// before apictl rewrites it, since the rewrite cannot keep them (docs/configuration.md).
    /// The copy goes beside the file overwritten (`target`: a linked config's is in the dotfiles
    /// folder); a link that is replaced, not followed, overwrites nothing and needs none.
    /// A copy that cannot be made stops the rewrite: the comments would be lost unseen (in a
    /// sticky folder someone else may even hold the .bak name).
    func keepCommentedCopy(of target: String) throws(APICtlError) -> String? {
        guard FileBytes.isSymbolicLink(target) != true,
              let bytes = FileBytes.regularFileContents(of: target, limit: 16 << 20) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let commented = text.split(separator: "\n").contains { line in
            line.trimmingSpaces() != Self.header && Self.hasComment(line)
        }
        guard commented else { return nil }
        let copy = target + ".bak"
        do {
            try AtomicFile.write(bytes, to: copy, mode: FileBytes.permissions(target) ?? 0o600)
        } catch {
            throw .config("not rewriting config file \(path): its comments could not be kept in \(copy) (\(error.message))")
        }
        return copy
    }

    /// What `save` would refuse, asked by commands that also change a credential store before they
    /// touch it, so a config that will not be rewritten leaves the store as it was too. Returns where
    /// the file will be written, and with what mode.
    @discardableResult
    public func checkSavable(_ config: ConfigFile) throws(APICtlError) -> (path: String, mode: mode_t) {
        // What apictl writes passes what it reads: a command never leaves a file the next one refuses.
        try ConfigValidator.validate(config, path: path)
        // Rewriting keeps only what apictl knows: a misspelt key would be dropped without a word.
        if let first = config.unknownKeys.first {
            throw .config("config file \(path) has settings apictl does not know (\(first.replacingAll(", ignored", with: ""))); rewriting it would drop them",
                          hint: "correct or remove \(config.unknownKeys.count == 1 ? "it" : "them") first")
        }
        return try rewriteTarget()
    }

    /// Where `save` will write, and with what mode; an error when it will not. The config's folder
    /// is made first (0700), so what is checked is the folder that will be written in.
    func rewriteTarget() throws(APICtlError) -> (path: String, mode: mode_t) {
        func decided() throws(APICtlError) -> (path: String, mode: mode_t) {
            switch ConfigRewriteTarget.of(path) {
            case .replace(let target, let mode): return (target, mode)
            case .refuse(let reason): throw .config("not rewriting config file \(path): \(reason)")
            }
        }
        // Asked before the folder is made (a refused place gets no folder either), and after.
        _ = try decided()
        do { try AtomicFile.makeDirectory(PathText.directory(of: PathText.absolute(path)), mode: 0o700) } catch {
            throw .config("could not write config file \(path): \(error.message)")
        }
        return try decided()
    }

    /// A `#` outside a quoted string starts a TOML comment.
    static func hasComment(_ line: Substring) -> Bool {
        var quote: Character?
        var escaped = false
        for character in line {
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" && open == "\"" { escaped = true } else if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return true
            }
        }
        return false
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
            // The name is part of file names (locks, journals, the index) and keyring attributes.
            guard ProfileName.isValid(name) else {
                throw .config("config file \(path): profile name '\(TerminalText.escapingControls(name))' is not valid",
                              hint: ProfileName.rule)
            }
            if let tokenEnv = profile.tokenEnv, let problem = EnvironmentName.problemAsTokenVariable(tokenEnv) {
                throw .config("config file \(path): profiles.\(name).token_env = \"\(TerminalText.escapingControls(tokenEnv))\" \(problem)")
            }
            if let variable = profile.connection.clientKeyPassphraseEnv, let problem = EnvironmentName.problemAsTokenVariable(variable) {
                throw .config("config file \(path): profiles.\(name).client_key_passphrase_env = \"\(TerminalText.escapingControls(variable))\" \(problem)")
            }
            for (environment, settings) in profile.environments ?? [:] {
                // Like a profile name, it names keyring entries and files, and is printed.
                guard ProfileName.isValid(environment) else {
                    throw .config("config file \(path): profiles.\(name).environments: the name '\(TerminalText.escapingControls(environment))' is not valid",
                                  hint: ProfileName.rule)
                }
                if let variable = settings.connection.clientKeyPassphraseEnv, let problem = EnvironmentName.problemAsTokenVariable(variable) {
                    throw .config("config file \(path): profiles.\(name).environments.\(environment).client_key_passphrase_env = "
                                  + "\"\(TerminalText.escapingControls(variable))\" \(problem)")
                }
                if let tokenEnv = settings.tokenEnv, let problem = EnvironmentName.problemAsTokenVariable(tokenEnv) {
                    throw .config("config file \(path): profiles.\(name).environments.\(environment).token_env = "
                                  + "\"\(TerminalText.escapingControls(tokenEnv))\" \(problem)")
                }
            }
            guard AuthScheme(configValue: profile.auth) != nil else {
                throw .config("config file \(path): profiles.\(name).auth = \"\(profile.auth)\" is not one of \(AuthScheme.configChoices.joined(separator: ", "))")
            }
            try checkBaseURLs(of: profile, named: name, path: path)
            if profile.baseURL == nil && (profile.environments ?? [:]).isEmpty {
                throw .config("config file \(path): profile '\(name)' has neither base_url nor environments")
            }
            // A line break would start a header of its own on the wire; a NUL would cut the value short in libcurl.
            for (header, value) in profile.headers ?? [:]
            where (header + value).utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
                throw .config("config file \(path): profiles.\(name).headers.\(header) holds a line break or NUL byte",
                              hint: "a header is one line")
            }
            if let env = profile.defaultEnv, profile.environments?[env] == nil {
                throw .config("config file \(path): profiles.\(name).default_env = \"\(env)\" names no environment of that profile")
            }
        }
        if let name = config.defaultProfile, config.profiles[name] == nil {
            throw .config("config file \(path): default_profile = \"\(name)\" names no profile")
        }
    }

    /// Each base URL is one word of printable text, with no fragment (a path appended after
    /// one is never sent) and no secret (the config file holds none).
    static func checkBaseURLs(of profile: ProfileConfig, named name: String, path: String) throws(APICtlError) {
        let urls = [("base_url", profile.baseURL)] + (profile.environments ?? [:]).map { ("environments.\($0.key).base_url", $0.value.baseURL) }
        for case let (key, url?) in urls {
            // A path is appended to a base URL: after a fragment it would never be sent (nor would a key there be seen).
            if url.contains("#") {
                throw .config("config file \(path): profiles.\(name).\(key) holds a fragment (#...), which no request sends",
                              hint: "give the base URL without it")
            }
            if url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
                throw .config("config file \(path): profiles.\(name).\(key) = \"\(TerminalText.escapingControls(url))\" holds a space or control character",
                              hint: "a URL is one word of printable text")
            }
            if let secret = Redactor.secretIn(url) {
                throw .config("config file \(path): profiles.\(name).\(key) holds \(secret); the config file holds no secrets",
                              hint: "keep the credential in the store: 'apictl login -p \(name)' (auth = \"basic\" for a user and password)")
            }
        }
    }
}

/// A profile name: part of file names (refresh locks, rotation journals, the description's
/// index), keyring attributes and shell completion, so nothing that could leave a folder
/// (`/`, `..`) or reach a terminal as a control character.
public enum ProfileName {
    public static let rule = "use letters, digits, '-', '_' and '.', not starting with '-' or '.', at most 64"

    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
            && !name.hasPrefix("-") && !name.hasPrefix(".")
    }
}

/// An environment variable's name, as POSIX shells accept one: `token_env` names where a CI
/// job puts its token, and children are handed the environment without it.
public enum EnvironmentName {
    /// What is wrong with `name` as a `token_env`, in words; nil when nothing is. Besides not
    /// being a name: a variable the system and apictl's children need (its value would be sent
    /// as a token, and kept from every child as a secret: a pager without PATH).
    public static func problemAsTokenVariable(_ name: String) -> String? {
        guard isValid(name) else { return "is not an environment variable name (letters, digits and '_', not starting with a digit)" }
        let system: Set<String> = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "TERM", "LANG", "TMPDIR", "DISPLAY",
                                   "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "PAGER", "EDITOR", "BROWSER"]
        guard system.contains(name) || name.hasPrefix("XDG_") || name.hasPrefix("LC_") else { return nil }
        return "names a variable the system uses, not one holding a token"
    }

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)) }
    }
}
