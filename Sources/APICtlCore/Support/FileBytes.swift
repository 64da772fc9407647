import Glibc

public enum FileBytes {
    /// Writes every byte, retrying short writes and EINTR; the errno of the write
    /// that failed, or nil when all went out. The one write loop in apictl.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        writeCounting(fd, buffer).error
    }

    /// `writeAll`, saying how much was written before a failure: a reader that went away
    /// half-way through (a pager the user quit) did read the part before it.
    public static func writeCounting(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> (written: Int, error: Int32?) {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return (offset, errno)
            }
            offset += n
        }
        return (offset, nil)
    }

    /// Everything up to end of file; nil on a read error, with errno set.
    /// Reads in chunks the size of the file where it has one, so a small config
    /// file never costs a large zeroed buffer (each fresh page is a page fault).
    public static func readAll(_ fd: Int32, limit: Int = .max) -> [UInt8]? {
        var info = stat()
        let sizeHint = fstat(fd, &info) == 0 && info.st_size > 0 ? Int(clamping: info.st_size) : 0
        var bytes: [UInt8] = []
        var chunk = min(max(sizeHint + 1, 4096), 1 << 20)
        // A bounded read asks for its room once: doubling a growing array keeps the old copy and
        // the new one alive together, half again the memory (`-F x=@/dev/zero` under a tight ulimit).
        if limit < Int.max / 2 { bytes.reserveCapacity(min(limit, sizeHint > 0 ? sizeHint : limit) + (1 << 20) + 1) }
        while true {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let n = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress.map { $0 + start }, chunk)
            }
            if n < 0 {
                let error = errno
                bytes.removeLast(chunk)
                if error == EINTR { continue }
                errno = error
                return nil
            }
            bytes.removeLast(chunk - n)
            if n == 0 || bytes.count > limit { return bytes }
            chunk = min(chunk * 2, 1 << 20)
        }
    }

    /// Whether anything (file, directory, socket...) is at `path`.
    public static func exists(_ path: String) -> Bool { isDirectory(path) != nil }

    /// true for a directory, false for anything else, nil when nothing is there.
    public static func isDirectory(_ path: String) -> Bool? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT == S_IFDIR
    }

    /// true for a symbolic link itself (not followed), false for anything else, nil when nothing is there.
    public static func isSymbolicLink(_ path: String) -> Bool? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT == S_IFLNK
    }

    /// Permission bits, or nil when nothing is there.
    public static func permissions(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// The file's bytes; nil when it cannot be opened or read, with errno set. With a
    /// `limit`, reading stops once past it (`/dev/zero` never ends), so more than
    /// `limit` bytes back means "too large".
    public static func contents(of path: String, limit: Int = .max) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd, limit: limit)
    }

    /// Whether `path` is (or links to) a regular file: asked before handing a path to libcurl, which
    /// would wait on a FIFO for ever.
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// A regular file's bytes, read the same way; a FIFO, a device or a folder in its place is
    /// never waited on or read (nil, errno EINVAL).
    public static func regularFileContents(of path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            errno = EINVAL
            return nil
        }
        return readAll(fd, limit: limit)
    }

    /// `length` bytes of the regular file from `offset`; nil when it cannot be read, is shorter,
    /// or is no regular file (a FIFO put in its place is never waited on).
    public static func contents(of path: String, offset: Int, length: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0, offset >= 0, length >= 0 else { if fd >= 0 { close(fd) }; return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress.map { $0 + done }, length - done, off_t(offset + done)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            done += got
        }
        return bytes
    }

    /// Whether process `pid` has ended (and is not this one): what it left is no one's.
    public static func isGone(_ pid: Int32) -> Bool {
        pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Whether what a process left at `path` is abandoned: that process is gone and the file was
    /// last changed over ten minutes ago (a process in another PID namespace may have the same
    /// number and still run, and none of those that leave such files runs that long).
    public static func isAbandoned(_ path: String, pid: Int32) -> Bool {
        guard isGone(pid) else { return false }
        var status = stat()
        guard lstat(path, &status) == 0 else { return false }
        return time(nil) - status.st_mtim.tv_sec > 600
    }

    /// The names in a folder, "." and ".." left out; empty when it cannot be read.
    public static func names(inDirectory path: String) -> [String] {
        guard let folder = opendir(path.isEmpty ? "." : path) else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
