/// Renders `--help` from the command tree, so help can never drift from parsing.
public enum HelpFormatter {
    public static func usageLine(_ spec: CommandSpec, path: [String]) -> String {
        var parts = ["apictl"] + path
        if spec.hasSubcommands && spec.run == nil {
            parts.append("<command>")
        }
        for argument in spec.arguments {
            let name = argument.repeating ? "\(argument.name)..." : argument.name
            parts.append(argument.optional ? "[\(name)]" : name)
        }
        parts.append("[options]")
        return parts.joined(separator: " ")
    }

    public static func render(_ spec: CommandSpec, path: [String], globals: [OptionSpec]) -> String {
        var out = path.isEmpty ? "apictl: \(spec.summary)\n" : "\((["apictl"] + path).joined(separator: " ")): \(spec.summary)\n"
        out += "\nUsage:\n  \(usageLine(spec, path: path))\n"
        if let discussion = spec.discussion { out += "\n" + discussion + "\n" }
        if spec.hasSubcommands {
            out += "\nCommands:\n"
            out += table(spec.subcommands.map { ($0.name, $0.summary) })
        }
        if !spec.arguments.isEmpty {
            out += "\nArguments:\n"
            out += table(spec.arguments.map { ($0.name, $0.help) })
        }
        if !spec.options.isEmpty {
            out += "\nOptions:\n" + table(spec.options.map(optionRow))
        }
        out += "\nGlobal options:\n" + table(globals.map(optionRow))
        if !spec.examples.isEmpty {
            out += "\nExamples:\n" + spec.examples.map { "  $ \($0)\n" }.joined()
        }
        if spec.hasSubcommands {
            out += "\nRun '\((["apictl"] + path).joined(separator: " ")) <command> --help' for a command's options.\n"
        }
        if path.isEmpty {
            out += "Exit codes and configuration: see docs/ or 'man apictl'.\n"
        }
        return out
    }

    static func optionRow(_ option: OptionSpec) -> (String, String) {
        var left = option.short.map { "-\($0), " } ?? "    "
        left += "--\(option.long)"
        if let value = option.valueName { left += " \(value)" }
        var help = option.help
        if let choices = option.choices { help += " (\(choices.joined(separator: "|")))" }
        if option.repeatable { help += " [repeatable]" }
        if let env = option.env { help += " [env: \(env)]" }
        return (left, help)
    }

    static func table(_ rows: [(String, String)]) -> String {
        let width = min(32, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { left, right in
            let pad = left.count < width ? String(repeating: " ", count: width - left.count) : "\n  " + String(repeating: " ", count: width)
            return "  \(left)\(pad)\(right)\n"
        }.joined()
    }
}
