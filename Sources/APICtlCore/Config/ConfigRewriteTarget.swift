import Glibc

/// Where a rewrite of the config may go, decided before anything is written.
///
/// A rename lands wherever the path leads at that moment, so anyone who controls a step of
/// the path (a link or a folder in a sticky `/tmp`, a folder of theirs named with `--config`)
/// chooses the file replaced, or swaps a folder between the check and the rename. So the path
/// is walked one component at a time, and a step counts as safe only when nobody but the user
/// and root could have made it or could change it now: a link or folder of theirs, and a
/// folder no one else may write (a sticky one such as `/tmp` aside).
///
/// - The folder the config is in must be safe, or nothing is written.
/// - A regular file is replaced in place: the user's own, or nothing is written (root's
///   `sudo apictl profile add` would otherwise take the user's file over).
/// - A link is followed when every step to its end is safe and the end is a regular file of
///   the user's: the link stays a link. Otherwise the link itself is replaced.
/// - Anything else (a device, a FIFO, a folder) is refused: `/dev/null` stays a device.
enum ConfigRewriteTarget: Equatable {
    case replace(path: String, mode: mode_t)
    case refuse(String)

    static func of(_ path: String, user: uid_t = geteuid()) -> ConfigRewriteTarget {
        let absolute = PathText.absolute(path)
        guard walk(PathText.directory(of: absolute), user: user) != nil else {
            return .refuse("it is in a folder another user could change; apictl rewrites only a config in folders of yours or root's")
        }
        var info = stat()
        guard lstat(absolute, &info) == 0 else { return .replace(path: absolute, mode: 0o600) }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard info.st_uid == user else { return .refuse("it belongs to another user (uid \(info.st_uid))") }
            return .replace(path: absolute, mode: info.st_mode & 0o777)
        case S_IFLNK:
            guard let end = walk(absolute, user: user), lstat(end, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == user else {
                return .replace(path: absolute, mode: 0o600)
            }
            return .replace(path: end, mode: info.st_mode & 0o777)
        default:
            return .refuse("it is not a regular file")
        }
    }

    /// `path` with its links resolved, when every step of it is safe; nil when one is not. Steps
    /// that do not exist yet end the walk: a new folder is made by the user.
    static func walk(_ path: String, user: uid_t) -> String? {
        var pending = components(of: PathText.absolute(path))
        var resolved = ""   // the real path so far; "" is the root
        var followed = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." {
                resolved = PathText.directory(of: resolved.isEmpty ? "/" : resolved)
                if resolved == "/" { resolved = "" }
                continue
            }
            let next = resolved + "/" + name
            var info = stat()
            guard lstat(next, &info) == 0 else {
                return errno == ENOENT ? ([next] + pending).joined(separator: "/") : nil
            }
            guard info.st_uid == user || info.st_uid == 0 else { return nil }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                followed += 1
                guard followed <= 40, let text = linkText(next) else { return nil }
                if text.hasPrefix("/") { resolved = "" }
                pending = components(of: text) + pending
            case S_IFDIR:
                guard info.st_mode & 0o022 == 0 || info.st_mode & S_ISVTX != 0 else { return nil }
                resolved = next
            default:
                guard pending.isEmpty else { return nil }
                resolved = next
            }
        }
        return resolved.isEmpty ? "/" : resolved
    }

    private static func components(of path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    private static func linkText(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, Int(PATH_MAX))
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
