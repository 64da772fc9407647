import Glibc

/// An exclusive flock(2) on a side file, held for a read-modify-write. The lock
/// file must be this user's own (another user's could be held forever), and a
/// lock another process holds is waited on for `FileLock.patience`, then refused.
final class FileLock {
    private let fd: Int32

    /// How long a lock held by another apictl is waited for (docs/security.md).
    static let patience: Double = 10

    init(path: String, patience: Double = FileLock.patience) throws(APICtlError) {
        try PrivateFolder.verify(PathText.directory(of: path))
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP { throw .store("the lock file \(path) is a symbolic link; refusing to follow it") }
            throw .store("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        do { try PrivateFolder.verifyFile(fd, path: path) } catch { close(fd); throw error }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            if reason == EINTR { continue }
            guard reason == EWOULDBLOCK, waited < patience else {
                close(fd)
                if reason == EWOULDBLOCK {
                    throw .store("another process has held \(path) for \(Int(patience))s; gave up waiting",
                                 hint: "see which with 'fuser \(path)'; an apictl that hangs can be ended")
                }
                throw .store("cannot lock \(path): \(String(cString: strerror(reason)))")
            }
            usleep(50_000)
            waited += 0.05
        }
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
