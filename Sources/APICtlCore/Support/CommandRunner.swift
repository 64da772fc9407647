import FoundationEssentials
import Glibc

/// Runs a program (a password manager's CLI) without a shell, its stdin on
/// /dev/null so it cannot eat a request body apictl reads from stdin, and reads
/// what it prints, killing it when it overruns its time.
public enum CommandRunner {
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var timedOut: Bool
    }

    public enum Failure: Error, Sendable {
        case cannotStart(String)
    }

    public static func run(_ arguments: [String], environment: [String: String], timeout: TimeInterval) throws(Failure) -> Outcome {
        guard let program = arguments.first, !program.isEmpty else { throw .cannotStart("the command is empty") }
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0 else { throw .cannotStart(String(cString: strerror(errno))) }
        guard pipe(&err) == 0 else { close(out[0]); close(out[1]); throw .cannotStart(String(cString: strerror(errno))) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO)
        for fd in [out[0], out[1], err[0], err[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // Its own process group, so a timeout also ends what a `sh -c` command started.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        close(out[1])
        close(err[1])
        defer { close(out[0]); close(err[0]) }
        guard spawned == 0 else { throw .cannotStart(String(cString: strerror(spawned))) }

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
        if timedOut { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: stdout, stderr: stderr,
                       timedOut: timedOut)
    }
}
