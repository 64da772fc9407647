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
    private(set) var buffered: [UInt8] = []
    private var streaming = false
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
            file = try FileOutput(finalPath: path)
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
        return true
    }

    func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        if let file {
            try file.write(chunk)
            progress?.advance(chunk.count)
        } else if streaming {
            stdout.write(chunk)
            streamedBytes += chunk.count
        } else if buffered.count < 64 << 20 {
            buffered.append(contentsOf: chunk)
        }
    }

    /// Gives the file its final name; call only after the whole transfer succeeded.
    func finish() throws(APICtlError) {
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

/// A download in progress: written to a hidden temp file beside the target.
final class FileOutput {
    let finalPath: String
    let tempPath: String
    private let fd: Int32

    /// Hidden, beside the target, named for this process: known before the download starts.
    static func tempPath(for finalPath: String) -> String {
        let directory = PathText.directory(of: finalPath)
        let name = PathText.lastComponent(of: finalPath)
        return (directory.isEmpty ? "" : directory + "/") + ".\(name).apictl-\(getpid()).part"
    }

    init(finalPath: String) throws(APICtlError) {
        self.finalPath = finalPath
        tempPath = Self.tempPath(for: finalPath)
        fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw APICtlError(.httpError, "cannot write \(finalPath): \(String(cString: strerror(errno)))")
        }
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        if let error = FileBytes.writeAll(fd, chunk) {
            throw APICtlError(.httpError, "cannot write \(finalPath): \(String(cString: strerror(error)))")
        }
    }

    func commit() throws(APICtlError) {
        close(fd)
        guard rename(tempPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tempPath)
            throw APICtlError(.httpError, "cannot write \(finalPath): \(reason)")
        }
    }

    func discard() {
        close(fd)
        unlink(tempPath)
    }
}
