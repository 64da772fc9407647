import APICtlCore
import FoundationEssentials

/// `apictl audit`: the record of each use of a stored or commanded credential, oldest first:
/// which key (by its short hash), when, against what, and what chose the profile.
enum AuditCommand {
    static let spec = CommandSpec(
        name: "audit",
        summary: "Show when each stored credential was used, and against what",
        discussion: """
        Every request sent with a credential from the keyring, the encrypted file, a token
        command or a CI exchange adds one line to $XDG_STATE_HOME/apictl/audit.jsonl: time,
        profile, environment, account, the credential's short hash (never the secret), method,
        origin, path (query names without values), status, and what chose the profile. A token
        from APICTL_TOKEN or a profile's token_env is not recorded. The file is rotated at 8 MiB,
        keeping one old file; 'audit = false' in the config turns the record off.
        -p, -e and -a narrow the listing to a profile, an environment and an account.
        """,
        options: Options.self,
        examples: ["apictl audit --since 7d", "apictl audit -p dzdesk -a work --json | jq -r '.[].path'"],
        run: run
    )

    struct Options: CommandOptions {
        let since: MomentValue?
        let json: Bool

        init(_ declare: OptionBinding) {
            since = declare.moment("since", help: "Only uses since then: 7d, 12h, or a date such as 2026-12-01")
            json = declare.flag("json", nil, help: "Print a JSON array")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        try context.checkAccountChoice()
        let log = AuditLog(stateDirectory: context.configLocation.stateDirectory)
        let since = options.since?.date(now: context.now())
        let globals = context.globals
        // A variable left set in the shell narrows the listing too: said, since a narrowed
        // answer to "was this key used?" must not pass for the whole one.
        for chosen in [globals.chosenProfile, globals.chosenEnvironment, globals.chosenAccount].compactMap({ $0 }) {
            if case .environmentVariable(let name) = chosen.origin { context.warn("note: showing only \(chosen.name) (\(name) is set)") }
        }
        let (recorded, unreadable) = log.read()
        for why in unreadable { context.warn("\(why): its lines are not shown") }
        let entries = recorded.filter { entry in
            (since.map { entry.time >= $0 } ?? true) && (globals.profile.map { entry.profile == $0 } ?? true)
                && (globals.environment.map { entry.environment == $0 } ?? true) && (globals.chosenAccount.map { entry.account == $0.name } ?? true)
        }
        if options.json {
            context.stdout.write(JSONOutput.render(.array(entries.compactMap { JSONValue(parsing: $0.line) })))
            return 0
        }
        guard !entries.isEmpty else {
            let narrowed = recorded.isEmpty ? "" : " that match (\(recorded.count) recorded in all)"
            context.stderr.write("no uses\(narrowed) in \(log.path)\n")
            return 0
        }
        let header = ["TIME", "PROFILE", "ENV", "ACCOUNT", "CREDENTIAL", "METHOD", "ORIGIN", "PATH", "STATUS", "CHOSEN BY"]
        let table = [header] + entries.map { entry in
            [Timestamp.iso8601(entry.time), entry.profile, entry.environment ?? "-", entry.account ?? "(\(entry.source))",
             entry.fingerprint, entry.method, entry.origin, entry.path, entry.status.map(String.init) ?? "-", entry.chosenBy]
        }
        context.stdout.write(TextTable.render(table.map { $0.map(TerminalText.escapingControls) }, width: context.stdout.columns))
        return 0
    }
}
