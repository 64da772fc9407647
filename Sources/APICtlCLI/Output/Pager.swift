import APICtlCore
import Glibc

/// Long output on a terminal goes through a pager, as gh does: `$APICTL_PAGER`, else
/// `$PAGER`, else `less -FRX` (which prints a screenful or less and exits at once).
/// stdout is handed to it for the rest of the command; stderr stays on the terminal.
final class Pager {
    private let pid: pid_t
    private let savedStdout: Int32
    private let stdout: OutputStream

    /// The pager's command line; nil when paging is off (`--no-pager`, an empty value or `cat`).
    static func command(environment: [String: String]) -> String? {
        let chosen = environment["APICTL_PAGER"] ?? environment["PAGER"] ?? "less -FRX"
        let trimmed = chosen.trimmingWhitespace()
        return trimmed.isEmpty || trimmed == "cat" ? nil : trimmed
    }

    /// Starts the pager on stdout when stdout is a terminal; nil (output goes straight to the
    /// terminal) when it is not, when paging is off, or when the pager cannot be found.
    static func start(stdout: OutputStream, environment: [String: String]) -> Pager? {
        guard stdout.isTerminal, let command = command(environment: environment),
              let program = command.split(separator: " ").first.map(String.init), isExecutable(program, environment: environment)
        else { return nil }
        var ends: [Int32] = [0, 0]
        // Close-on-exec: the pager must hold no write end of its own input, or it never sees the end.
        guard pipe(&ends) == 0 else { return nil }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var pagerEnvironment = environment
        if program.hasSuffix("less"), environment["LESS"] == nil { pagerEnvironment["LESS"] = "FRX" }
        let spawned = ChildProcess.spawn(["/bin/sh", "-c", "exec " + command], environment: pagerEnvironment, stdin: ends[0],
                                         stdout: .inherit, stderr: .inherit, ownProcessGroup: false)
        close(ends[0])
        guard case .success(let pid) = spawned else { close(ends[1]); return nil }
        let saved = dup(STDOUT_FILENO)
        dup2(ends[1], STDOUT_FILENO)
        close(ends[1])
        signal(SIGPIPE, SIG_IGN)   // a pager quit early shows as EPIPE, which the stream takes calmly
        stdout.paged = true
        return Pager(pid: pid, savedStdout: saved, stdout: stdout)
    }

    private init(pid: pid_t, savedStdout: Int32, stdout: OutputStream) {
        self.pid = pid
        self.savedStdout = savedStdout
        self.stdout = stdout
    }

    /// Ends the pager's input and waits until the user is done with it.
    func finish() {
        dup2(savedStdout, STDOUT_FILENO)
        close(savedStdout)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        stdout.paged = false
    }

    /// A program named with a slash, or found on PATH.
    private static func isExecutable(_ program: String, environment: [String: String]) -> Bool {
        if program.contains("/") { return access(program, X_OK) == 0 }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}
