import Glibc

/// Where a config that is a symbolic link really lives, when a rewrite may go there.
///
/// Following a link by its name lets whoever controls any step of it choose the file that is
/// replaced: a second link in a sticky `/tmp` folder, a folder swapped between the check and the
/// rename, a device. So the path is walked one component at a time, and the link is followed
/// only when nobody but the user (and root) could have steered it or could change it now:
/// every link and folder on the way is theirs or root's, no folder lets others rename what is
/// in it (a sticky one such as /tmp aside), and what it ends at is a regular file of the
/// user's. Anything else gets nil, and the link itself is replaced, as a file of the user's own.
enum ConfigLink {
    static func target(of path: String, user: uid_t = geteuid()) -> String? {
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
            guard lstat(next, &info) == 0, info.st_uid == user || info.st_uid == 0 else { return nil }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                followed += 1
                guard followed <= 40, let text = linkText(next) else { return nil }
                if text.hasPrefix("/") { resolved = "" }
                pending = components(of: text) + pending
            case S_IFDIR:
                guard info.st_mode & 0o022 == 0 || info.st_mode & S_ISVTX != 0 else { return nil }
                resolved = next
            case S_IFREG:
                guard pending.isEmpty, info.st_uid == user else { return nil }
                resolved = next
            default:
                return nil
            }
        }
        var info = stat()
        guard followed > 0, lstat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return resolved
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
