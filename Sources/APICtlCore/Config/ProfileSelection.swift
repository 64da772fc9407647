/// Where the profile, environment or account a command uses was chosen: `whoami`, `doctor`
/// and `--dry-run` say it, and the audit record keeps it.
public enum ChoiceOrigin: Sendable, Equatable {
    /// A flag, as written ("-p").
    case flag(String)
    /// An environment variable ("APICTL_PROFILE").
    case environmentVariable(String)
    /// A project's `.apictl.toml`, by its path.
    case projectFile(String)
    /// The user's own defaults: `default_profile`, a profile's `default_env`, `account use`.
    case userDefault(String)
    /// Nothing chose: the only environment, or the default account.
    case implied

    /// "flag", "environment", ".apictl.toml" or "default": what the audit record says.
    public var auditName: String {
        switch self {
        case .flag: return "flag"
        case .environmentVariable: return "environment"
        case .projectFile: return ProjectFile.name
        case .userDefault, .implied: return "default"
        }
    }

    /// "from /work/api/.apictl.toml": nil when nothing chose.
    public var explanation: String? {
        switch self {
        case .flag(let flag): return "from \(flag)"
        case .environmentVariable(let name): return "from \(name)"
        case .projectFile(let path): return "from \(path)"
        case .userDefault(let what): return "from \(what)"
        case .implied: return nil
        }
    }
}

/// A name asked for, and what asked for it.
public struct Chosen: Sendable, Equatable {
    public var name: String
    public var origin: ChoiceOrigin

    public init(_ name: String, _ origin: ChoiceOrigin) {
        self.name = name
        self.origin = origin
    }
}

/// Where a profile, environment and account each came from.
public struct ChoiceOrigins: Sendable, Equatable {
    public var profile: ChoiceOrigin = .implied
    public var environment: ChoiceOrigin = .implied
    public var account: ChoiceOrigin = .implied

    public init() {}
}

/// What a run asks for: `-p`/`-e`/`-a` or their variables (already merged by the caller), the
/// project's `.apictl.toml`, and the user's active accounts (`account use`).
public struct SelectionRequest: Sendable {
    public var profile: Chosen?
    public var environment: Chosen?
    public var account: Chosen?
    public var project: ProjectFile?
    /// The profile's active account, when `account use` set one.
    public var activeAccount: @Sendable (String) -> String?

    public init(profile: Chosen? = nil, environment: Chosen? = nil, account: Chosen? = nil, project: ProjectFile? = nil,
                activeAccount: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.profile = profile
        self.environment = environment
        self.account = account
        self.project = project
        self.activeAccount = activeAccount
    }
}

/// Picks the profile a command works on: a flag or variable, then the project's `.apictl.toml`,
/// then the config's default_profile; then its environment and account the same way.
public enum ProfileSelection {
    /// nil when nothing selects a profile; an error when the named one is unknown.
    public static func resolve(config: ConfigFile, request: SelectionRequest, configPath: String) throws(APICtlError) -> ResolvedProfile? {
        let project = request.project
        let fromProject = project?.profile.map { Chosen($0, .projectFile(project?.path ?? "")) }
        guard let chosen = request.profile ?? fromProject ?? config.defaultProfile.map({ Chosen($0, .userDefault("default_profile")) }) else {
            if let environment = request.environment { throw .config("-e \(environment.name) needs a profile", hint: "pass -p NAME") }
            return nil
        }
        guard let profileConfig = config.profiles[chosen.name] else { throw unknownProfile(chosen, config: config, configPath: configPath) }
        // A project file's environment and account belong to the profile it names; one that names
        // none lends them to any profile, its environment only to a profile that has it.
        let namesThis = project?.profile == chosen.name
        let projectApplies = namesThis || (project != nil && project?.profile == nil)
        var environment = request.environment
        if environment == nil, projectApplies, let project, let name = project.environment,
           namesThis || profileConfig.environments?[name] != nil {
            try project.checkEnvironment(name, of: chosen.name, config: profileConfig)
            environment = Chosen(name, .projectFile(project.path))
        }
        var profile = try ResolvedProfile.resolve(name: chosen.name, config: profileConfig, requestedEnvironment: environment?.name,
                                                  configPath: configPath)
        profile.choice.profile = chosen.origin
        profile.choice.environment = environment?.origin
            ?? (profileConfig.defaultEnv != nil && profile.environment == profileConfig.defaultEnv ? .userDefault("default_env") : .implied)
        let account = request.account
            ?? (projectApplies ? project?.account.map { Chosen($0, .projectFile(project?.path ?? "")) } : nil)
            ?? request.activeAccount(chosen.name).map { Chosen($0, .userDefault("'apictl account use'")) }
        if let account {
            profile.account = account.name
            profile.choice.account = account.origin
        }
        return profile
    }

    /// Like `resolve`, but a profile is required.
    public static func require(config: ConfigFile, request: SelectionRequest, configPath: String) throws(APICtlError) -> ResolvedProfile {
        guard let profile = try resolve(config: config, request: request, configPath: configPath) else {
            guard !config.profiles.isEmpty else {
                throw .config("no profiles yet", hint: "add one with 'apictl profile add NAME --preset NAME' or 'apictl profile add NAME --base-url URL'")
            }
            throw .config("no profile selected", hint: "pass -p NAME, set APICTL_PROFILE, or run 'apictl profile use NAME'")
        }
        return profile
    }

    private static func unknownProfile(_ chosen: Chosen, config: ConfigFile, configPath: String) -> APICtlError {
        let known = config.profiles.keys.sorted()
        if case .projectFile(let path) = chosen.origin {
            return .config("\(path) names profile '\(chosen.name)', which \(configPath) does not define",
                           hint: known.isEmpty ? "add it with 'apictl profile add \(chosen.name) ...'" : "known profiles: \(known.joined(separator: ", "))")
        }
        let hint = suggestion(chosen.name, among: known).map { "did you mean '\($0)'?" }
            ?? (known.isEmpty ? "add one with 'apictl profile add \(chosen.name) --preset NAME' or --base-url URL"
                              : "known profiles: \(known.joined(separator: ", "))")
        return .config("unknown profile '\(chosen.name)' in \(configPath)", hint: hint)
    }
}

extension ResolvedProfile {
    /// ("profile", "api (from /work/api/.apictl.toml)"), then the environment and the account the
    /// same way: what `whoami`, `doctor` and `--dry-run` say so a user sees why this credential.
    public var choiceLines: [(label: String, value: String)] {
        func described(_ name: String, _ origin: ChoiceOrigin) -> String {
            TerminalText.escapingControls(name + (origin.explanation.map { " (\($0))" } ?? ""))
        }
        var lines = [("profile", described(name, choice.profile))]
        if let environment { lines.append(("environment", described(environment, choice.environment))) }
        lines.append(("account", described(account, choice.account)))
        return lines
    }

    /// " (profile and environment from /work/api/.apictl.toml)": what a project file chose for
    /// this command, for the lines where a user must see it (a login, a production prompt);
    /// "" when it chose nothing.
    public var projectChoiceNote: String {
        let chosen = [("profile", choice.profile), ("environment", choice.environment), ("account", choice.account)]
            .compactMap { what, origin -> (String, String)? in
                if case .projectFile(let path) = origin { return (what, path) }
                return nil
            }
        guard let path = chosen.first?.1 else { return "" }
        let names = chosen.map(\.0)
        let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
        return " (" + TerminalText.escapingControls("\(listed) from \(path)") + ")"
    }
}
