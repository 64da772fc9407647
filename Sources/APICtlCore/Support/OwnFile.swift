import Glibc

/// A file apictl keeps for the user alone (the account state, the audit record), read as it
/// must be to be trusted: a regular file, not through a link, of this user's, that no one
/// else may write, and never a FIFO that would hang the read.
public enum OwnFile {
    public enum Read: Sendable, Equatable {
        case absent
        case contents([UInt8])
        /// Why the file is not trusted (or cannot be read), for a warning or an error.
        case refused(String)
    }

    public static func read(_ path: String, limit: Int) -> Read {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return .absent }
            return .refused(errno == ELOOP ? "\(path) is a link" : "\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .refused("\(path) is not a regular file") }
        guard info.st_uid == geteuid() else { return .refused("\(path) belongs to another user (uid \(info.st_uid))") }
        guard info.st_mode & 0o022 == 0 else { return .refused("\(path) can be written by other users") }
        guard let bytes = FileBytes.readAll(fd, limit: limit + 1) else { return .refused("\(path): \(String(cString: strerror(errno)))") }
        guard bytes.count <= limit else { return .refused("\(path) is larger than \(limit >> 20) MiB") }
        return .contents(bytes)
    }
}
