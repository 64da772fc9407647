import APICtlCore

/// `apictl help [COMMAND...]`: the same text as `apictl COMMAND... --help`.
enum HelpCommand {
    static let spec = CommandSpec(
        name: "help",
        summary: "Show help for a command (the same as COMMAND --help)",
        options: Options.self,
        examples: ["apictl help request", "apictl help token rotate"],
        run: run
    )

    struct Options: CommandOptions {
        let command: [String]
        init(_ declare: OptionBinding) { command = declare.remainingArguments("COMMAND", help: "The command, e.g. 'token rotate'") }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let target = try App.parser.parse(options.command + ["--help"])
        context.stdout.write(HelpFormatter.render(target.spec, path: target.path, globals: GlobalOptions.specs))
        return 0
    }
}

/// `apictl version`: the same as `apictl --version`.
enum VersionCommand {
    static let spec = CommandSpec(
        name: "version",
        summary: "Print apictl's version (the same as --version)",
        options: NoOptions.self,
        run: run
    )

    static func run(_ options: NoOptions, _ context: CommandContext) throws(APICtlError) -> Int32 {
        context.stdout.write("apictl \(APICtlVersion.current)\n")
        return 0
    }
}
