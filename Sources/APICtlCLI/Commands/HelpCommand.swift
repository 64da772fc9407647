import APICtlCore

/// `apictl help [COMMAND...]`: the same text as `apictl COMMAND... --help`.
enum HelpCommand {
    static let spec = CommandSpec(
        name: "help",
        summary: "Show help for a command (the same as COMMAND --help)",
        arguments: [ArgumentSpec("COMMAND", help: "The command, e.g. 'token rotate'", optional: true, repeating: true)],
        examples: ["apictl help request", "apictl help token rotate"],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let target = try App.parser.parse(parsed.arguments + ["--help"])
        context.stdout.write(HelpFormatter.render(target.spec, path: target.path, globals: GlobalOptions.specs))
        return 0
    }
}

/// `apictl version`: the same as `apictl --version`.
enum VersionCommand {
    static let spec = CommandSpec(
        name: "version",
        summary: "Print apictl's version (the same as --version)",
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        context.stdout.write("apictl \(APICtlVersion.current)\n")
        return 0
    }
}
