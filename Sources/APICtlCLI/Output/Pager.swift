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
        guard isExecutable(program, environment: environment) else {
            warn("the pager '\(TerminalText.escapingControls(program))' was not found; printing straight to the terminal "
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

    /// Ends the pager's input and waits until the user is done with it; a pager that
    /// failed or was killed marks stdout's output as lost.
    func finish() {
        guard !ended else { return }
        restoreTerminal()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ended = true
        if let how = Self.failure(status) {
            stdout.markLost(APICtlError(.outputFailed, "the pager '\(TerminalText.escapingControls(command))' \(how)",
                                        hint: "the output may not have been shown; --no-pager or APICTL_PAGER=cat prints straight to the terminal"))
        }
    }

    /// The pager is gone before reading anything (a command that exits at once): the output
    /// goes to the terminal instead, with a notice. False while the pager still runs.
    private func fallBackIfEnded() -> Bool {
        var status: Int32 = 0
        // Its input is closed; give a pager that is exiting a moment to be reaped.
        var tries = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            tries += 1
            guard tries < 20 else { return false }
            usleep(10_000)
        }
        ended = true
        restoreTerminal()
        let shown = TerminalText.escapingControls(command)
        if let how = Self.failure(status) {
            stdout.markLost(APICtlError(.outputFailed, "the pager '\(shown)' \(how) before reading anything",
                                        hint: "the output went straight to the terminal instead; --no-pager or APICTL_PAGER=cat skips the pager"))
        } else {
            warn("the pager '\(shown)' ended before reading anything; printing straight to the terminal")
        }
        return true
    }

    private func restoreTerminal() {
        guard stdout.paged else { return }
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

    /// A program named with a slash, or found on PATH.
    private static func isExecutable(_ program: String, environment: ChildEnvironment) -> Bool {
        if program.contains("/") { return access(program, X_OK) == 0 }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}
