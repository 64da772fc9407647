import APICtlCore

/// Answers a Tab press from the command tree the parser uses. The shell
/// scripts only pass the words and show what comes back, so a new command or
/// option completes without touching them.
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
    /// Reads profile and environment names from the config, lazily and quietly.
    let config: () -> ConfigFile?
    /// The synced description's index of a profile, read only when a Tab needs it.
    var index: (String) -> OpenAPIIndex? = { _ in nil }

    /// `words` are the words after `apictl`; the last is the one being completed (may be "").
    func complete(_ words: [String]) -> Answer {
        let current = words.last ?? ""
        var spec = parser.root
        var profile: String?
        var positionals = 0
        var typed: [String] = []   // the positional words before the current one
        var index = 0
        var onlyPositionals = false
        let previous = Array(words.dropLast())
        while index < previous.count {
            let word = previous[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                if spec.hasSubcommands && positionals == 0 && spec.arguments.isEmpty, let sub = spec.subcommand(word) {
                    spec = sub
                } else {
                    positionals += 1
                    typed.append(word)
                }
                continue
            }
            if word == "--" { onlyPositionals = true; continue }
            let name = word.hasPrefix("--") ? String(word.dropFirst(2).prefix { $0 != "=" }) : nil
            let option = name.flatMap { n in parser.options(for: spec).first { $0.long == n } }
                ?? (name == nil ? word.dropFirst().last.flatMap { c in parser.options(for: spec).first { $0.short == c } } : nil)
            guard let option, option.takesValue else { continue }
            if word.contains("=") || (name == nil && word.count > 2 && word.dropFirst().firstIndex(where: { c in
                parser.options(for: spec).first { $0.short == c }?.takesValue == true }) != word.index(word.endIndex, offsetBy: -1)) {
                continue  // value attached: --opt=value or -ovalue
            }
            if index < previous.count {
                if option.long == "profile" { profile = previous[index] }
                index += 1
            } else {
                return values(for: option.completion, prefix: current, profile: profile, typed: typed)
            }
        }
        if current.hasPrefix("--"), let equals = current.firstIndex(of: "=") {
            let name = String(current[current.index(current.startIndex, offsetBy: 2)..<equals])
            guard let option = parser.options(for: spec).first(where: { $0.long == name }) else { return .words([]) }
            let valuePrefix = String(current[current.index(after: equals)...])
            switch values(for: option.completion, prefix: valuePrefix, profile: profile, typed: typed) {
            case .files: return .files
            case .words(let list): return .words(list.map { ("--\(name)=\($0.0)", $0.1) })
            }
        }
        if current.hasPrefix("-") && !onlyPositionals {
            let options = parser.options(for: spec).map { ("--\($0.long)", $0.help) }
            return .words(options.filter { $0.0.hasPrefix(current) })
        }
        if spec.hasSubcommands && positionals == 0 && spec.arguments.isEmpty {
            return .words(spec.subcommands.map { ($0.name, $0.summary) }.filter { $0.0.hasPrefix(current) })
        }
        if current.hasPrefix("@") { return .files }
        let argument = positionals < spec.arguments.count ? spec.arguments[positionals] : spec.arguments.last.flatMap { $0.repeating ? $0 : nil }
        guard let argument else { return .words([]) }
        return values(for: argument.completion, prefix: current, profile: profile, typed: typed)
    }

    private func values(for completion: ValueCompletion, prefix: String, profile: String?, typed: [String]) -> Answer {
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
        case .apiMethods, .apiPaths, .apiItems, .apiFields, .apiStringFields, .apiQuery:
            let file = config()
            let name = profile ?? file?.defaultProfile
            let api = APICompletion(index: name.flatMap(index), vars: name.flatMap { file?.profiles[$0]?.vars } ?? [:])
            candidates = api.candidates(completion, prefix: prefix, typed: typed)
        }
        return .words(candidates.filter { $0.0.hasPrefix(prefix) })
    }
}
