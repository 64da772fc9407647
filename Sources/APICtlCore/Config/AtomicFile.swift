import Glibc

/// Writes a file so that readers see either the old or the new content, never
/// a torn one: temp file in the same folder, fsync, rename.
public enum AtomicFile {
    /// What failed, naming the path: shown to the user inside a store or config error.
    public struct WriteError: Error {
        public let message: String
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, directoryMode: mode_t = 0o700) throws(WriteError) {
        let directory = PathText.directory(of: path)
        if !directory.isEmpty { try makeDirectory(directory, mode: directoryMode) }
        removeStaleTemporaries(of: path)
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(message: "\(temp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            fchmod(fd, mode)
            if let error = bytes.withUnsafeBytes({ FileBytes.writeAll(fd, $0) }) {
                throw WriteError(message: "\(path): \(String(cString: strerror(error)))")
            }
            guard fsync(fd) == 0 else { throw WriteError(message: "\(path): fsync: \(String(cString: strerror(errno)))") }
        }
        guard rename(temp, path) == 0 else { throw WriteError(message: "\(path): \(String(cString: strerror(errno)))") }
        ok = true
    }

    /// Removes the temp files of `path` that a process killed mid-write left behind
    /// (`PATH.tmp-PID-N` whose PID no longer runs); a live writer's are kept.
    public static func removeStaleTemporaries(of path: String) {
        let directory = PathText.directory(of: path)
        let prefix = PathText.lastComponent(of: path) + ".tmp-"
        guard let folder = opendir(directory.isEmpty ? "." : directory) else { return }
        defer { closedir(folder) }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(prefix), let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap({ Int32($0) }),
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink((directory.isEmpty ? "" : directory + "/") + name)
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
