import APICtlCore
import FoundationEssentials
import Glibc

/// Where a response body goes: straight to stdout when piped (untouched, so
/// `| jq` works), buffered for pretty-printing on a terminal, or streamed to a
/// file that only takes its final name once the whole body has arrived.
final class ResponseSink: ResponseConsumer {
    enum Destination { case stdout(pretty: Bool), file(String) }

    let destination: Destination
    let stdout: OutputStream
    /// `-i`: the status line and headers go to stdout ahead of the body.
    let includeHead: Bool
    let color: Bool
    private(set) var head: HTTPResponseHead?
    /// Error bodies are always kept, for decoding; success bodies only when pretty-printing.
    /// Past `bufferLimit` the first part is kept and everything goes out as it came (`overflowed`).
    private(set) var buffered: [UInt8] = []
    static let bufferLimit = 16 << 20
    /// Bytes written to an -o file so far.
    private(set) var writtenBytes = 0
    private(set) var overflowed = false
    private var streaming = false
    /// A body too large to hold, going to a terminal: its control bytes are shown escaped as
    /// they stream, as a held one's are refused. A UTF-8 sequence a chunk cut waits in `carried`.
    private var escapingControls = false
    private var carried: [UInt8] = []
    private var file: FileOutput?
    /// Bytes of this attempt already written to stdout: once any are, it cannot be retried.
    private var streamedBytes = 0
    private(set) var headPrinted = false
    var progress: ProgressBar?

    init(destination: Destination, stdout: OutputStream, includeHead: Bool = false, color: Bool = false) {
        self.destination = destination
        self.stdout = stdout
        self.includeHead = includeHead
        self.color = color
    }

    func begin(_ head: HTTPResponseHead) throws(APICtlError) {
        self.head = head
        buffered.removeAll()
        overflowed = false
        escapingControls = false
        carried = []
        guard head.isSuccess else { streaming = false; return }
        // Only a success is final for sure; the head of a retried 429 must not be shown.
        if includeHead {
            stdout.write(ResponsePrinter.statusAndHeaders(head, color: color))
            headPrinted = true
        }
        switch destination {
        case .stdout(let pretty):
            streaming = !pretty
        case .file(let path):
            let output = try FileOutput(finalPath: path)
            if let temporary = output.temporaryPath { InterruptCleanup.arm(removing: temporary) }
            file = output
            streaming = true
            progress?.start(total: head.headers["Content-Length"].flatMap { Int64($0) })
        }
    }

    func restart() -> Bool {
        guard streamedBytes == 0 || file != nil else { return false }
        file?.discard()
        file = nil
        buffered.removeAll()
        streamedBytes = 0
        writtenBytes = 0
        return true
    }

    func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        if let file {
            try file.write(chunk)
            writtenBytes += chunk.count
            progress?.advance(chunk.count)
        } else if streaming {
            if escapingControls { writeShown(chunk) } else { stdout.write(chunk) }
            // Stop the transfer at once: nothing more can reach a full disk or a closed pipe.
            if let failure = stdout.failure { throw OutputStream.failure(failure) }
            streamedBytes += chunk.count
        } else if buffered.count + chunk.count <= Self.bufferLimit {
            buffered.append(contentsOf: chunk)
        } else if case .file = destination {
            return   // an error answer to a download: its start is enough to decode, and it goes nowhere else
        } else {
            // Too large to hold for pretty-printing: what was kept goes out as it came and
            // the rest streams after it, so a body of any size reaches the terminal whole.
            overflowed = true
            if includeHead && !headPrinted, let head {
                stdout.write(ResponsePrinter.statusAndHeaders(head, color: color))
                headPrinted = true
            }
            escapingControls = true
            buffered.withUnsafeBytes { writeShown($0) }
            writeShown(chunk)
            if let failure = stdout.failure { throw OutputStream.failure(failure) }
            streaming = true
            streamedBytes += buffered.count + chunk.count
        }
    }

    /// Writes `chunk` to the terminal with its control characters escaped; the end of a UTF-8
    /// sequence cut by the chunk's end comes with the next chunk (or `finish`).
    private func writeShown(_ chunk: UnsafeRawBufferPointer) {
        var bytes = carried
        bytes.append(contentsOf: chunk)
        guard !bytes.isEmpty else { return }
        var cut = bytes.count
        // Back over an unfinished sequence: at most three bytes, its lead byte saying how long it is.
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            guard byte & 0xC0 == 0x80 else {
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                if length > back { cut = bytes.count - back }
                break
            }
        }
        carried = Array(bytes[cut...])
        bytes.removeSubrange(cut...)
        // Decoded either way: a byte that is not UTF-8 (a lone 0x9B is CSI to an 8-bit terminal) is shown as U+FFFD.
        stdout.write(bytes.withUnsafeBytes { ResponsePrinter.terminalSafe($0) } ?? String(decoding: bytes, as: UTF8.self))
    }

    /// Gives the file its final name; call only after the whole transfer succeeded.
    func finish() throws(APICtlError) {
        // A sequence the body ended in the middle of: never complete, so shown as U+FFFD.
        if !carried.isEmpty {
            stdout.write(String(decoding: carried, as: UTF8.self))
            carried = []
        }
        guard let file else { return }
        self.file = nil
        progress?.finish()
        try file.commit()
    }

    /// Removes a partial download.
    func abandon() {
        progress?.finish()
        file?.discard()
        file = nil
    }
}

/// A download in progress. `-o` writes where the user points: an existing device,
/// FIFO or socket (`/dev/null`, a pipe) is written through and never replaced; a
/// regular file, or a symbolic link's target, is replaced only once the whole body
/// is on disk, keeping its mode and owner (the link stays a link); a new file gets
/// 0666 less the umask, as curl's. The temp file is hidden beside the target.
final class FileOutput {
    let finalPath: String
    private enum Sink {
        case through(Int32)
        case replacing(AtomicFile.Replacement)
    }
    private let sink: Sink

    /// The temp file's path, for the signal handler; nil when writing through.
    var temporaryPath: String? {
        if case .replacing(let replacement) = sink { return replacement.temporaryPath }
        return nil
    }

    init(finalPath: String) throws(APICtlError) {
        self.finalPath = finalPath
        // Every link on the way is checked first, whatever it leads to: a planted link to
        // another user's FIFO would hand them the body as surely as one to a file.
        let target = try Self.endOfLinks(finalPath)
        // What the kernel reaches (a /proc/self/fd link's text is no path): a device or FIFO is written through.
        var info = stat()
        let exists = stat(finalPath, &info) == 0
        let kind = info.st_mode & S_IFMT
        if exists && kind == S_IFDIR {
            throw Self.failure(finalPath, "it is a folder")
        }
        if exists && kind != S_IFREG {
            let fd = open(finalPath, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Self.failure(finalPath, String(cString: strerror(errno))) }
            sink = .through(fd)
            return
        }
        // A symbolic link is followed, so the file it points at is replaced (or made, for a link
        // to nothing yet, as curl and a shell's > do) and the link kept.
        let directory = PathText.directory(of: target)
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(PathText.lastComponent(of: target)).apictl-\(getpid()).part"
        let mask = umask(0)
        umask(mask)
        let mode = exists ? info.st_mode & 0o7777 : 0o666 & ~mask
        do {
            sink = .replacing(try AtomicFile.Replacement(path: target, temporaryPath: temporary, mode: mode,
                                                         owner: exists ? (info.st_uid, info.st_gid) : nil))
        } catch {
            throw Self.failure(finalPath, Self.reason(error.message))
        }
    }

    /// Why a link is not followed: the kernel's protected_symlinks rule, whatever the machine's
    /// setting, since the rename below would bypass it. In a sticky folder others may write
    /// (/tmp), a link made by someone other than the user or the folder's owner chose the file.
    static func plantedLink(_ path: String, _ link: stat) -> String? {
        var folder = stat()
        let directory = PathText.directory(of: PathText.absolute(path))
        guard stat(directory.isEmpty ? "/" : directory, &folder) == 0, folder.st_mode & S_ISVTX != 0, folder.st_mode & 0o002 != 0,
              link.st_uid != geteuid(), link.st_uid != folder.st_uid else { return nil }
        return "is a link another user (uid \(link.st_uid)) made in a folder anyone may write; remove it or name another file"
    }

    /// Where `path` leads through its links, one hop at a time, each hop checked as the first
    /// (`plantedLink`): the file to replace, or to make when the last link's target is not there
    /// yet. A loop, a chain past 40 links or a hop that cannot be examined is an error, as it is
    /// to a shell's `>`, never a reason to replace the link itself.
    static func endOfLinks(_ path: String) throws(APICtlError) -> String {
        var current = path
        for _ in 0...40 {
            if let (link, problem) = plantedLinkOnTheWay(to: current) { throw failure(path, "\(link) " + problem) }
            var info = stat()
            guard lstat(current, &info) == 0 else {
                guard errno == ENOENT else { throw failure(path, String(cString: strerror(errno))) }
                return current
            }
            guard info.st_mode & S_IFMT == S_IFLNK else { return current == path ? path : (PathText.real(current) ?? current) }
            guard let text = PathText.linkText(current) else { throw failure(path, String(cString: strerror(errno))) }
            let directory = PathText.directory(of: PathText.absolute(current))
            current = text.hasPrefix("/") ? text : (directory.isEmpty ? "" : directory) + "/" + text
        }
        throw failure(path, String(cString: strerror(ELOOP)))
    }

    /// The first step of `path`, a folder (`/tmp/dir` in `/tmp/dir/FILE`) or the file itself, that
    /// is a link `plantedLink` refuses, as the kernel checks every step; nil when none is.
    static func plantedLinkOnTheWay(to path: String) -> (String, String)? {
        var prefix = ""
        for component in PathText.absolute(path).split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT == S_IFLNK, let problem = plantedLink(prefix, info) { return (prefix, problem) }
        }
        return nil
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        switch sink {
        case .through(let fd):
            if let error = FileBytes.writeAll(fd, chunk) { throw Self.failure(finalPath, String(cString: strerror(error))) }
        case .replacing(let replacement):
            do { try replacement.write(chunk) } catch { throw Self.failure(finalPath, Self.reason(error.message)) }
        }
    }

    /// Gives a replaced file its final name; call only after the whole transfer succeeded.
    func commit() throws(APICtlError) {
        switch sink {
        case .through(let fd):
            close(fd)
        case .replacing(let replacement):
            do { try replacement.commit() } catch { throw Self.failure(finalPath, Self.reason(error.message)) }
        }
    }

    func discard() {
        switch sink {
        case .through(let fd): close(fd)
        case .replacing(let replacement): replacement.discard()
        }
    }

    static func failure(_ path: String, _ reason: String) -> APICtlError {
        APICtlError(.outputFailed, "cannot write \(path): \(reason)")
    }

    /// "PATH: reason" from AtomicFile, without the path this line names already.
    private static func reason(_ message: String) -> String {
        message.firstRange(ofText: ": ").map { String(message[$0.upperBound...]) } ?? message
    }
}
