import Glibc

/// Writes a file so that readers see either the old or the new content, never
/// a torn one: temp file in the same folder, fsync, rename. The one way apictl
/// replaces a file (the config, the credential file, journals, downloads).
public enum AtomicFile {
    /// What failed, naming the path: shown to the user inside a store or config error.
    public struct WriteError: Error {
        public let message: String
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, directoryMode: mode_t = 0o700) throws(WriteError) {
        let directory = PathText.directory(of: path)
        if !directory.isEmpty { try makeDirectory(directory, mode: directoryMode) }
        removeStaleTemporaries(of: path)
        let replacement = try Replacement(path: path, temporaryPath: "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))",
                                          mode: mode)
        var failure: WriteError?
        bytes.withUnsafeBytes { buffer in
            do throws(WriteError) { try replacement.write(buffer) } catch { failure = error }
        }
        if let failure {
            replacement.discard()
            throw failure
        }
        try replacement.commit()
    }

    /// A file in a folder no reader sees yet (a staging folder that then takes an old one's
    /// place by one rename): that rename is the atomic step, so the file needs no temp name
    /// of its own, only to be on disk (fsync) before it. Fails if `path` exists.
    public static func writeNew(_ bytes: [UInt8], to path: String, mode: mode_t) throws(WriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 0o600)
        guard fd >= 0 else { throw WriteError(message: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, mode)
        let error = bytes.withUnsafeBytes { FileBytes.writeAll(fd, $0) }
        if let error { throw WriteError(message: "\(path): \(String(cString: strerror(error)))") }
        guard fsync(fd) == 0 else { throw WriteError(message: "\(path): fsync: \(String(cString: strerror(errno)))") }
    }

    /// Puts a folder's new entries on disk (best effort, as a rename's folder is synced).
    public static func syncFolder(_ path: String) {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// A file being replaced: written to `temporaryPath` beside it, given its final name
    /// by `commit` only once complete and on disk (fsync), removed by `discard`.
    public final class Replacement {
        public let path: String
        public let temporaryPath: String
        private var fd: Int32

        /// `mode`, and `owner` when given, are those the new file will have (fchmod and
        /// fchown on the temp file, so no one else can open it in between).
        public init(path: String, temporaryPath: String, mode: mode_t, owner: (uid_t, gid_t)? = nil) throws(WriteError) {
            self.path = path
            self.temporaryPath = temporaryPath
            fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 0o600)
            guard fd >= 0 else { throw WriteError(message: "\(path): \(String(cString: strerror(errno)))") }
            if let (uid, gid) = owner, uid != geteuid() || gid != getegid() { _ = fchown(fd, uid, gid) }
            fchmod(fd, mode)
        }

        public func write(_ buffer: UnsafeRawBufferPointer) throws(WriteError) {
            if let error = FileBytes.writeAll(fd, buffer) {
                throw WriteError(message: "\(path): \(String(cString: strerror(error)))")
            }
        }

        public func commit() throws(WriteError) {
            defer { fd = -1 }
            guard fsync(fd) == 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporaryPath)
                throw WriteError(message: "\(path): fsync: \(reason)")
            }
            close(fd)
            guard rename(temporaryPath, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporaryPath)
                throw WriteError(message: "\(path): \(reason)")
            }
            syncDirectory()
        }

        /// The rename is on disk only once the folder is: without this, a crash soon after
        /// could bring back the old file (or none) although the command reported success.
        /// Best effort: some file systems refuse fsync on a folder, and the file itself is.
        private func syncDirectory() {
            syncFolder(PathText.directory(of: path))
        }

        public func discard() {
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
            unlink(temporaryPath)
        }
    }

    /// Removes the temp files of `path` that a process killed mid-write left behind
    /// (`PATH.tmp-PID-N` whose PID no longer runs); a live writer's are kept.
    public static func removeStaleTemporaries(of path: String) {
        let directory = PathText.directory(of: path)
        let prefix = PathText.lastComponent(of: path) + ".tmp-"
        for name in FileBytes.names(inDirectory: directory) {
            guard name.hasPrefix(prefix), let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap({ Int32($0) }),
                  FileBytes.isGone(pid) else { continue }
            unlink((directory.isEmpty ? "" : directory + "/") + name)
        }
    }

    /// A folder of apictl's own (the cache, the state folder): created 0700 when missing, and
    /// narrowed to 0700 when an earlier version left it open to others.
    public static func makePrivateDirectory(_ path: String) throws(WriteError) {
        try makeDirectory(path, mode: 0o700)
        if let mode = FileBytes.permissions(path), mode & 0o077 != 0, chmod(path, 0o700) != 0 {
            throw WriteError(message: "\(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the folder (and its parents) with the given mode when missing.
    public static func makeDirectory(_ path: String, mode: mode_t) throws(WriteError) {
        if let isDirectory = FileBytes.isDirectory(path) {
            guard isDirectory else { throw WriteError(message: "\(path) is not a directory") }
            return
        }
        let parent = PathText.directory(of: path)
        if !parent.isEmpty, parent != path { try makeDirectory(parent, mode: 0o755) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw WriteError(message: "\(path): \(String(cString: strerror(errno)))")
        }
    }
}
