import Glibc

/// `$XDG_STATE_HOME/apictl/audit.jsonl`: one line per use of a stored or commanded credential,
/// appended by every apictl process of the user, rotated at 8 MiB keeping one old file.
///
/// Lines from concurrent processes never interleave: each is one write(2) to a descriptor
/// opened O_APPEND, which Linux performs whole under the file's lock. Rotation is the one
/// step that needs a lock of its own (two processes must not both rename): the process that
/// takes it renames only when the file at the path is still over the limit. A process
/// that opened the file just before a rotation writes its line to the old file, which is kept.
public struct AuditLog: Sendable {
    public static let rotationSize = 8 << 20
    public let path: String
    let rotationSize: Int

    public init(stateDirectory: String, rotationSize: Int = AuditLog.rotationSize) {
        path = stateDirectory + "/audit.jsonl"
        self.rotationSize = rotationSize
    }

    /// The previous file, kept after a rotation.
    public var oldPath: String { path + ".1" }

    /// Appends one entry; the error says what failed, for a warning (a request is not failed for it).
    public func append(_ entry: AuditEntry) throws(AuditFailure) {
        let line = entry.line
        let directory = PathText.directory(of: path)
        do { try AtomicFile.makePrivateDirectory(directory) } catch { throw AuditFailure(message: error.message) }
        var fd = try open()
        var info = stat()
        // A rotation that fails (a folder where the old file goes) is reported, but the line is kept.
        var rotationFailure: AuditFailure?
        if fstat(fd, &info) == 0, Int(info.st_size) + line.count > rotationSize, info.st_size > 0 {
            close(fd)
            do { try rotate(making: line.count) } catch { rotationFailure = error }
            fd = try open()
        }
        defer { close(fd) }
        // A line a full disk cut short would swallow the next one: start on a line of its own.
        let whole = endsMidLine(fd) ? [UInt8(ascii: "\n")] + line : line
        let error = whole.withUnsafeBytes { FileBytes.writeAll(fd, $0) }
        if let error { throw AuditFailure(message: "\(path): \(String(cString: strerror(error)))") }
        if let rotationFailure { throw rotationFailure }
    }

    private func endsMidLine(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, info.st_size - 1) == 1 && last != UInt8(ascii: "\n")
    }

    private func open() throws(AuditFailure) -> Int32 {
        // O_NONBLOCK: a FIFO put in the file's place fails here instead of hanging every request.
        let fd = Glibc.open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else { throw AuditFailure(message: "\(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
            close(fd)
            throw AuditFailure(message: "\(path) is not a regular file of this user's")
        }
        // The record is the user's alone, whatever a hand or an editor did to its mode.
        if info.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
        return fd
    }

    /// Renames the file to `oldPath` when adding `room` bytes would take it past the limit:
    /// checked again under the lock, since another process may have rotated it meanwhile.
    /// A lock another process holds for long is not waited for: the line goes into the file as
    /// it is, a little past the limit, and a later append rotates it.
    private func rotate(making room: Int) throws(AuditFailure) {
        var info = stat()
        let lock: FileLock
        do { lock = try FileLock(path: path + ".lock", patience: 0.5) } catch {
            // Past twice the limit, what keeps the lock from being taken is a fault to report.
            if lstat(path, &info) == 0, Int(info.st_size) > 2 * rotationSize { throw AuditFailure(message: error.message) }
            return
        }
        defer { lock.unlock() }
        guard lstat(path, &info) == 0, Int(info.st_size) + room > rotationSize, info.st_size > 0 else { return }
        if rename(path, oldPath) != 0 && errno != ENOENT {
            throw AuditFailure(message: "cannot rotate \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Every entry, oldest first: the kept old file, then the current one. Lines that are not
    /// entries are skipped.
    public func entries() -> [AuditEntry] { read().entries }

    /// The entries, and why a file of the record could not be read (a folder in its place,
    /// another user's file): `apictl audit` says so rather than "no uses".
    public func read() -> (entries: [AuditEntry], unreadable: [String]) {
        var all: [AuditEntry] = []
        var unreadable: [String] = []
        for file in [oldPath, path] {
            switch OwnFile.read(file, limit: rotationSize * 4) {
            case .absent: continue
            case .refused(let why): unreadable.append(why)
            case .contents(let bytes):
                for line in bytes.split(separator: UInt8(ascii: "\n")) {
                    if let entry = AuditEntry(line: line) { all.append(entry) }
                }
            }
        }
        return (all, unreadable)
    }
}

/// Why a line could not be added to the audit record.
public struct AuditFailure: Error, Sendable {
    public let message: String
}
