/// How one line of a batch ended, handed back in input order.
public struct BatchResult: Sendable {
    public var line: Int
    public var id: [UInt8]?
    public var method: String?
    public var path: String?
    /// The final answer's status; nil when none came (an invalid line, a network failure).
    public var status: Int?
    public var attempts = 0
    /// The final answer's body as received; nil when it had none.
    public var body: [UInt8]?
    public var contentType: String?
    public var error: APICtlError?
    /// Succeeded in an earlier run of the same journal: not sent again.
    public var skipped = false
    /// The request went out (the journal records how it ended).
    var sent = false
    var identity = BatchJournal.LineIdentity(hash: 0, occurrence: 0)

    public init(line: Int) { self.line = line }

    init(_ job: BatchJob) {
        self.init(line: job.line, item: job.item)
        identity = job.identity
    }

    /// A line's result before it has a request (one that could not be built, say).
    init(line: Int, item: BatchItem) {
        self.line = line
        id = item.id
        method = item.method
        path = item.path
    }

    public var succeeded: Bool { error == nil }
}

/// Why a batch ended before its input did.
public enum BatchStop: Sendable, Equatable {
    /// `--fail-fast`, at the first line that failed.
    case failFast(line: Int)
    /// The API refused the credential, renewed or not: every other line would fail the same way.
    case credentialRefused(line: Int)
    /// The input or the journal could not be read or written; the output could not be written.
    case failure(APICtlError)
}

/// A line ready to send: its request built, its idempotency key (if any) on record.
struct BatchJob: Sendable {
    var sequence: Int
    var line: Int
    var item: BatchItem
    var request: HTTPRequest
    var identity: BatchJournal.LineIdentity
    /// A POST or PATCH going without an idempotency key, recorded in the journal as it is sent.
    var unkeyed = false
}
