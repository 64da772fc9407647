import Glibc

/// Where a rewrite of the config may go, decided before anything is written.
///
/// A rename lands wherever the path leads at that moment, so anyone who controls a step of
/// the path (a link or a folder in a sticky `/tmp`, a folder of theirs named with `--config`)
/// chooses the file replaced, or swaps a folder between the check and the rename. So the path
/// is walked one component at a time, and a step counts as safe only when nobody but the user
/// and root could have made it or could change it now: a link or folder of theirs, and a
/// folder no one else may write (a sticky one such as `/tmp` aside). The caller walks the path
/// before it makes any missing folder (nothing is made in a place that will be refused), and
/// again after, so the walk sees the folder it made (or one someone made first) rather than a gap.
///
/// - The folder the config is in must be safe, or nothing is written.
/// - A regular file is replaced in place: the user's own, or nothing is written (root's
///   `sudo apictl profile add` would otherwise take the user's file over).
/// - A link is followed when every step to its end is safe and the end is a regular file of
///   the user's: the link stays a link. Otherwise the link itself is replaced.
/// - Anything else (a device, a FIFO, a folder), and anything under /dev, /proc or /sys, is
///   refused: `/dev/null` stays a device, `/dev/stdin` a link.
enum ConfigRewriteTarget: Equatable {
    case replace(path: String, mode: mode_t)
    case refuse(String)

    static func of(_ path: String, user: uid_t = geteuid()) -> ConfigRewriteTarget {
        let absolute = PathText.absolute(path)
        let folder: String
        switch walk(PathText.directory(of: absolute), user: user) {
        case .unsafe(let step, let why):
            return .refuse("\(step) \(why); \(remedy(why, step: step))")
        case .safe(let resolved):
            folder = resolved
        }
        // Judged by where the path really leads: "/./dev/stdin" and a link to /dev are /dev too.
        if PathText.isInSystemFolder(folder + "/" + PathText.lastComponent(of: absolute)) { return .refuse("it is under /dev, /proc or /sys") }
        var info = stat()
        guard lstat(absolute, &info) == 0 else { return .replace(path: absolute, mode: 0o600) }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard info.st_uid == user else { return .refuse("it belongs to another user (uid \(info.st_uid))") }
            return .replace(path: absolute, mode: info.st_mode & 0o777)
        case S_IFLNK:
            guard case .safe(let end) = walk(absolute, user: user), !PathText.isInSystemFolder(end), lstat(end, &info) == 0,
                  info.st_mode & S_IFMT == S_IFREG, info.st_uid == user else {
                return .replace(path: absolute, mode: 0o600)
            }
            return .replace(path: end, mode: info.st_mode & 0o777)
        default:
            return .refuse("it is not a regular file")
        }
    }

    enum Walk: Equatable {
        /// The path with its links resolved; steps that do not exist yet are kept as written.
        case safe(String)
        /// The first step someone else could have made or could change, and why.
        case unsafe(String, String)
    }

    static func walk(_ path: String, user: uid_t) -> Walk {
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
                let reason = errno
                return reason == ENOENT ? .safe(([next] + pending).joined(separator: "/"))
                    : .unsafe(next, "cannot be examined (\(String(cString: strerror(reason))))")
            }
            guard info.st_uid == user || info.st_uid == 0 else { return .unsafe(next, "belongs to another user (uid \(info.st_uid))") }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                followed += 1
                guard followed <= 40, let text = PathText.linkText(next) else { return .unsafe(next, "is a link that leads too far") }
                if text.hasPrefix("/") { resolved = "" }
                pending = components(of: text) + pending
            case S_IFDIR:
                // Group or others may add, remove or rename its entries (an ACL entry shows in the group bits).
                guard info.st_mode & 0o022 == 0 || info.st_mode & S_ISVTX != 0 else { return .unsafe(next, othersMayChange) }
                resolved = next
            default:
                guard pending.isEmpty else { return .unsafe(next, "is not a folder") }
                resolved = next
            }
        }
        return .safe(resolved.isEmpty ? "/" : resolved)
    }

    /// What the user can do about an unsafe step.
    private static func remedy(_ why: String, step: String) -> String {
        why == othersMayChange ? "run 'chmod go-w \(step)' if only you should write there"
            : "apictl rewrites a config only where nobody but you and root could change it"
    }

    private static let othersMayChange = "can be changed by other users"

    private static func components(of path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }
}
