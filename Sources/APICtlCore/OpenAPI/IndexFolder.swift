import CFolderSwap
import Glibc

/// How a synced index takes the old one's place: built in a staging folder beside the
/// profiles' (`.staging-PID-RANDOM`: no profile name begins with a dot, so none is ever taken
/// for one, and two syncs in two PID namespaces never share one), then swapped in by one
/// rename. A reader, or a `kill -9` at any moment, finds the old index or the new one, never
/// neither; what a killed sync left is removed by a later one.
enum IndexFolder {
    static let stagingPrefix = ".staging-"

    /// This process's staging folder, new and empty (a stale one of a reused PID removed).
    static func makeStaging(in folder: String) throws(AtomicFile.WriteError) -> String {
        removeStale(in: folder)
        let staging = folder + "/" + stagingPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(staging, 0o700) == 0 else { throw AtomicFile.WriteError(message: "\(staging): \(String(cString: strerror(errno)))") }
        return staging
    }

    /// Puts `staging` where `directory` is, in one step; `staging` then holds the old index (or
    /// nothing), for the caller to remove. Where the file system cannot swap (EINVAL), two
    /// renames, as before renameat2.
    static func swapIn(_ staging: String, for directory: String) throws(APICtlError) {
        var status = stat()
        if lstat(directory, &status) == 0, status.st_mode & S_IFMT != S_IFDIR {
            throw APICtlError(.outputFailed, "cannot put the index in place at \(directory): something other than a folder is there")
        }
        if apictl_rename_noreplace(staging, directory) == 0 { return }
        var failure = errno
        if failure == EEXIST {
            if apictl_rename_exchange(staging, directory) == 0 { return }
            failure = errno
        }
        if failure == EINVAL || failure == ENOSYS {
            let old = staging + ".old"
            remove(old)
            if rename(directory, old) == 0 || errno == ENOENT {
                if rename(staging, directory) == 0 {
                    _ = rename(old, staging)
                    return
                }
                failure = errno
                _ = rename(old, directory)
            } else {
                failure = errno
            }
        }
        throw APICtlError(.outputFailed, "cannot put the index in place at \(directory): \(String(cString: strerror(failure)))")
    }

    /// Staging folders of syncs that no longer run: their PID is gone and they were last
    /// touched over ten minutes ago (a sync in another PID namespace has a PID this one cannot
    /// see, and no sync runs that long: its parse is stopped after 120 s).
    static func removeStale(in folder: String) {
        for name in FileBytes.names(inDirectory: folder) where name.hasPrefix(stagingPrefix) {
            guard let pid = name.dropFirst(stagingPrefix.count).split(separator: "-").first.flatMap({ Int32($0) }),
                  FileBytes.isAbandoned(folder + "/" + name, pid: pid) else { continue }
            remove(folder + "/" + name)
        }
    }

    /// Removes an index folder and what it holds (an index is two levels deep); a link or
    /// anything else in its place is removed itself, never followed.
    static func remove(_ path: String, levels: Int = 3) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFDIR, levels > 0 else {
            unlink(path)
            return
        }
        for name in FileBytes.names(inDirectory: path) { remove(path + "/" + name, levels: levels - 1) }
        rmdir(path)
    }
}
