import APICtlCore

/// Answers a Tab press from the command tree the parser uses, and from the parser's own
/// reading of the words typed so far (`ArgumentParser.partialParse`): clusters (`-yp <Tab>`),
/// negative numbers and `--` are read as a run would read them. The shell scripts only pass
/// the words and show what comes back, so a new command or option completes without
/// touching them.
struct Completer {
    enum Answer: Equatable {
        case words([(String, String)])
        case files

        static func == (a: Answer, b: Answer) -> Bool {
            switch (a, b) {
            case (.files, .files): return true
            case (.words(let x), .words(let y)): return x.map(\.0) == y.map(\.0)
            default: return false
            }
        }
    }

    let parser: ArgumentParser
    /// Reads profile and environment names from the config (the one `--config` names on the
    /// line, when it does), lazily and quietly.
    let config: (_ named: String?) -> ConfigFile?
    /// The synced description's index of a profile (with the config it is set in), read only
    /// when a Tab needs it.
    var index: (_ profile: String, _ config: ConfigFile?) -> OpenAPIIndex? = { _, _ in nil }
    /// The account labels remembered for a profile (never the keyring: a Tab asks for nothing).
    var accounts: (String) -> [String] = { _ in [] }
    /// `APICTL_PROFILE`, which chooses the profile when `-p` is not on the line, as for a run.
    var environmentProfile: String?

    /// `words` are the words after `apictl`; the last is the one being completed (may be "").
    func complete(_ words: [String]) -> Answer {
        let current = words.last ?? ""
        let typed = parser.partialParse(Array(words.dropLast()))
        let globals = try? OptionBinding.read(GlobalFlags.self, from: typed)
        let profile = globals?.profile ?? environmentProfile
        let config = { self.config(globals?.config) }
        let spec = typed.spec
        if let option = typed.awaitingValue {
            return values(for: option.completion, prefix: current, profile: profile, typed: typed.arguments, config: config)
        }
        if !typed.onlyArguments, current.hasPrefix("--"), let equals = current.firstIndex(of: "=") {
            let name = String(current[current.index(current.startIndex, offsetBy: 2)..<equals])
            guard let option = parser.options(for: spec).first(where: { $0.long == name }) else { return .words([]) }
            let valuePrefix = String(current[current.index(after: equals)...])
            switch values(for: option.completion, prefix: valuePrefix, profile: profile, typed: typed.arguments, config: config) {
            case .files: return .files
            case .words(let list): return .words(list.map { ("--\(name)=\($0.0)", $0.1) })
            }
        }
        if current.hasPrefix("-") && !typed.onlyArguments {
            let options = parser.options(for: spec).map { ("--\($0.long)", $0.help) }
            return .words(options.filter { $0.0.hasPrefix(current) })
        }
        if spec.hasSubcommands && typed.arguments.isEmpty && spec.arguments.isEmpty {
            return .words(spec.subcommands.map { ($0.name, $0.summary) }.filter { $0.0.hasPrefix(current) })
        }
        if current.hasPrefix("@") { return .files }
        let position = typed.arguments.count
        let argument = position < spec.arguments.count ? spec.arguments[position] : spec.arguments.last.flatMap { $0.repeating ? $0 : nil }
        guard let argument else { return .words([]) }
        return values(for: argument.completion, prefix: current, profile: profile, typed: typed.arguments, config: config)
    }

    private func values(for completion: ValueCompletion, prefix: String, profile: String?, typed: [String],
                        config: () -> ConfigFile?) -> Answer {
        let candidates: [(String, String)]
        switch completion {
        case .none: candidates = []
        case .files: return .files
        case .choices(let list), .suggestions(let list): candidates = list.map { ($0, "") }
        case .profiles:
            let file = config()
            candidates = (file?.profiles.keys.sorted() ?? []).map { name in
                (name, file?.profiles[name].map { $0.baseURL ?? "environments: " + ($0.environments ?? [:]).keys.sorted().joined(separator: ", ") } ?? "")
            }
        case .environments:
            let file = config()
            let name = profile ?? file?.defaultProfile
            let environments = name.flatMap { file?.profiles[$0]?.environments } ?? [:]
            candidates = environments.keys.sorted().map { ($0, environments[$0]?.baseURL ?? "") }
        case .accounts:
            let name = profile ?? config()?.defaultProfile
            candidates = (name.map(accounts) ?? []).map { ($0, "") }
        case .apiMethods, .apiPaths, .apiItems, .apiFields, .apiStringFields, .apiQuery:
            let file = config()
            let name = profile ?? file?.defaultProfile
            let api = APICompletion(index: name.flatMap { index($0, file) }, vars: name.flatMap { file?.profiles[$0]?.vars } ?? [:])
            candidates = api.candidates(completion, prefix: prefix, typed: typed)
        }
        return .words(candidates.filter { $0.0.hasPrefix(prefix) })
    }
}
