import FoundationEssentials
import Glibc

/// `batch --journal FILE`: an append-only record of each request's idempotency key, written
/// and synced before the request is sent, and of its outcome after. A run given the same
/// input and journal skips the lines that succeeded and sends the rest again with the keys
/// they were first sent with: a `kill -9` at any moment loses no line and, at a server that
/// honours the key, makes no request twice. A line is known by its text (a hash of it, and
/// which occurrence of that text it is), not its number: lines added, removed or moved
/// between runs keep their records, and an edited line is a new request with a new key.
public final class BatchJournal: @unchecked Sendable {
    /// Which line: the hash of its text and which occurrence of that text in the input (1, 2, ...).
    public struct LineIdentity: Hashable, Sendable {
        public var hash: UInt64
        public var occurrence: Int
        public init(hash: UInt64, occurrence: Int) {
            self.hash = hash
            self.occurrence = occurrence
        }
    }

    public struct Entry: Sendable {
        /// The key to send the line with again; none once a 4xx refused it (a server that keeps
        /// answers by key would give the same refusal again). A 408, 409, 425 or 429 refuses
        /// nothing: it says "not now" (409: the key's first request is still being handled), and
        /// a new key then would let the server act twice.
        public var key: String?
        /// The status of the request's success, once it succeeded.
        public var succeeded: Int?
        /// A POST or PATCH without a key was sent, and no answer is on record.
        public var sentUnkeyed = false
    }

    public let path: String
    private let fd: Int32
    private var entries: [LineIdentity: Entry] = [:]
    private let monitor = Monitor()

    /// Opens (or creates) the journal of a batch sent to `baseURL` as `sender` (the profile and
    /// account whose credential goes with it); a journal another batch holds, one written for
    /// another base URL or sender, and a file that is no journal (the user's notes, a device, a
    /// pipe) are refused, and left as they were. A line done as one account is not done as another.
    public init(path: String, baseURL: String, sender: String) throws(APICtlError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw APICtlError.usage("cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        do throws(APICtlError) {
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw APICtlError.usage("the journal \(path) is not a regular file", hint: "name a file for it")
            }
            // Its keys go into headers and its records decide what is sent: only the user may have written it.
            guard info.st_uid == geteuid() else {
                throw APICtlError.usage("the journal \(path) belongs to another user (uid \(info.st_uid))", hint: "give this batch its own --journal")
            }
            guard info.st_mode & 0o022 == 0 else {
                throw APICtlError.usage("the journal \(path) can be changed by other users", hint: "run 'chmod go-w \(path)', or give this batch its own --journal")
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                throw APICtlError.usage("the journal \(path) is in use by another apictl batch",
                                        hint: "wait for it to end, or give this batch its own --journal")
            }
            try load(baseURL: baseURL, sender: sender)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// What earlier runs recorded of a line.
    public func entry(_ line: LineIdentity) -> Entry? {
        monitor.locked { entries[line] }
    }

    /// Records the key a line is about to be sent with, on disk before it is sent.
    public func recordKey(_ key: String, number: Int, line: LineIdentity) throws(APICtlError) {
        try append(Self.record(number, line, "\"key\":\(JSONValue.quoted(key))"), sync: true)
        monitor.locked { entries[line, default: Entry()].key = key }
    }

    /// Records that a POST or PATCH without a key is about to be sent, on disk before it is.
    public func recordUnkeyedSend(number: Int, line: LineIdentity) throws(APICtlError) {
        try append(Self.record(number, line, "\"sent\":true"), sync: true)
    }

    /// Records how a sent line ended: a success is skipped by the next run.
    public func recordOutcome(number: Int, line: LineIdentity, status: Int?, succeeded: Bool) throws(APICtlError) {
        try append(Self.record(number, line, "\"status\":\(status.map(String.init) ?? "null"),\"ok\":\(succeeded)"), sync: false)
    }

    private static func record(_ number: Int, _ line: LineIdentity, _ fields: String) -> String {
        "{\"line\":\(number),\"hash\":\"\(hex(line.hash))\",\"n\":\(line.occurrence),\(fields)}\n"
    }

    /// A hash of a line's text (FNV-1a, 64 bits): enough to tell an edited line from the one recorded.
    public static func hash(_ line: [UInt8]) -> UInt64 { FNV1a.hash(line) }

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

    private func load(baseURL: String, sender: String) throws(APICtlError) {
        let reader = LineReader(fd: fd)
        lseek(fd, 0, SEEK_SET)
        guard case .text(let first)? = reader.next() else {
            // "origin" names the base URL: the key is kept as the first journals wrote it.
            try append("{\"apictl_batch_journal\":1,\"origin\":\(JSONValue.quoted(baseURL)),\"sender\":\(JSONValue.quoted(sender))}\n",
                       sync: true)
            return
        }
        guard let header = JSONValue(parsing: first)?.objectValue, header["apictl_batch_journal"] != nil else {
            throw APICtlError.usage("\(path) is not an apictl batch journal; it was left as it is",
                                    hint: "name a new file, or one an earlier batch wrote")
        }
        guard let written = header["origin"]?.stringValue else {
            throw APICtlError.usage("the journal \(path) names no base URL; it was left as it is", hint: "give this batch its own --journal")
        }
        guard written == baseURL else {
            throw APICtlError.usage("the journal \(path) was written for \(written), not \(baseURL)",
                                    hint: "give this batch its own --journal")
        }
        // Journals from before "sender" was recorded name none, and are taken as they are.
        if let writer = header["sender"]?.stringValue, writer != sender {
            throw APICtlError.usage("the journal \(path) was written for \(TerminalText.escapingControls(writer)), not \(sender)",
                                    hint: "give this batch its own --journal")
        }
        while let line = reader.next() {
            // A record cut short by a kill does not parse: what it said was never relied on.
            guard case .text(let bytes) = line, let record = JSONValue(parsing: bytes)?.objectValue else { continue }
            try read(record)
        }
        if lastByte() != 0x0A {
            try append("\n", sync: false)   // the next record starts a line of its own
        }
    }

    private func lastByte() -> UInt8? {
        var info = stat()
        var byte: UInt8 = 0
        guard fstat(fd, &info) == 0, info.st_size > 0, pread(fd, &byte, 1, info.st_size - 1) == 1 else { return nil }
        return byte
    }

    /// Answers that refuse nothing for good: the request may still be (or come to be) acted on.
    static let notYet: Set<Int> = [408, 409, 425, 429]

    private func read(_ record: [String: JSONValue]) throws(APICtlError) {
        guard let hashText = record["hash"]?.stringValue, let hash = UInt64(hashText, radix: 16),
              let occurrence = record["n"]?.text.flatMap(Int.init) else { return }
        let line = LineIdentity(hash: hash, occurrence: occurrence)
        var entry = entries[line] ?? Entry()
        if let key = record["key"]?.stringValue {
            // apictl writes UUIDs; anything else was put there by hand, and goes into a header.
            guard key.utf8.count <= 255, key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw APICtlError.usage("the journal \(path) holds a key that is not one apictl wrote (line \(record["line"]?.text ?? "?")); it was left as it is",
                                        hint: "give this batch a new --journal")
            }
            entry.key = key
        }
        if record["sent"] == .bool(true) { entry.sentUnkeyed = true }
        if let ok = record["ok"] {
            let status = record["status"]?.text.flatMap(Int.init)
            if ok == .bool(true) { entry.succeeded = status ?? 200 }
            if let status {
                entry.sentUnkeyed = false   // answered: whatever it did, the server said so
                // A 4xx says the request was refused as it stood; a 5xx does not say the server did nothing.
                if ok != .bool(true), (400..<500).contains(status), !Self.notYet.contains(status) { entry.key = nil }
            }
        }
        entries[line] = entry
    }
}
