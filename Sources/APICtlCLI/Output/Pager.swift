import APICtlCore
import Glibc

/// Long output on a terminal goes through a pager, as gh does: `$APICTL_PAGER`, else
/// `$PAGER`, else `less -FRX` (which prints a screenful or less and exits at once).
/// stdout is handed to it for the rest of the command; stderr stays on the terminal.
/// Nothing meant for the user is lost to it silently: a pager that cannot start, or
/// that ends before reading a byte, leaves the output to the terminal with a notice,
/// and one that fails or is killed later ends the run with exit 10 naming it.
final class Pager {
    private let pid: pid_t
    private let command: String
    private let savedStdout: Int32
    private let stdout: OutputStream
    private let warn: (String) -> Void
    /// Set once the pager's end has been waited for.
    private var ended = false

    /// The pager's command line; nil when paging is off (`--no-pager`, an empty value or `cat`).
    static func command(environment: [String: String]) -> String? {
        let chosen = environment["APICTL_PAGER"] ?? environment["PAGER"] ?? "less -FRX"
        let trimmed = chosen.trimmingWhitespace()
        return trimmed.isEmpty || trimmed == "cat" ? nil : trimmed
    }

    /// Starts the pager on stdout when stdout is a terminal; nil (output goes straight to the
    /// terminal) when it is not, when paging is off, or when the pager cannot be started,
    /// which `warn` is told.
    static func start(stdout: OutputStream, environment: ChildEnvironment, warn: @escaping (String) -> Void) -> Pager? {
        guard stdout.isTerminal, let command = command(environment: environment.variables),
              let program = command.split(separator: " ").first.map(String.init) else { return nil }
        if let problem = problem(running: program, environment: environment) {
            warn("the pager '\(TerminalText.escapingControls(program))' \(problem); printing straight to the terminal "
                 + "(set APICTL_PAGER, or APICTL_PAGER=cat for none)")
            return nil
        }
        var ends: [Int32] = [0, 0]
        // Close-on-exec: the pager must hold no write end of its own input, or it never sees the end.
        guard pipe(&ends) == 0 else { return nil }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var pagerEnvironment = environment
        if program.hasSuffix("less"), environment["LESS"] == nil { pagerEnvironment.set("LESS", "FRX") }
        let spawned = ChildProcess.spawn(["/bin/sh", "-c", "exec " + command], environment: pagerEnvironment, stdin: ends[0],
                                         stdout: .inherit, stderr: .inherit, ownProcessGroup: false)
        close(ends[0])
        guard case .success(let pid) = spawned else {
            close(ends[1])
            if case .failure(.cannotStart(let reason)) = spawned {
                warn("the pager '\(TerminalText.escapingControls(command))' could not be started (\(reason)); printing straight to the terminal")
            }
            return nil
        }
        let saved = dup(STDOUT_FILENO)
        dup2(ends[1], STDOUT_FILENO)
        close(ends[1])
        signal(SIGPIPE, SIG_IGN)   // a pager quit early shows as EPIPE, which the stream takes calmly
        let pager = Pager(pid: pid, command: command, savedStdout: saved, stdout: stdout, warn: warn)
        stdout.pipeCapacity = max(0, Int(fcntl(STDOUT_FILENO, Self.getPipeSize)))
        JQFilter.beforeExit(restoring: saved, waitingFor: pid)
        stdout.paged = true
        stdout.pagerGoneBeforeReading = { [unowned pager] in pager.fallBackIfEnded() }
        return pager
    }

    private init(pid: pid_t, command: String, savedStdout: Int32, stdout: OutputStream, warn: @escaping (String) -> Void) {
        self.pid = pid
        self.command = command
        self.savedStdout = savedStdout
        self.stdout = stdout
        self.warn = warn
    }

    /// Linux's F_GETPIPE_SZ: how much a pipe holds before a write waits for its reader.
    private static let getPipeSize: Int32 = 1032

    /// Ends the pager's input and waits until the user is done with it. A pager that ended
    /// without reading any of what it was handed has it shown on the terminal instead; one
    /// that failed or was killed marks stdout's output as lost.
    func finish() {
        guard !ended else { return }
        var status: Int32 = 0
        let unread = endedWithoutReading(status: &status)
        let shown = stdout.unconfirmed
        let dropped = stdout.droppedBytes
        restoreTerminal()
        if !unread { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        ended = true
        stdout.forgetPaged()
        if unread && dropped > 0 {
            // More than the pipe held: what it held is shown, the rest went nowhere, and that is said.
            stdout.write(shown)
            stdout.markLost(APICtlError(.outputFailed, "the pager '\(TerminalText.escapingControls(command))' ended before reading "
                                        + "anything; the first \(shown.count) bytes are shown above, the other \(dropped) were lost",
                                        hint: "--no-pager or APICTL_PAGER=cat prints straight to the terminal"))
        } else if unread {
            reportUnread(status: status)
            stdout.write(shown)
        } else if let how = Self.failure(status) {
            stdout.markLost(APICtlError(.outputFailed, "the pager '\(TerminalText.escapingControls(command))' \(how)",
                                        hint: "the output may not have been shown; --no-pager or APICTL_PAGER=cat prints straight to the terminal"))
        }
    }

    /// The pager ended before reading anything: a notice, or exit 10 when it failed.
    private func reportUnread(status: Int32) {
        let shown = TerminalText.escapingControls(command)
        if let how = Self.failure(status) {
            stdout.markLost(APICtlError(.outputFailed, "the pager '\(shown)' \(how) before reading anything",
                                        hint: "the output went straight to the terminal instead; --no-pager or APICTL_PAGER=cat skips the pager"))
        } else {
            warn("the pager '\(shown)' ended before reading anything; printing straight to the terminal")
        }
    }

    /// True when the pager has ended (its status in `status`) with all it was handed still in
    /// the pipe. Asked only while the pipe held it all. Waits until the pager reads or ends:
    /// one that does neither would never see its input end either, so this costs no wait
    /// the user would not have had.
    private func endedWithoutReading(status: inout Int32) -> Bool {
        let handed = stdout.pagedBytes
        guard handed > 0, handed <= stdout.pipeCapacity, stdout.paged else { return false }
        while true {
            var unread: Int32 = 0
            guard ioctl(STDOUT_FILENO, UInt(FIONREAD), &unread) == 0, Int(unread) >= handed else { return false }
            if waitpid(pid, &status, WNOHANG) == pid { return true }
            usleep(5_000)
        }
    }

    /// The pager is gone before reading anything (a command that exits at once): the output
    /// goes to the terminal instead, with a notice, once it has ended.
    private func fallBackIfEnded() -> Bool {
        var status: Int32 = 0
        // It closed its input before reading anything: wait for it to end, as apictl waits for its
        // pager at exit anyway, then show what it never read. A pager that closes its input and
        // lingers must not make the output vanish.
        while waitpid(pid, &status, 0) != pid {
            guard errno == EINTR else { return false }
        }
        ended = true
        restoreTerminal()
        reportUnread(status: status)
        return true
    }

    private func restoreTerminal() {
        guard stdout.paged else { return }
        JQFilter.beforeExit(restoring: -1, waitingFor: 0)
        dup2(savedStdout, STDOUT_FILENO)
        close(savedStdout)
        stdout.paged = false
        stdout.pagerGoneBeforeReading = nil
    }

    /// How a pager ended, when that was a failure: a non-zero exit or a signal.
    private static func failure(_ status: Int32) -> String? {
        let signal = status & 0x7f
        if signal == 0 {
            let code = (status >> 8) & 0xff
            return code == 0 ? nil : "exited with status \(code)"
        }
        let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
        return "was killed by signal \(signal) (\(name))"
    }

    /// Why `program` (named with a slash, or looked up on PATH) cannot run; nil when it can.
    private static func problem(running program: String, environment: ChildEnvironment) -> String? {
        let candidates = program.contains("/") ? [program]
            : (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }
        if candidates.contains(where: { access($0, X_OK) == 0 }) { return nil }
        return candidates.contains(where: { access($0, F_OK) == 0 }) ? "is not executable" : "was not found"
    }
}
