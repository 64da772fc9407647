import Glibc

/// An exclusive flock(2) on a side file, held for a read-modify-write.
final class FileLock {
    private let fd: Int32

    init(path: String) throws(APICtlError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .store("cannot lock \(path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { close(fd); throw .store("cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
