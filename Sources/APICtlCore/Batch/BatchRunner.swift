import Glibc
import FoundationEssentials

/// Runs a batch: a reader thread turns input lines into requests, `concurrency` workers
/// send them (each with its own client on the shared connections, credential and rate-limit
/// budget), and the caller's thread hands results back in input order as each is ready. Input
/// is read only as far ahead as `window` results can wait, so memory stays flat however long
/// it is. Nothing here prints: `emit` is the caller's.
public final class BatchRunner: @unchecked Sendable {
    public struct Settings: Sendable {
        public var concurrency: Int
        public var failFast: Bool
        public var profile: ResolvedProfile?
        /// `--timeout`: the most one attempt of a request may take.
        public var requestTimeout: Double?

        public init(concurrency: Int, failFast: Bool, profile: ResolvedProfile?, requestTimeout: Double? = nil) {
            self.requestTimeout = requestTimeout
            self.concurrency = concurrency
            self.failFast = failFast
            self.profile = profile
        }

        /// The profile's `idempotency_header`: with a journal, each POST/PATCH's key is recorded before it is sent.
        var idempotencyHeader: String? { profile?.idempotencyHeader }

        /// Lines read ahead of the last one written: a slow line holds back the output of the
        /// lines after it, and the sending of those past this many.
        var window: Int { max(256, concurrency * 8) }
    }

    private let settings: Settings
    private let input: LineReader
    private let journal: BatchJournal?
    private let credential: SharedCredential
    private let monitor = Monitor()
    // Guarded by `monitor`:
    private var queue: [BatchJob] = []
    private var queueStart = 0
    private var results: [Int: BatchResult] = [:]
    private var read = 0
    private var written = 0
    private var inputDone = false
    private var workersLeft = 0
    public private(set) var stop: BatchStop?
    /// `--fail-fast`: the first line in input order known to have failed. Lines before it are
    /// still sent; none after it starts.
    private var failedAt: (sequence: Int, line: Int)?
    /// Lines read but never sent because the batch stopped.
    public private(set) var notRun = 0
    /// Lines an earlier run sent as a POST or PATCH without an idempotency key and never heard back
    /// about, sent again: the server may have acted on them twice.
    public private(set) var resentUnkeyed: [Int] = []
    /// Which occurrence of each line's text this is, for the journal (only kept with one).
    private var occurrences: [UInt64: Int] = [:]

    public init(settings: Settings, input: LineReader, journal: BatchJournal?, credential: SharedCredential) {
        self.settings = settings
        self.input = input
        self.journal = journal
        self.credential = credential
    }

    /// Sends every line; `makeClient` gives each worker its client, `emit` gets each result in
    /// input order (false: the output failed, stop). Returns why it stopped early, if it did.
    public func run(makeClient: @escaping @Sendable () throws(APICtlError) -> APIClient,
                    emit: (BatchResult) -> Bool) throws(APICtlError) -> BatchStop? {
        var clients: [APIClient] = []
        for _ in 0..<settings.concurrency { clients.append(try makeClient()) }
        workersLeft = clients.count
        let workers = clients.compactMap { client in
            let box = ClientBox(client)
            return WorkerThread.start { [self] in work(box.client) }
        }
        guard workers.count == clients.count, let reader = WorkerThread.start({ [self] in readInput() }) else {
            monitor.locked { stop = .failure(APICtlError(.network, "could not start the batch's threads")); monitor.wake() }
            for worker in workers { worker.join() }
            throw APICtlError(.network, "could not start the batch's threads", hint: "lower --concurrency")
        }
        collect(emit)
        for worker in workers { worker.join() }
        // A reader waiting on a pipe that never ends is left to the process's exit.
        if monitor.locked({ inputDone }) { reader.join() }
        return monitor.locked { stop ?? failedAt.map { .failFast(line: $0.line) } }
    }

    private func halt(_ reason: BatchStop) {
        if stop == nil { stop = reason }
        monitor.wake()
    }

    /// Inside `monitor`: a line failed; with --fail-fast, nothing after the first failure starts.
    private func failed(_ sequence: Int, line: Int) {
        guard settings.failFast, failedAt.map({ sequence < $0.sequence }) ?? true else { return }
        failedAt = (sequence, line)
        monitor.wake()
    }

    /// Inside `monitor`: no more lines are to be read or started.
    private var ending: Bool { stop != nil || failedAt != nil }

    // MARK: the reader

    private func readInput() {
        var number = 0
        while let line = input.next() {
            number += 1
            guard let next = prepare(line, number: number) else { continue }
            let going: Bool = monitor.locked {
                while read - written >= settings.window && !ending { monitor.wait() }
                guard !ending else { return false }
                switch next {
                case .job(var job):
                    job.sequence = read
                    queue.append(job)
                case .done(let result):
                    results[read] = result
                    if !result.succeeded { failed(read, line: result.line) }
                }
                read += 1
                monitor.wake()
                return true
            }
            if !going { return }
        }
        monitor.locked {
            if let failure = input.failure {
                halt(.failure(APICtlError(.usage, "cannot read the input: \(String(cString: strerror(failure)))")))
            }
            inputDone = true
            monitor.wake()
        }
    }

    private enum Prepared {
        case job(BatchJob)
        case done(BatchResult)
    }

    /// A line as a request to send, or as its result already (invalid, or done in an earlier run); nil for a blank line.
    private func prepare(_ line: LineReader.Line, number: Int) -> Prepared? {
        guard let parsed = BatchItem.parse(line, number: number) else { return nil }
        var result = BatchResult(line: number)
        guard case .success(let item) = parsed, case .text(let bytes) = line else {
            if case .failure(let problem) = parsed {
                result.error = .usage(problem.message)
                result.id = problem.id
            }
            return .done(result)
        }
        let request: HTTPRequest
        do { request = try item.request(profile: settings.profile) } catch {
            result = BatchResult(line: number, item: item)
            result.error = error
            return .done(result)
        }
        // A line is its text, and where its {vars} lead: the same line for another project is another request.
        let hash = BatchJournal.hash(item.path.contains("{") ? bytes + [0] + Array(request.url.utf8) : bytes)
        var identity = BatchJournal.LineIdentity(hash: hash, occurrence: 1)
        if journal != nil {
            occurrences[hash, default: 0] += 1
            identity.occurrence = occurrences[hash, default: 1]
        }
        var job = BatchJob(sequence: 0, line: number, item: item, request: request, identity: identity)
        result = BatchResult(job)
        let recorded = journal?.entry(identity)
        if let status = recorded?.succeeded {
            result.status = status
            result.skipped = true
            return .done(result)
        }
        do {
            job.request.timeout = settings.requestTimeout
            try keyed(&job, recorded: recorded)
        } catch {
            result.error = error
            if error.exitCode == .outputFailed { monitor.locked { halt(.failure(error)) } }
            return .done(result)
        }
        return .job(job)
    }

    /// With a journal, a POST or PATCH gets its idempotency key here, on record before it is sent
    /// (the key an earlier run sent it with, unless an answer refused that one); one sent without
    /// a key is on record too, so the next run can say it may be sent twice.
    private func keyed(_ job: inout BatchJob, recorded: BatchJournal.Entry?) throws(APICtlError) {
        guard let journal, APIClient.keyedMethods.contains(job.item.method) else { return }
        // Sent before without a key (or with one, and the profile names no header now) and never
        // answered: nothing can tell the server this is the same request.
        let unanswered = recorded?.sentUnkeyed == true || (settings.idempotencyHeader == nil && recorded?.key != nil)
        if unanswered { monitor.locked { resentUnkeyed.append(job.line) } }
        guard let header = settings.idempotencyHeader else {
            job.unkeyed = true
            return
        }
        if job.request.headers.contains(header) { return }   // the line gives its own key
        let key = recorded?.key ?? UUID().uuidString.lowercased()
        if recorded?.key == nil { try journal.recordKey(key, number: job.line, line: job.identity) }
        job.request.headers.add(header, key)
    }

    // MARK: the workers

    private func work(_ client: APIClient) {
        while let job = nextJob() {
            let result = send(job, with: client)
            // On record as soon as it is answered: a kill while earlier lines hold its output back
            // must not send it again.
            if result.sent, let journal {
                do {
                    try journal.recordOutcome(number: result.line, line: result.identity, status: result.status, succeeded: result.succeeded)
                } catch {
                    monitor.locked { halt(.failure(error)) }
                }
            }
            monitor.locked {
                results[job.sequence] = result
                if !result.succeeded { failed(job.sequence, line: job.line) }
                monitor.wake()
            }
        }
        monitor.locked {
            workersLeft -= 1
            monitor.wake()
        }
    }

    /// The next line to send, in input order; nil when there is none (the input ended, the batch
    /// stopped, or --fail-fast saw a failure before every line left).
    private func nextJob() -> BatchJob? {
        monitor.locked {
            while queueStart == queue.count && !inputDone && !ending { monitor.wait() }
            while stop == nil, queueStart < queue.count {
                let job = queue[queueStart]
                queueStart += 1
                if queueStart > 1024 && queueStart * 2 > queue.count {
                    queue.removeFirst(queueStart)
                    queueStart = 0
                }
                if let failedAt, job.sequence > failedAt.sequence { continue }   // after the failure: not sent
                return job
            }
            return nil
        }
    }

    private func send(_ job: BatchJob, with client: APIClient) -> BatchResult {
        var result = BatchResult(job)
        if job.unkeyed, let journal {
            do { try journal.recordUnkeyedSend(number: job.line, line: job.identity) } catch {
                result.error = error
                monitor.locked { halt(.failure(error)) }
                return result
            }
        }
        if let current = credential.current, client.credential?.credential.token != current.credential.token { client.use(current) }
        let held = HeldBody(limit: Self.bodyLimit)
        do {
            let head = try client.send(job.request, to: held)
            result.status = head.status
            result.body = held.count > 0 ? held.bytes : nil
            result.contentType = head.headers["Content-Type"]
            // What a 401 says, and whether it stops the batch, goes by whether the profile's credential
            // went with the answered hop (not a line's own, not to another origin, not after a redirect in).
            var context = credential.failureContext(for: job.request)
            if !client.lastCarriedCredential { context.credential = nil }
            if !head.isSuccess && !(300..<400).contains(head.status) {
                result.error = HTTPFailure.error(for: HTTPResponse(head: head, body: result.body ?? []), context: context)
            }
            if head.status == 401 && client.lastCarriedCredential { monitor.locked { halt(.credentialRefused(line: job.line)) } }
        } catch {
            result.error = error
            if error.exitCode == .authentication { monitor.locked { halt(.credentialRefused(line: job.line)) } }
        }
        result.attempts = client.attempts
        result.sent = client.attempts > 0   // a line the budget held back past --max-wait never went
        return result
    }

    /// A body a result holds while earlier lines finish: larger ones are an error of their line.
    public static let bodyLimit = 16 << 20

    // MARK: the caller's thread

    private func collect(_ emit: (BatchResult) -> Bool) {
        while let result = nextResult() {
            guard emit(result) else {
                monitor.locked { halt(.failure(APICtlError(.outputFailed, "the output could not be written"))) }
                continue
            }
        }
    }

    /// The next result in input order; nil once every line read is accounted for.
    private func nextResult() -> BatchResult? {
        monitor.locked {
            while true {
                if let result = results.removeValue(forKey: written) {
                    written += 1
                    monitor.wake()
                    return result
                }
                if inputDone && written >= read { return nil }
                if ending && workersLeft == 0 {
                    guard written < read else { return nil }
                    notRun += 1   // read, never sent: the batch stopped first
                    written += 1
                    continue
                }
                monitor.wait()
            }
        }
    }
}

/// Hands a worker's client (not Sendable) to the one thread that uses it.
private final class ClientBox: @unchecked Sendable {
    let client: APIClient
    init(_ client: APIClient) { self.client = client }
}
