import Glibc
import TOMLKit

/// A project's `.apictl.toml`: `cd project && apictl request ...` picks the profile,
/// environment and account the project names, as `.nvmrc` picks a runtime.
///
/// The file comes with a cloned repository, so it may only choose among what the user's
/// own config defines: any other key (a base URL, a token command, headers) is refused,
/// since it could send a credential somewhere new or run a command. A file another user
/// owns, or anyone may write, is refused too: they would choose which key is used.
public struct ProjectFile: Sendable, Equatable {
    public static let name = ".apictl.toml"
    static let allowedKeys: Set<String> = ["profile", "env", "account"]
    /// Far more than three names need; a larger file is not one of ours.
    static let sizeLimit = 64 * 1024

    public let path: String
    public var profile: String?
    public var environment: String?
    public var account: String?

    /// The nearest `.apictl.toml` from `directory` upwards, stopping after `home` (when
    /// `directory` is inside it) or the root; nil when there is none.
    public static func find(from directory: String, home: String?) throws(APICtlError) -> ProjectFile? {
        var current = directory
        while true {
            let path = (current == "/" ? "" : current) + "/" + name
            var info = stat()
            if lstat(path, &info) == 0 { return try read(path) }
            if current == home || current == "/" || current.isEmpty { return nil }
            current = PathText.directory(of: current)
        }
    }

    /// The file at `path`, checked: a regular file of this user's (or root's) that others cannot
    /// write, TOML with at most the keys `profile`, `env` and `account`, each a valid name.
    public static func read(_ path: String) throws(APICtlError) -> ProjectFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)   // a FIFO must not hang the command
        guard fd >= 0 else { throw refused(path, "cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw refused(path, "is not a regular file") }
        if info.st_uid != getuid() && info.st_uid != 0 {
            throw refused(path, "belongs to another user (uid \(info.st_uid)), who would choose which of your keys is used",
                          hint: "remove it, or take it over with 'chown'")
        }
        if info.st_mode & 0o002 != 0 {
            throw refused(path, "can be changed by any user, who would choose which of your keys is used",
                          hint: "run 'chmod o-w \(path)'")
        }
        guard let bytes = FileBytes.readAll(fd, limit: sizeLimit + 1), bytes.count <= sizeLimit else {
            throw refused(path, "is larger than \(sizeLimit / 1024) KiB")
        }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw refused(path, "is not UTF-8 text without NUL bytes")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw refused(path, "line \(error.source.begin.line): \(TOMLErrorText.plain(error.description))")
        } catch {
            throw refused(path, "is not TOML")
        }
        return try decode(table, path: path)
    }

    static func decode(_ table: TOMLTable, path: String) throws(APICtlError) -> ProjectFile {
        let other = table.keys.filter { !allowedKeys.contains($0) }.sorted()
        if !other.isEmpty {
            let named = other.map { "'\($0)'" }.joined(separator: ", ")
            throw refused(path, "sets \(named): a project file may only choose profile, env and account",
                          hint: "base URLs, tokens, commands and headers belong in your own config ('apictl profile set')")
        }
        var file = ProjectFile(path: path)
        for key in allowedKeys.sorted() {
            guard let value = table[key] else { continue }
            guard let text = value.string else { throw refused(path, "'\(key)' must be a string, as in \(key) = \"name\"") }
            guard ProfileName.isValid(text) else {
                throw refused(path, "'\(key)' is not a valid name ('\(TerminalText.escapingControls(text))'): \(ProfileName.rule)")
            }
            switch key {
            case "profile": file.profile = text
            case "env": file.environment = text
            default: file.account = text
            }
        }
        return file
    }

    init(path: String) {
        self.path = path
    }

    /// The environment this file names must be one of the profile's.
    func checkEnvironment(_ environment: String, of profile: String, config: ProfileConfig) throws(APICtlError) {
        let names = (config.environments ?? [:]).keys.sorted()
        guard !names.contains(environment) else { return }
        throw .config("\(path) names environment '\(environment)', which profile '\(profile)' does not have",
                      hint: names.isEmpty ? "the profile has no environments" : "it has \(names.joined(separator: ", "))")
    }

    private static func refused(_ path: String, _ why: String, hint: String? = nil) -> APICtlError {
        .config("\(path) \(why)", hint: hint ?? "a project's \(name) may say only profile = \"NAME\", env = \"ENV\" and account = \"LABEL\"")
    }
}
