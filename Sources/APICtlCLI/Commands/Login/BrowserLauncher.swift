import APICtlCore
import Glibc

/// Opens a URL the way gh does: `$BROWSER` when set, else `xdg-open` when there
/// is a display, else nothing (the URL is printed either way). The browser is
/// not waited for: it must reach our loopback listener while it runs.
enum BrowserLauncher {
    /// What was started, for the message; nil when no browser could be opened.
    static func open(_ url: String, environment: ChildEnvironment) -> String? {
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

    private static func spawn(_ arguments: [String], environment: ChildEnvironment) -> Bool {
        // The browser's chatter must not land in apictl's stdout, which a script may read.
        guard case .success = ChildProcess.spawn(arguments, environment: environment, stdout: .discard, stderr: .discard) else {
            return false
        }
        return true
    }
}
