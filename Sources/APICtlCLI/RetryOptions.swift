import APICtlCore
import FoundationEssentials
import Glibc

/// The retry options every API-calling command shares, and what they mean for the policy.
struct RetryOptions: CommandOptions {
    let retries: Int?
    let noRetry: Bool
    let retryAll: Bool
    let maxWait: Double?

    init(_ declare: OptionBinding) {
        retries = declare.number("retry", help: "Retry up to N times on 429, and on 5xx or network failure for idempotent methods (default 3)",
                                 in: 0...100)
        noRetry = declare.flag("no-retry", nil, help: "Never retry")
        retryAll = declare.flag("retry-all", nil, help: "Also retry 5xx and network failures of POST and PATCH")
        maxWait = declare.seconds("max-wait", help: "Wait at most this long in all, for retries and rate limits (default 60)")
    }

    var policy: RetryPolicy {
        var policy = RetryPolicy()
        if let retries { policy.maxRetries = retries }
        if noRetry { policy.maxRetries = 0 }
        policy.retryAll = retryAll
        if let maxWait { policy.maxWait = maxWait }
        return policy
    }

    /// What the user sees on stderr before each wait.
    static func describe(_ notice: RetryNotice) -> String {
        let seconds = notice.seconds < 10 ? notice.seconds.oneDecimal : String(notice.seconds.rounded(.up).saturatingInt)
        let retry = notice.of > 0 ? ", then retry \(notice.attempt) of \(notice.of)" : ", then the next page"
        return "apictl: \(notice.reason); waiting \(seconds)s (\(notice.basis))\(retry)\n"
    }
}

/// The partial download's path as a C string, so the signal handler can use it without allocating.
nonisolated(unsafe) private var partialDownloadPath: UnsafeMutablePointer<CChar>?
nonisolated(unsafe) private var armedSignals: [Int32] = []
/// A progress bar may be mid-line on stderr: the handler ends the line before exiting.
nonisolated(unsafe) private var stderrIsTerminal = false

/// Removes a partial download on any signal that would end apictl (Ctrl-C, a closed
/// terminal, kill, Ctrl-\\, a broken pipe, an alarm), then exits 128 + the signal (130
/// for Ctrl-C), so no half file is ever left under any name. The handler only calls
/// unlink and _exit, which are async-signal-safe. SIGKILL cannot be caught: the next
/// download of the same file replaces what it left.
enum InterruptCleanup {
    static let terminatingSignals = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ]

    static func arm(removing path: String) {
        free(partialDownloadPath)
        partialDownloadPath = strdup(path)
        stderrIsTerminal = isatty(STDERR_FILENO) == 1
        for signalNumber in terminatingSignals {
            let previous = signal(signalNumber) { received in
                if let path = partialDownloadPath { unlink(path) }
                if stderrIsTerminal { _ = write(STDERR_FILENO, "\n", 1) }
                _exit(128 + received)
            }
            // A signal the caller ignores (nohup, a shell's background job) stays ignored.
            if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                signal(signalNumber, SIG_IGN)
            } else {
                armedSignals.append(signalNumber)
            }
        }
    }

    static func cancel() {
        guard partialDownloadPath != nil else { return }
        for signalNumber in armedSignals { signal(signalNumber, SIG_DFL) }
        armedSignals = []
        free(partialDownloadPath)
        partialDownloadPath = nil
    }
}
