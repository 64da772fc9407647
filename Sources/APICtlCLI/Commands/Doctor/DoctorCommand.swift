import APICtlCore

/// `apictl doctor`: what is configured, which credential store works and why
/// not, where each profile's credential comes from, and whether each base URL
/// answers. Each check gives rows; the exit code is the first problem's.
enum DoctorCommand {
    static let spec = CommandSpec(
        name: "doctor",
        summary: "Diagnose the config, the credential stores and connectivity",
        discussion: """
        Each line starts with 'ok', '!!' (a problem: the exit code is the first one's) or
        '--' (not in use here, and nothing is wrong: no keyring where the encrypted file
        serves). No secret is printed. With -p NAME, only that profile is checked.
        """,
        options: Options.self,
        examples: ["apictl doctor", "apictl doctor --offline", "apictl doctor -p dzdesk"],
        run: run
    )

    struct Options: CommandOptions {
        let offline: Bool
        init(_ declare: OptionBinding) { offline = declare.flag("offline", nil, help: "Skip the connectivity checks") }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let rows: [DoctorRow]
        do {
            let config = try context.configStore.load()
            let exists = FileBytes.exists(context.configLocation.configFile)
            let found = DoctorRow(label: "config", value: "\(context.configLocation.configFile) "
                                  + "(\(exists ? "\(config.profiles.count) profile(s)" : "not created yet"))")
            let trust = context.configStore.trustProblem.map { DoctorRow(label: "config trust", value: $0, problem: .configuration) }
            rows = [found] + (trust.map { [$0] } ?? []) + DoctorChecks(context: context, config: config, offline: options.offline).rows()
        } catch {
            rows = [DoctorRow(label: "config", value: error.message, problem: error.exitCode)]
        }
        for row in rows { context.stdout.write(row.line) }
        return rows.lazy.compactMap(\.problem).first?.rawValue ?? 0
    }
}

/// One line of `apictl doctor`: what was checked, what was found, and the exit code it
/// stands for when it is a problem.
struct DoctorRow {
    enum State { case ok, notUsed, problem(ExitCode) }
    let label: String
    let value: String
    let state: State

    init(label: String, value: String, state: State = .ok) {
        self.label = label
        self.value = value
        self.state = state
    }

    init(label: String, value: String, problem: ExitCode?) {
        self.init(label: label, value: value, state: problem.map(State.problem) ?? .ok)
    }

    var problem: ExitCode? {
        if case .problem(let code) = state { return code }
        return nil
    }

    var line: String {
        let mark: String
        switch state {
        case .ok: mark = "ok "
        case .notUsed: mark = "-- "
        case .problem: mark = "!! "
        }
        return "\(mark)\(label):" + String(repeating: " ", count: max(1, 14 - label.count)) + value + "\n"
    }
}
