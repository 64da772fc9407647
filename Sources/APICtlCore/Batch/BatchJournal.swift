import FoundationEssentials
import Glibc

/// `batch --journal FILE`: an append-only record of each request's idempotency key, written
/// and synced before the request is sent, and of its outcome after. A run given the same
/// input and journal skips the lines that succeeded and sends the rest again with the keys
/// they were first sent with: a `kill -9` at any moment loses no line and, at a server that
/// honours the key, makes no request twice. Lines are known by number and by a hash of their
/// text, so a line edited between runs is a new request with a new key.
public final class BatchJournal: @unchecked Sendable {
    public struct Entry: Sendable {
        public var hash: UInt64
        public var key: String?
        /// The status of the request's success, once it succeeded.
        public var succeeded: Int?
    }

    public let path: String
    private let fd: Int32
    private var entries: [Int: Entry] = [:]
    private let monitor = Monitor()

    /// Opens (or creates) the journal of a batch sent to `origin`; a journal another batch
    /// holds, or one written for another origin, is refused.
    public init(path: String, origin: String) throws(APICtlError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw APICtlError.usage("cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        do throws(APICtlError) {
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                throw APICtlError.usage("the journal \(path) is in use by another apictl batch",
                                        hint: "wait for it to end, or give this batch its own --journal")
            }
            try load(origin: origin)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// What an earlier run recorded of line `line`, when the line still reads the same.
    public func entry(line: Int, hash: UInt64) -> Entry? {
        monitor.locked { entries[line].flatMap { $0.hash == hash ? $0 : nil } }
    }

    /// Records the key a line is about to be sent with, on disk before it is sent.
    public func recordKey(_ key: String, line: Int, hash: UInt64) throws(APICtlError) {
        try append("{\"line\":\(line),\"hash\":\"\(Self.hex(hash))\",\"key\":\(JSONValue.quoted(key))}\n", sync: true)
        monitor.locked { entries[line] = Entry(hash: hash, key: key) }
    }

    /// Records how a sent line ended: a success is skipped by the next run.
    public func recordOutcome(line: Int, hash: UInt64, status: Int?, succeeded: Bool) throws(APICtlError) {
        let status = status.map(String.init) ?? "null"
        try append("{\"line\":\(line),\"hash\":\"\(Self.hex(hash))\",\"status\":\(status),\"ok\":\(succeeded)}\n", sync: false)
    }

    /// A hash of a line's text (FNV-1a, 64 bits): enough to tell an edited line from the one recorded.
    public static func hash(_ line: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in line { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private static func hex(_ hash: UInt64) -> String { String(hash, radix: 16).leftPadded(to: 16) }

    private func append(_ record: String, sync: Bool) throws(APICtlError) {
        let failure: Int32? = monitor.locked {
            let error = Array(record.utf8).withUnsafeBytes { FileBytes.writeAll(fd, $0) }
            if error == nil, sync, fdatasync(fd) != 0 { return errno }
            return error
        }
        if let failure {
            throw APICtlError(.outputFailed, "cannot write the journal \(path): \(String(cString: strerror(failure)))",
                              hint: "nothing more is sent until it can be written")
        }
    }

    private func load(origin: String) throws(APICtlError) {
        let reader = LineReader(fd: fd)
        lseek(fd, 0, SEEK_SET)
        var first = true
        while let line = reader.next() {
            // A record cut short by a kill does not parse: what it said was never relied on.
            guard case .text(let bytes) = line, let record = JSONValue(parsing: bytes)?.objectValue else { continue }
            if first {
                first = false
                guard record["apictl_batch_journal"] != nil else {
                    throw APICtlError.usage("\(path) is not an apictl batch journal", hint: "name a new file, or one an earlier batch wrote")
                }
                if let written = record["origin"]?.stringValue, written != origin {
                    throw APICtlError.usage("the journal \(path) was written for \(written), not \(origin)",
                                            hint: "give this batch its own --journal")
                }
                continue
            }
            read(record)
        }
        if first {
            try append("{\"apictl_batch_journal\":1,\"origin\":\(JSONValue.quoted(origin))}\n", sync: true)
        } else if lastByte() != 0x0A {
            try append("\n", sync: false)   // the next record starts a line of its own
        }
    }

    private func lastByte() -> UInt8? {
        var info = stat()
        var byte: UInt8 = 0
        guard fstat(fd, &info) == 0, info.st_size > 0, pread(fd, &byte, 1, info.st_size - 1) == 1 else { return nil }
        return byte
    }

    private func read(_ record: [String: JSONValue]) {
        guard let line = record["line"]?.text.flatMap(Int.init), let hashText = record["hash"]?.stringValue,
              let hash = UInt64(hashText, radix: 16) else { return }
        var entry = entries[line].flatMap { $0.hash == hash ? $0 : nil } ?? Entry(hash: hash)
        if let key = record["key"]?.stringValue { entry.key = key }
        if record["ok"] == .bool(true) { entry.succeeded = record["status"]?.text.flatMap(Int.init) ?? 200 }
        entries[line] = entry
    }
}
