import APICtlCore

/// `apictl token print`: the only command that prints a secret, for scripts.
enum TokenPrintCommand {
    static let spec = CommandSpec(
        name: "print",
        summary: "Print the current token to stdout, and nothing else",
        discussion: "The token is resolved as for a request: APICTL_TOKEN, the profile's token_env, then the store.",
        options: NoOptions.self,
        examples: ["curl -H \"Authorization: Bearer $(apictl token print -p dzdesk)\" ..."],
        run: run
    )

    static func run(_ options: NoOptions, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let credential = try TokenCommand.requireCredential(try context.openSession())
        context.stdout.write(credential.credential.token + "\n")
        return 0
    }
}
