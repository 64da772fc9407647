import APICtlCore
import Glibc

/// Opens a URL the way gh does: `$BROWSER` when set, else `xdg-open` when there
/// is a display, else nothing (the URL is printed either way). The browser is
/// not waited for: it must reach our loopback listener while it runs.
enum BrowserLauncher {
    /// What was started, for the message; nil when no browser could be opened.
    static func open(_ url: String, environment: [String: String]) -> String? {
        let command: [String]
        if let browser = environment["BROWSER"], !browser.isEmpty {
            command = ["/bin/sh", "-c", browser + " \"$1\"", "browser", url]
        } else if !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty {
            command = ["xdg-open", url]
        } else {
            return nil
        }
        return spawn(command, environment: environment) ? (environment["BROWSER"] ?? "xdg-open") : nil
    }

    private static func spawn(_ arguments: [String], environment: [String: String]) -> Bool {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The browser's chatter must not land in apictl's stdout, which a script may read.
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        return posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp) == 0
    }
}
