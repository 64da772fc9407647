import APICtlCore
import FoundationEssentials
import Glibc

/// `apictl batch [FILE|-]`: many requests, one per input line as JSON, sent concurrently in
/// one process with one credential session and one rate-limit budget per origin; one JSON
/// line out per request, in input order.
enum BatchCommand {
    static let spec = CommandSpec(
        name: "batch",
        summary: "Send many requests, one JSON line each, concurrently",
        discussion: """
        Each input line is a request: {"method": "POST", "path": "/requests", "body": {...},
        "query": {"k": "v"}, "headers": {"X-Note": "v"}, "id": "any label"}; method and path
        are required, path as in 'request'. Blank lines are skipped; a line that is not valid
        is reported and the batch goes on. Each request prints one JSON line on stdout, in
        input order: {"line", "id", "method", "path", "status", "attempts", "body"}, with
        "error" and "exit" where it failed. Exit 0 when every line succeeded, 4 when the API
        refused the credential (the batch stops), else 1 with a summary on stderr.
        """,
        options: Options.self,
        examples: [
            "apictl batch requests.jsonl -p dzdesk",
            "jq -c '{method: \"DELETE\", path: \"/requests/\\(.id)\"}' ids.json | apictl batch --concurrency 8",
            "apictl batch tags.jsonl --journal tags.journal --rate 20/s",
            "apictl batch export.jsonl --jq '.data.title'",
        ],
        run: run
    )

    struct Options: CommandOptions {
        let concurrency: Int?
        let rate: Double?
        let journal: String?
        let jq: String?
        let failFast: Bool
        let dryRun: Bool
        let yes: Bool
        let timeout: Double?
        let stallTimeout: Double?
        let retry: RetryOptions
        let file: String?

        init(_ declare: OptionBinding) {
            concurrency = declare.number("concurrency", help: "Requests in flight at once (default \(BatchCommand.defaultConcurrency), "
                                         + "at most \(BatchCommand.maxConcurrency))",
                                         in: 1...BatchCommand.maxConcurrency)
            rate = declare.rate("rate", help: "Start at most this many requests per second (10/s, 600/m), on top of the server's limits")
            journal = declare.value("journal", nil, "FILE", help: "Record keys and outcomes in FILE; a re-run with it skips what succeeded",
                                    completion: .files)
            jq = declare.value("jq", "q", "FILTER", help: "Filter each JSON body with jq's language; the result is the line's \"body\"")
            failFast = declare.flag("fail-fast", nil, help: "Stop at the first line that fails")
            dryRun = declare.flag("dry-run", nil, help: "Print each request as 'request --dry-run' does, and send nothing")
            yes = declare.flag("yes", "y", help: "Do not ask before a batch to an environment with confirm = true")
            timeout = declare.seconds("timeout", help: "Give up an attempt of a request that takes longer than SECONDS (default: none)",
                                      positive: true)
            stallTimeout = declare.seconds("stall-timeout", help: "Give up a request when no byte arrives for SECONDS "
                                           + "(default \(Int(HTTPRequest.defaultStallTimeout)))", positive: true)
            retry = RetryOptions(declare)
            file = declare.optionalArgument("FILE", help: "The requests, one JSON object per line (default: stdin, or -)", completion: .files)
        }
    }

    static let defaultConcurrency = 4
    static let maxConcurrency = 64

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let filter = try options.jq.map { (program: String) throws(APICtlError) in
            try JQFilter(program, environment: context.childEnvironment.variables)
        }
        let input = try openInput(options.file, context)
        defer { if input.fd != (context.standardInput ?? STDIN_FILENO) { close(input.fd) } }
        if options.dryRun {
            // A preview of a resumed run would show lines it will skip, and keys it will not use.
            if options.journal != nil { throw APICtlError.usage("--dry-run shows every line as it would go without a journal; drop --journal") }
            return try BatchPreview.run(LineReader(fd: input.fd), context)
        }
        let settings = clientSettings(options, context)
        let session = try context.openSession(settings: settings)
        try confirmIfAsked(session.profile, input: input, yes: options.yes, context)
        let journal = try options.journal.map { (path: String) throws(APICtlError) in
            try BatchJournal(path: path, baseURL: session.profile?.baseURL ?? "none",
                             sender: session.profile.map { "profile \($0.name), account \($0.account)" } ?? "no profile")
        }
        let concurrency = options.concurrency ?? defaultConcurrency
        let (makeTransport, stopTransports) = try workerTransports(concurrency, context)
        defer { stopTransports() }
        let stderr = context.stderr
        let budget = RateLimitBudget(ratePerSecond: options.rate, maxWait: settings.retryPolicy.maxWait, now: context.now) { pause in
            let wait = "\(pause.origin) asks every request to wait \(pause.seconds.rounded(.up).saturatingInt)s (\(pause.basis))"
            stderr.write((stderr.isTerminal ? "\r\u{1B}[K" : "") + "apictl: " + wait
                         + (pause.beyondMaxWait ? "; more than --max-wait, so the requests it holds fail (exit 6)\n" : "\n"))
        }
        let credential = SharedCredential(session)
        let runner = BatchRunner(settings: .init(concurrency: concurrency, failFast: options.failFast, profile: session.profile,
                                                 requestTimeout: options.timeout),
                                 input: LineReader(fd: input.fd), journal: journal, credential: credential)
        let report = BatchReport(stdout: context.stdout, stderr: context.stderr, filter: filter, total: input.lines, now: context.now)
        let stop = try runner.run(makeClient: { () throws(APICtlError) -> APIClient in
            let transport: Transport
            do throws(TransportError) { transport = try makeTransport() } catch { throw .clientStart(error) }
            let client = APIClient(transport: BudgetedTransport(transport, budget: budget), profile: credential.profile,
                                   credential: credential.current, settings: settings)
            client.reauthorize = { rejected throws(APICtlError) in try credential.renew(rejected) }
            return client
        }, emit: report.write)
        if !runner.resentUnkeyed.isEmpty {
            let lines = runner.resentUnkeyed.prefix(10).map(String.init).joined(separator: ", ") + (runner.resentUnkeyed.count > 10 ? ", ..." : "")
            context.warn("\(runner.resentUnkeyed.count) POST/PATCH line(s) (\(lines)) were sent by an earlier run that ended before their answer, "
                         + "and were sent again without an idempotency key: the server may have acted on them twice "
                         + "(name the API's header with 'apictl profile set \(session.profile?.name ?? "NAME") --idempotency-header HEADER')")
        }
        return report.finish(stop: stop, notRun: runner.notRun)
    }

    /// Where the workers send: one libcurl multi handle they all share (connections reused, HTTP/2
    /// streams multiplexed), or the context's own transports (unit tests).
    static func workerTransports(_ concurrency: Int, _ context: CommandContext)
        throws(APICtlError) -> (make: @Sendable () throws(TransportError) -> Transport, stop: () -> Void) {
        if let make = context.makeWorkerTransport { return (make, {}) }
        let multiplexer: CurlMultiplexer
        do { multiplexer = try CurlMultiplexer(connectionsPerHost: concurrency) } catch { throw .clientStart(error) }
        return ({ () throws(TransportError) -> Transport in try MultiplexedTransport(multiplexer) }, multiplexer.stop)
    }

    /// `request`'s client settings, for many threads: `-v`'s lines are written one at a time, and
    /// retry notices only with -v (each line's attempts are in its output line).
    static func clientSettings(_ options: Options, _ context: CommandContext) -> ClientSettings {
        var settings = context.clientSettings(retryPolicy: options.retry.policy,
                                              stallTimeout: options.stallTimeout ?? HTTPRequest.defaultStallTimeout)
        settings.budgetHoldsRateLimits = true
        let lock = Monitor()
        if let observer = settings.observer { settings.observer = { event in lock.locked { observer(event) } } }
        if let onRetry = settings.onRetry, context.globals.verbose {
            settings.onRetry = { notice in lock.locked { onRetry(notice) } }
        } else {
            settings.onRetry = nil
        }
        return settings
    }

    /// The input: a file (its lines counted, for the progress line's total), or stdin.
    static func openInput(_ file: String?, _ context: CommandContext) throws(APICtlError) -> (fd: Int32, lines: Int?) {
        guard let file, file != "-" else { return (context.standardInput ?? STDIN_FILENO, nil) }
        if FileBytes.isDirectory(file) == true { throw APICtlError.usage("'\(file)' is a folder, not a file of requests") }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputSource.unreadable(file) }
        var info = stat()
        guard context.stderr.isTerminal, fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return (fd, nil) }
        let counter = LineReader(fd: fd)
        var lines = 0
        while let line = counter.next() {
            if case .text(let bytes) = line, BatchItem.isBlank(bytes) { continue }
            lines += 1
        }
        lseek(fd, 0, SEEK_SET)
        return (fd, lines)
    }

    /// `confirm = true` on the environment: a batch may change anything, so it is asked about
    /// once on a terminal (when stdin is not the input), and needs --yes without one.
    static func confirmIfAsked(_ profile: ResolvedProfile?, input: (fd: Int32, lines: Int?), yes: Bool,
                               _ context: CommandContext) throws(APICtlError) {
        guard let profile, profile.confirmMutations, !yes else { return }
        let lines = input.lines.map { " of \($0) line\($0 == 1 ? "" : "s")" } ?? ""
        let question = "\(profile.environment ?? profile.name)\(profile.projectChoiceNote): send this batch\(lines), which may change data?"
        let readsStdin = input.fd == (context.standardInput ?? STDIN_FILENO)
        try TerminalInput.requireConfirmation(
            question, declined: "nothing was sent",
            withoutTerminal: .usage("a batch to \(profile.environment ?? profile.name) needs confirmation and there is no terminal to ask on",
                                    hint: "pass --yes"),
            stdinIsTerminal: context.stdinIsTerminal && !readsStdin)
    }
}
