import FoundationEssentials
import Glibc

/// Runs a program (a password manager's CLI) through `ChildProcess` and reads
/// what it prints, killing its process group when it overruns its time.
public struct ProcessRunner: ProcessRunning {
    public init() {}

    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var timedOut: Bool

        public init(status: Int32, stdout: [UInt8], stderr: [UInt8] = [], timedOut: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.timedOut = timedOut
        }
    }

    public enum Failure: Error, Sendable {
        case cannotStart(String)
    }

    public func run(_ arguments: [String], environment: ChildEnvironment, timeout: TimeInterval) throws(Failure) -> Outcome {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0 else { throw .cannotStart(String(cString: strerror(errno))) }
        guard pipe(&err) == 0 else { close(out[0]); close(out[1]); throw .cannotStart(String(cString: strerror(errno))) }
        // Only the dup2'd copies may reach the child.
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let spawned = ChildProcess.spawn(arguments, environment: environment, stdout: .pipe(out[1]), stderr: .pipe(err[1]))
        close(out[1])
        close(err[1])
        defer { close(out[0]); close(err[0]) }
        let pid = try spawned.get()

        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var open = [out[0]: true, err[0]: true]
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open.values.contains(true) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { timedOut = true; break }
            var fds = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 { open[entry.fd] = false; continue }
                if entry.fd == out[0] { if stdout.count < 1 << 20 { stdout += buffer[0..<count] } }
                else if stderr.count < 64 << 10 { stderr += buffer[0..<count] }
            }
        }
        // A command may close its output and keep running: its exit is waited for only until the deadline too.
        var status: Int32 = 0
        while !timedOut {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited < 0 && errno != EINTR) { break }
            if deadline.timeIntervalSinceNow <= 0 { timedOut = true } else { usleep(5_000) }
        }
        if timedOut {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let exited = status & 0x7f == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: stdout, stderr: stderr,
                       timedOut: timedOut)
    }
}

/// Runs a program and reads what it printed: `ProcessRunner` in apictl, a
/// scripted answer in unit tests.
public protocol ProcessRunning: Sendable {
    func run(_ arguments: [String], environment: ChildEnvironment,
             timeout: TimeInterval) throws(ProcessRunner.Failure) -> ProcessRunner.Outcome
}
