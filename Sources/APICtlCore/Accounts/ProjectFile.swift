import CFileACL
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
    /// `directory` is inside it) or the root. A file in a folder other users may write (`/tmp`)
    /// is passed over and named in `ignored`: anyone could have put it there, and refusing it
    /// would let them stop every command run below it.
    public static func find(from directory: String, home: String?) throws(APICtlError) -> ProjectSearch {
        // HOME as getcwd(3) spells the working directory, so the search stops there however HOME is written.
        let home = home.flatMap(PathText.real)
        var search = ProjectSearch()
        var current = directory
        while true {
            let path = (current == "/" ? "" : current) + "/" + name
            var link = stat()
            if lstat(path, &link) == 0 {
                if let why = sharedFolder(current) {
                    search.ignored.append("\(TerminalText.escapingControls(path)): \(why)")
                } else {
                    search.file = try read(path, link: link)
                    return search
                }
            } else if ![ENOENT, ENOTDIR, EACCES].contains(errno) {
                // Too long a path, too many links: the nearest file cannot be checked, so no farther one stands in for it.
                throw refused(path, "cannot be looked for: \(String(cString: strerror(errno)))")
            }
            if current == home || current == "/" || current.isEmpty { return search }
            current = PathText.directory(of: current)
        }
    }

    /// The file at `path`, checked: a regular file of this user's (or root's) that others cannot
    /// write, TOML with at most the keys `profile`, `env` and `account`, each a valid name.
    /// `link` is the path's own lstat: a symbolic link must be the user's too, and what it
    /// points at is checked before it is opened (opening a device may do something).
    static func read(_ path: String, link: stat) throws(APICtlError) -> ProjectFile {
        if link.st_mode & S_IFMT == S_IFLNK {
            try checkOwner(link, path, what: "is a link that belongs to")
            // /dev/stdin is a regular file when stdin is one: a cloned link must not read it.
            if let target = linkIntoSystem(path) {
                throw refused(path, "is a link to \(TerminalText.escapingControls(target)), not a file of the project's")
            }
        }
        var target = stat()
        guard stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG else { throw refused(path, "is not a regular file") }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw refused(path, "cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_dev == target.st_dev, info.st_ino == target.st_ino else {
            throw refused(path, "changed while it was read")
        }
        try checkOwner(info, path, what: "belongs to")
        if let who = writers(info, acl: apictl_acl_writers(fd, "", UInt32(getuid()))) {
            throw refused(path, "can be changed by \(who), who would choose which of your keys is used", hint: "run 'chmod go-w \(path)'")
        }
        guard let bytes = FileBytes.readAll(fd, limit: sizeLimit + 1), bytes.count <= sizeLimit else {
            throw refused(path, "is larger than \(sizeLimit / 1024) KiB")
        }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw refused(path, "is not UTF-8 text without NUL bytes")
        }
        if let line = TOMLErrorText.nulEscapeLine(in: text) { throw refused(path, "line \(line): a \\u0000 escape (a NUL byte) is not allowed") }
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

    /// Who besides the user may write what `info` describes: anyone, or a group that is not the
    /// user's private one (a private group, as `umask 002` leaves files, is the user alone).
    /// `acl` is `apictl_acl_writers`'s answer: with an extended ACL the group bits are only its
    /// mask, so who may write is read from its entries (`setfacl -m u:bob:rw` lets bob; `u:bob:r` does not).
    static func writers(_ info: stat, acl: Int32) -> String? {
        if info.st_mode & 0o002 != 0 { return "any user" }
        let groupWrites = acl >= 0 ? acl & 2 != 0 : info.st_mode & 0o020 != 0
        if acl >= 0 && acl & 1 != 0 { return "the users and groups its ACL names" }
        if groupWrites && !isPrivateGroup(info.st_gid) { return "the members of group \(info.st_gid)" }
        return nil
    }

    /// A user private group: named as the user, no members listed, and no other user's primary
    /// group. Being the user's primary group is not enough: `useradd -g users` shares one.
    static func isPrivateGroup(_ gid: gid_t) -> Bool {
        let uid = getuid()
        guard gid == getgid(), let user = getpwuid(uid)?.pointee, let group = getgrgid(gid)?.pointee,
              String(cString: user.pw_name) == String(cString: group.gr_name), group.gr_mem?.pointee == nil else { return false }
        setpwent()
        defer { endpwent() }
        while let other = getpwent()?.pointee {
            if other.pw_gid == gid && other.pw_uid != uid { return false }
        }
        return true
    }

    /// Why a file in `folder` could have been put there by someone else; nil when only the user could.
    static func sharedFolder(_ folder: String) -> String? {
        var info = stat()
        guard stat(folder.isEmpty ? "/" : folder, &info) == 0 else { return nil }
        if info.st_uid != getuid() && info.st_uid != 0 { return "its folder belongs to another user (uid \(info.st_uid)), so it is not used" }
        return writers(info, acl: apictl_acl_writers(-1, folder.isEmpty ? "/" : folder, UInt32(getuid())))
            .map { "its folder can be written by \($0), so it is not used" }
    }

    private static func checkOwner(_ info: stat, _ path: String, what: String) throws(APICtlError) {
        guard info.st_uid != getuid() && info.st_uid != 0 else { return }
        throw refused(path, "\(what) another user (uid \(info.st_uid)), who would choose which of your keys is used",
                      hint: "remove it, or take it over with 'chown'")
    }

    /// The first hop of the link chain from `path` that leads into /dev, /proc or /sys, where
    /// what looks like a file is a process's descriptor or a device; nil when none does.
    private static func linkIntoSystem(_ path: String) -> String? {
        var current = path
        for _ in 0..<40 {
            guard let target = PathText.linkText(current) else { return nil }
            let joined = target.hasPrefix("/") ? target : PathText.directory(of: current) + "/" + target
            // "../../dev/stdin" is judged by the folder it really names.
            let folder = PathText.directory(of: joined)
            current = (PathText.real(folder) ?? folder) + "/" + (joined.split(separator: "/").last.map(String.init) ?? "")
            if PathText.isInSystemFolder(current) { return current }
        }
        return nil
    }

    static func decode(_ table: TOMLTable, path: String) throws(APICtlError) -> ProjectFile {
        let other = table.keys.filter { !allowedKeys.contains($0) }.sorted()
        if !other.isEmpty {
            let named = other.map { "'\($0)'" }.joined(separator: ", ")
            // A misspelt name is the likelier mistake; a URL or a command the one that matters.
            let typo = other.count == 1 ? suggestion(other[0].lowercased(), among: allowedKeys.sorted()) : nil
            throw refused(path, "sets \(TerminalText.escapingControls(named)): a project file may only choose profile, env and account",
                          hint: typo.map { "did you mean '\($0)'?" } ?? "base URLs, tokens, commands and headers belong in your own config ('apictl profile set')")
        }
        var file = ProjectFile(path: path)
        for key in allowedKeys.sorted() {
            guard let value = table[key] else { continue }
            guard let text = value.string else { throw refused(path, "'\(key)' must be a string, as in \(key) = \"name\"") }
            guard ProfileName.isValid(text) else {
                throw refused(path, "'\(key)' is not a valid name: \(ProfileName.rule)")
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
        throw .config("\(TerminalText.escapingControls(path)) names environment '\(environment)', which profile '\(profile)' does not have",
                      hint: names.isEmpty ? "the profile has no environments" : "it has \(names.joined(separator: ", "))")
    }

    private static func refused(_ path: String, _ why: String, hint: String? = nil) -> APICtlError {
        .config("\(TerminalText.escapingControls(path)) \(why)", hint: hint ?? "a project's \(name) may say only profile = \"NAME\", env = \"ENV\" and account = \"LABEL\"")
    }
}

/// Where the search for a project's `.apictl.toml` ended: the file that counts, if any, and
/// the files it passed over (each with why), for a warning.
public struct ProjectSearch: Sendable {
    public var file: ProjectFile?
    public var ignored: [String] = []

    public init() {}
}
