import APICtlCore

/// The root of the command tree and the dispatcher: parse, then run the
/// chosen command with what it needs, and turn any failure into one stderr
/// line and its exit code.
public enum App {
    public static let commandTree = CommandSpec(
        name: "apictl",
        summary: "a client for token-authenticated HTTP APIs",
        discussion: """
        Log in to an API, keep its keys safe, and make authenticated requests from a
        shell or a CI job. Tokens come from APICTL_TOKEN, the profile's token_env,
        or the credential store; never from the command line.
        """,
        subcommands: [
            .init("login") { LoginCommand.spec },
            .init("logout") { LogoutCommand.spec },
            .init("whoami") { WhoamiCommand.spec },
            .init("request") { RequestCommand.spec },
            .init("batch") { BatchCommand.spec },
            .init("api") { ApiCommand.spec },
            .init("token") { TokenCommand.spec },
            .init("account") { AccountCommand.spec },
            .init("audit") { AuditCommand.spec },
            .init("profile") { ProfileCommand.spec },
            .init("credentials") { CredentialsCommand.spec },
            .init("doctor") { DoctorCommand.spec },
            .init("completion") { CompletionCommand.spec },
            .init("help") { HelpCommand.spec },
            .init("version") { VersionCommand.spec },
        ],
        examples: [
            "apictl profile add dzdesk --preset dzdesk",
            "DZDESK_TOKEN=... apictl request GET /me -p dzdesk",
            "apictl request POST /requests -f title=Broken -F priority=2",
        ]
    )

    public static let parser = ArgumentParser(root: commandTree, globalOptions: GlobalOptions.specs)

    public static func main(arguments: [String], context: CommandContext) -> Int32 {
        var status = dispatch(arguments, context: context)
        if let failure = context.audit.failure {
            context.warn("could not add to the audit record: \(failure.message)")
        }
        // Whatever the command thought, a cut stdout is a failure (disk full, a closed pipe with
        // SIGPIPE ignored, a stream that started closed): --help and --version included, and a
        // command that failed for another reason too (its own line is already out), since what
        // it printed to explain that (a doctor report, an error body) was lost.
        if let lost = context.stdout.lost, status != ExitCode.outputFailed.rawValue {
            context.stderr.write(lost.line + "\n")
            status = ExitCode.outputFailed.rawValue
        }
        return status
    }

    /// Parses and runs; every failure becomes one stderr line and its exit code.
    private static func dispatch(_ arguments: [String], context: CommandContext) -> Int32 {
        if arguments.first == "__complete" {
            return CompletionCommand.answer(Array(arguments.dropFirst()), context: context)
        }
        if arguments == ["__man"] {
            context.stdout.write(ManPage.render())
            return 0
        }
        let parsed: ParsedCommand
        do {
            parsed = try parser.parse(arguments)
        } catch {
            context.stderr.write(error.line + "\n")
            return error.exitCode.rawValue
        }
        do {
            context.globals = GlobalOptions(try OptionBinding.read(GlobalFlags.self, from: parsed), environment: context.environment,
                                            stdoutIsTerminal: context.stdout.isTerminal)
        } catch {
            context.stderr.write(error.line + "\n")
            return error.exitCode.rawValue
        }
        if parsed.versionRequested {
            context.stdout.write("apictl \(APICtlVersion.current)\n")
            return 0
        }
        guard !parsed.helpRequested, let run = parsed.spec.run else {
            context.stdout.write(HelpFormatter.render(parsed.spec, path: parsed.path, globals: GlobalOptions.specs))
            return 0
        }
        // Commands throw only APICtlError, so every failure is one line with a documented exit code.
        do {
            return try run(parsed, context)
        } catch {
            context.stderr.write(error.line + "\n")
            return error.exitCode.rawValue
        }
    }
}
