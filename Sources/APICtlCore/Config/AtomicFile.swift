import Foundation

/// Writes a file so that readers see either the old or the new content, never
/// a torn one: temp file in the same folder, fsync, rename.
public enum AtomicFile {
    public struct WriteError: Error, LocalizedError {
        public let errorDescription: String?
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, directoryMode: mode_t = 0o700) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try makeDirectory(directory, mode: directoryMode) }
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(errorDescription: "\(temp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            fchmod(fd, mode)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(errorDescription: "\(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
            guard fsync(fd) == 0 else { throw WriteError(errorDescription: "\(path): fsync: \(String(cString: strerror(errno)))") }
        }
        guard rename(temp, path) == 0 else { throw WriteError(errorDescription: "\(path): \(String(cString: strerror(errno)))") }
        ok = true
    }

    /// Creates the folder (and its parents) with the given mode when missing.
    public static func makeDirectory(_ path: String, mode: mode_t) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw WriteError(errorDescription: "\(path) is not a directory") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectory(parent, mode: 0o755) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw WriteError(errorDescription: "\(path): \(String(cString: strerror(errno)))")
        }
    }
}
