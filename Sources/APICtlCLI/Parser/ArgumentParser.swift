import APICtlCore

/// Parses argv against a command tree. Supports `--opt value`, `--opt=value`,
/// `-o value`, `-ovalue`, combined short flags (`-iv`), repeatable options,
/// `--`, and global options anywhere on the line.
public struct ArgumentParser: Sendable {
    public let root: CommandSpec
    public let globalOptions: [OptionSpec]

    public init(root: CommandSpec, globalOptions: [OptionSpec]) {
        self.root = root
        self.globalOptions = globalOptions
    }

    public func parse(_ argv: [String]) throws(APICtlError) -> ParsedCommand {
        var parsed = ParsedCommand(path: [], spec: root)
        var index = 0
        var onlyPositionals = false
        while index < argv.count {
            let arg = argv[index]
            index += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") || isNegativeNumber(arg, parsed: parsed) {
                try positional(arg, into: &parsed)
                continue
            }
            if arg == "--" {
                onlyPositionals = true
                continue
            }
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                guard let option = option(long: name, in: parsed) else {
                    throw unknownOption("--\(name)", parsed: parsed)
                }
                if option.takesValue {
                    let value: String
                    if let inline {
                        value = inline
                    } else {
                        guard index < argv.count else { throw missingValue(option, parsed: parsed) }
                        value = argv[index]
                        index += 1
                    }
                    try record(option, value: value, into: &parsed)
                } else {
                    if inline != nil { throw APICtlError.usage("--\(name) is a flag and takes no value") }
                    flag(option, into: &parsed)
                }
                continue
            }
            // A cluster of short options: -iv, -Hvalue, -p name
            var cluster = Substring(arg.dropFirst())
            while let letter = cluster.first {
                cluster = cluster.dropFirst()
                guard let option = option(short: letter, in: parsed) else {
                    throw unknownOption("-\(letter)", parsed: parsed)
                }
                if option.takesValue {
                    let value: String
                    if !cluster.isEmpty {
                        value = String(cluster.hasPrefix("=") ? cluster.dropFirst() : cluster)
                    } else {
                        guard index < argv.count else { throw missingValue(option, parsed: parsed) }
                        value = argv[index]
                        index += 1
                    }
                    try record(option, value: value, into: &parsed)
                    break
                }
                flag(option, into: &parsed)
            }
        }
        if parsed.helpRequested || parsed.versionRequested { return parsed }
        try checkArguments(parsed)
        return parsed
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

    private func positional(_ arg: String, into parsed: inout ParsedCommand) throws(APICtlError) {
        if parsed.spec.hasSubcommands && parsed.arguments.isEmpty && parsed.spec.arguments.isEmpty {
            guard let sub = parsed.spec.subcommand(arg) else {
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

    private func record(_ option: OptionSpec, value: String, into parsed: inout ParsedCommand) throws(APICtlError) {
        if let choices = option.choices, !choices.contains(value) {
            let hint = suggestion(value, among: choices).map { "did you mean '\($0)'?" } ?? "choose one of \(choices.joined(separator: ", "))"
            throw .usage("--\(option.long) does not take '\(value)'", hint: hint)
        }
        if option.repeatable {
            parsed.values[option.long, default: []].append(value)
        } else {
            parsed.values[option.long] = [value]
        }
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
