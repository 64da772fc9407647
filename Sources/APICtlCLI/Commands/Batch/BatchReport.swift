import APICtlCore
import FoundationEssentials

/// What a batch shows: one JSON line per result on stdout, a progress line on stderr while
/// it runs (a terminal only), and one summary line on stderr at the end.
final class BatchReport {
    private let stdout: OutputStream
    private let stderr: OutputStream
    private let filter: JQFilter?
    private let total: Int?
    private let now: @Sendable () -> Date
    private let started: Date
    private var done = 0
    private var succeeded = 0
    private var skipped = 0
    private var retried = 0
    private var failures: [String: Int] = [:]
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(stdout: OutputStream, stderr: OutputStream, filter: JQFilter?, total: Int?, now: @escaping @Sendable () -> Date) {
        self.stdout = stdout
        self.stderr = stderr
        self.filter = filter
        self.total = total
        self.now = now
        started = now()
    }

    /// Writes one result's line; false once stdout cannot be written.
    func write(_ result: BatchResult) -> Bool {
        var result = result
        let body = BatchOutputLine.body(of: &result, filter: filter)
        var line = BatchOutputLine.render(result, body: body)
        if stdout.isTerminal { line = ResponsePrinter.shownOnTerminal(line) }
        // On one terminal, the progress line is cleared first, so the output line starts a line of its own.
        if drawn && stdout.isTerminal { stderr.write("\r\u{1B}[K") }
        stdout.write(line + [0x0A])
        count(result)
        drawProgress()
        return stdout.failure == nil
    }

    private func count(_ result: BatchResult) {
        done += 1
        if result.skipped { skipped += 1 }
        if result.attempts > 1 { retried += 1 }
        if let error = result.error {
            failures[BatchOutputLine.kind(of: result, error: error), default: 0] += 1
        } else {
            succeeded += 1
        }
    }

    private func drawProgress() {
        guard stderr.isTerminal else { return }
        let time = now()
        guard time.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = time
        let elapsed = max(time.timeIntervalSince(started), 0.001)
        let rate = Double(done - skipped) / elapsed
        var line = "batch: \(done)" + (total.map { "/\($0)" } ?? "") + " done, \(rate.oneDecimal)/s"
        let failed = done - succeeded
        if failed > 0 { line += ", \(failed) failed" }
        if let total, rate > 0, total > done { line += ", ~\((Double(total - done) / rate).rounded(.up).saturatingInt)s left" }
        stderr.write("\r\u{1B}[K" + line)
        drawn = true
    }

    /// The summary line, and the exit code: 0 when every line succeeded, 4 when the credential
    /// was refused, the failure's own code when the batch could not go on, else 1.
    func finish(stop: BatchStop?, notRun: Int) -> Int32 {
        if drawn { stderr.write("\r\u{1B}[K") }
        let failed = done - succeeded
        var summary = "\(succeeded) ok"
        if skipped > 0 { summary += " (\(skipped) done in an earlier run)" }
        if failed > 0 {
            let kinds = failures.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            summary += ", \(failed) failed (" + kinds.map { "\($0.value) × \($0.key)" }.joined(separator: ", ") + ")"
        }
        if retried > 0 { summary += ", \(retried) retried" }
        if notRun > 0 { summary += ", \(notRun) read but not sent" }
        switch stop {
        case .credentialRefused(let line)?:
            stderr.write("batch: stopped at line \(line): the API refused the credential, after renewing it where it could; \(summary)\n")
            return ExitCode.authentication.rawValue
        case .failFast(let line)?:
            stderr.write("batch: stopped at line \(line) (--fail-fast): \(summary)\n")
            return ExitCode.httpError.rawValue
        case .failure(let error)?:
            stderr.write("batch: \(summary)\n")
            // stdout's own line says why it could not be written (disk full, a closed pipe).
            stderr.write((error.exitCode == .outputFailed ? stdout.lost ?? error : error).line + "\n")
            return error.exitCode.rawValue
        case nil:
            stderr.write("batch: \(summary)\n")
            return failed > 0 ? ExitCode.httpError.rawValue : 0
        }
    }
}
