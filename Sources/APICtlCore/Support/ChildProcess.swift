import Glibc

/// The one way apictl starts another program (a token command, a browser):
/// without a shell of its own, stdin on /dev/null so it cannot eat a request
/// body apictl reads from stdin, in its own process group so a timeout can end
/// everything it started, and with none of apictl's own secrets in its environment.
public enum ChildProcess {
    /// Where one of the child's output streams goes.
    public enum Output {
        case pipe(Int32)
        case discard
        /// apictl's own (a pager writes to the terminal).
        case inherit
    }

    /// `stdin`: a pipe's read end, else /dev/null. `ownProcessGroup` false keeps the child in
    /// apictl's group: a pager must be in the terminal's foreground group to read keys.
    public static func spawn(_ arguments: [String], environment: ChildEnvironment, stdin: Int32? = nil, stdout: Output,
                             stderr: Output, ownProcessGroup: Bool = true) -> Result<pid_t, ProcessRunner.Failure> {
        guard let program = arguments.first, !program.isEmpty else { return .failure(.cannotStart("the command is empty")) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, STDIN_FILENO) } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        for (output, fd) in [(stdout, STDOUT_FILENO), (stderr, STDERR_FILENO)] {
            switch output {
            case .pipe(let end): posix_spawn_file_actions_adddup2(&actions, end, fd)
            case .discard: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .inherit: break
            }
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownProcessGroup {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard spawned == 0 else { return .failure(.cannotStart(String(cString: strerror(spawned)))) }
        return .success(pid)
    }
}

/// What a child (a token command, the pager, a browser, the OpenAPI helper) may inherit of
/// apictl's environment: all of it but the values apictl treats as secret. The spawner takes
/// nothing else, so no child can be started with a secret by forgetting to remove it.
public struct ChildEnvironment: Sendable, Equatable {
    public private(set) var variables: [String: String]

    /// apictl's own secrets, whatever the config says.
    public static let alwaysSecret: Set<String> = [
        "APICTL_TOKEN", "APICTL_PASSPHRASE", "APICTL_PASSPHRASE_FILE", "APICTL_NEW_PASSPHRASE", "APICTL_NEW_PASSPHRASE_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ]

    /// `environment` without `alwaysSecret` and without every variable `config` names as holding
    /// a secret, in any profile: token_env (of the profile and of each environment),
    /// oauth.client_secret_env, ci.id_token_env and client_key_passphrase_env (of either).
    public init(_ environment: [String: String], config: ConfigFile?) {
        let secret = Self.alwaysSecret.union(config.map(Self.secretNames) ?? [])
        variables = environment.filter {
            !secret.contains($0.key) && !$0.key.hasPrefix("APICTL_PASSPHRASE") && !$0.key.hasPrefix("APICTL_NEW_PASSPHRASE")
        }
    }

    /// Sets a variable apictl itself hands the child (APICTL_PROFILE for a token command, LESS for the pager).
    public mutating func set(_ name: String, _ value: String) { variables[name] = value }

    public subscript(name: String) -> String? { variables[name] }

    static func secretNames(_ config: ConfigFile) -> Set<String> {
        var names: Set<String> = []
        for profile in config.profiles.values {
            if let name = profile.tokenEnv { names.insert(name) }
            for environment in (profile.environments ?? [:]).values {
                if let name = environment.tokenEnv { names.insert(name) }
                if let name = environment.connection.clientKeyPassphraseEnv { names.insert(name) }
            }
            if let name = profile.connection.clientKeyPassphraseEnv { names.insert(name) }
            if let name = profile.oauth?.clientSecretEnv { names.insert(name) }
            if let name = profile.ci?.idTokenEnv { names.insert(name) }
        }
        return names
    }
}
