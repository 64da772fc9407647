import Glibc

/// The folders and lock files that hold or guard credentials are checked as ssh
/// checks `~/.ssh`: owned by this user and writable by no one else, since whoever
/// can write the folder can replace the credential file, delete it, or hold its
/// lock so that every apictl waits.
public enum PrivateFolder {
    public static func verify(_ directory: String) throws(APICtlError) {
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            if errno == ENOENT { return }
            throw .store("cannot check \(directory): \(String(cString: strerror(errno)))")
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFLNK {
            // A link is judged by what it points at: the folder's owner and mode are what protect it.
            guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw .store("\(directory) is a symbolic link to something that is not a folder")
            }
        } else if kind != S_IFDIR {
            throw .store("\(directory) is not a folder")
        }
        try verifyOwner(directory, info, what: "folder")
        if info.st_mode & 0o022 != 0 {
            throw .store("\(directory) can be changed by other users (mode \(String(info.st_mode & 0o777, radix: 8))), "
                         + "who could replace or delete the credentials in it", hint: "run 'chmod 700 \(directory)'")
        }
    }

    /// The file behind an open descriptor: owned by this user, writable by no one else.
    static func verifyFile(_ fd: Int32, path: String) throws(APICtlError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .store("cannot check \(path): \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .store("\(path) is not a regular file") }
        try verifyOwner(path, info, what: "file")
        if info.st_mode & 0o022 != 0 {
            throw .store("\(path) can be changed by other users (mode \(String(info.st_mode & 0o777, radix: 8)))",
                         hint: "run 'chmod 600 \(path)'")
        }
    }

    private static func verifyOwner(_ path: String, _ info: stat, what: String) throws(APICtlError) {
        guard info.st_uid == geteuid() else {
            throw .store("the \(what) \(path) belongs to another user (uid \(info.st_uid)); refusing to use it",
                         hint: "it must be yours: check who created it")
        }
    }
}
