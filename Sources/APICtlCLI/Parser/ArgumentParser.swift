import APICtlCore

/// Parses argv against a command tree. Supports `--opt value`, `--opt=value`,
/// `-o value`, `-ovalue`, combined short flags (`-iv`, `-yp NAME`), repeatable options,
/// `--`, negative numbers as values, and global options anywhere on the line. Tab
/// completion walks the words typed so far with the same rules (`partial`), so the two
/// cannot disagree about what a word is.
public struct ArgumentParser: Sendable {
    public let root: CommandSpec
    public let globalOptions: [OptionSpec]

    public init(root: CommandSpec, globalOptions: [OptionSpec]) {
        self.root = root
        self.globalOptions = globalOptions
    }

    public func parse(_ argv: [String]) throws(APICtlError) -> ParsedCommand {
        let parsed = try walk(argv, partial: false)
        if parsed.helpRequested || parsed.versionRequested { return parsed }
        try checkArguments(parsed)
        return parsed
    }

    /// The words typed so far, read as `parse` reads them, for a Tab: never an error. An unknown
    /// option is passed over, and words that run out where an option wants its value leave
    /// that option in `awaitingValue`.
    public func partialParse(_ words: [String]) -> ParsedCommand {
        (try? walk(words, partial: true)) ?? ParsedCommand(path: [], spec: root)
    }

    private func walk(_ argv: [String], partial: Bool) throws(APICtlError) -> ParsedCommand {
        var parsed = ParsedCommand(path: [], spec: root)
        var index = 0
        while index < argv.count {
            let arg = argv[index]
            index += 1
            if parsed.onlyArguments || arg == "-" || !arg.hasPrefix("-") || isNegativeNumber(arg, parsed: parsed) {
                try positional(arg, into: &parsed, partial: partial)
            } else if arg == "--" {
                parsed.onlyArguments = true
            } else if arg.hasPrefix("--") {
                try long(arg, argv: argv, index: &index, into: &parsed, partial: partial)
            } else {
                try cluster(arg, argv: argv, index: &index, into: &parsed, partial: partial)
            }
        }
        return parsed
    }

    /// `--name`, `--name=value` or `--name value`.
    private func long(_ arg: String, argv: [String], index: inout Int, into parsed: inout ParsedCommand,
                      partial: Bool) throws(APICtlError) {
        let body = arg.dropFirst(2)
        let name = String(body.prefix { $0 != "=" })
        let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
        guard let option = option(long: name, in: parsed) else {
            if partial { return }
            throw unknownOption("--\(name)", parsed: parsed)
        }
        guard option.takesValue else {
            if inline != nil && !partial { throw APICtlError.usage("--\(name) is a flag and takes no value") }
            flag(option, into: &parsed)
            return
        }
        if let inline { return try record(option, value: inline, into: &parsed, partial: partial) }
        try takeValue(for: option, argv: argv, index: &index, into: &parsed, partial: partial)
    }

    /// A cluster of short options: `-iv`, `-Hvalue`, `-yp name`.
    private func cluster(_ arg: String, argv: [String], index: inout Int, into parsed: inout ParsedCommand,
                         partial: Bool) throws(APICtlError) {
        var letters = Substring(arg.dropFirst())
        while let letter = letters.first {
            letters = letters.dropFirst()
            guard let option = option(short: letter, in: parsed) else {
                if partial { return }
                throw unknownOption("-\(letter)", parsed: parsed)
            }
            guard option.takesValue else {
                flag(option, into: &parsed)
                continue
            }
            if !letters.isEmpty {
                return try record(option, value: String(letters.hasPrefix("=") ? letters.dropFirst() : letters), into: &parsed,
                                  partial: partial)
            }
            return try takeValue(for: option, argv: argv, index: &index, into: &parsed, partial: partial)
        }
    }

    /// The next word as `option`'s value; where the words run out, a missing value (or, for a
    /// Tab, the option the next word completes).
    private func takeValue(for option: OptionSpec, argv: [String], index: inout Int, into parsed: inout ParsedCommand,
                           partial: Bool) throws(APICtlError) {
        guard index < argv.count else {
            if partial { parsed.awaitingValue = option; return }
            throw missingValue(option, parsed: parsed)
        }
        let value = argv[index]
        index += 1
        try record(option, value: value, into: &parsed, partial: partial)
    }

    /// Options valid at this point: the globals plus the current command's.
    public func options(for spec: CommandSpec) -> [OptionSpec] { globalOptions + spec.options }

    private func option(long: String, in parsed: ParsedCommand) -> OptionSpec? {
        options(for: parsed.spec).first { $0.long == long }
    }

    private func option(short: Character, in parsed: ParsedCommand) -> OptionSpec? {
        options(for: parsed.spec).first { $0.short == short }
    }

    /// "-1" is a value, not an option, where the command takes arguments and has no -1.
    private func isNegativeNumber(_ arg: String, parsed: ParsedCommand) -> Bool {
        arg.count > 1 && Double(arg) != nil && !parsed.spec.arguments.isEmpty
    }

    private func positional(_ arg: String, into parsed: inout ParsedCommand, partial: Bool) throws(APICtlError) {
        if parsed.spec.hasSubcommands && parsed.arguments.isEmpty && parsed.spec.arguments.isEmpty {
            guard let sub = parsed.spec.subcommand(arg) else {
                if partial { parsed.arguments.append(arg); return }
                let names = parsed.spec.subcommandNames
                let hint = suggestion(arg, among: names).map { "did you mean '\($0)'?" }
                    ?? "run '\(parsed.commandLine) --help' to see them"
                throw .usage("unknown command '\(arg)' for '\(parsed.commandLine)'", hint: hint)
            }
            parsed.path.append(sub.name)
            parsed.spec = sub
            return
        }
        parsed.arguments.append(arg)
    }

    private func record(_ option: OptionSpec, value: String, into parsed: inout ParsedCommand, partial: Bool) throws(APICtlError) {
        if !partial, let choices = option.choices, !choices.contains(value) {
            let hint = suggestion(value, among: choices).map { "did you mean '\($0)'?" } ?? "choose one of \(choices.joined(separator: ", "))"
            throw .usage("--\(option.long) does not take '\(value)'", hint: hint)
        }
        parsed.values[option.long, default: []].append(value)
    }

    private func flag(_ option: OptionSpec, into parsed: inout ParsedCommand) {
        parsed.flags[option.long, default: 0] += 1
        if option.long == "help" { parsed.helpRequested = true }
        if option.long == "version" && parsed.path.isEmpty { parsed.versionRequested = true }
    }

    private func checkArguments(_ parsed: ParsedCommand) throws(APICtlError) {
        let specs = parsed.spec.arguments
        if parsed.spec.run == nil { return }  // a group: the caller shows its help
        let required = specs.filter { !$0.optional }
        if parsed.arguments.count < required.count {
            let missing = required[parsed.arguments.count...].map(\.name).joined(separator: " ")
            throw .usage("'\(parsed.commandLine)' needs \(missing)", hint: "usage: \(HelpFormatter.usageLine(parsed.spec, path: parsed.path))")
        }
        if specs.last?.repeating != true && parsed.arguments.count > specs.count {
            let extra = parsed.arguments[specs.count]
            throw .usage("unexpected argument '\(extra)' for '\(parsed.commandLine)'",
                         hint: "usage: \(HelpFormatter.usageLine(parsed.spec, path: parsed.path))")
        }
        for (spec, value) in zip(specs, parsed.arguments) {
            if let choices = spec.completion.acceptedValues, !choices.contains(value.uppercased()), !choices.contains(value) {
                let hint = suggestion(value, among: choices).map { "did you mean '\($0)'?" } ?? "choose one of \(choices.joined(separator: ", "))"
                throw .usage("\(spec.name) cannot be '\(value)'", hint: hint)
            }
        }
    }

    private func unknownOption(_ given: String, parsed: ParsedCommand) -> APICtlError {
        let valid = options(for: parsed.spec)
        let candidates = valid.map { "--\($0.long)" }
        let hint = suggestion(given, among: candidates).map { "did you mean '\($0)'?" }
            ?? "run '\(parsed.commandLine) --help' for its options"
        return .usage("unknown option '\(given)' for '\(parsed.commandLine)'", hint: hint)
    }

    private func missingValue(_ option: OptionSpec, parsed: ParsedCommand) -> APICtlError {
        .usage("--\(option.long) needs a value: \(option.valueName ?? "VALUE")",
               hint: "e.g. '\(parsed.commandLine) --\(option.long) \(option.valueName ?? "VALUE")'")
    }
}
