import APICtlCore

/// `apictl token print`: the only command that prints a secret, for scripts.
enum TokenPrintCommand {
    static let spec = CommandSpec(
        name: "print",
        summary: "Print the current token to stdout, and nothing else",
        discussion: "The token is resolved as for a request: APICTL_TOKEN, the profile's token_env, then the store.",
        examples: ["curl -H \"Authorization: Bearer $(apictl token print -p dzdesk)\" ..."],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let session = try context.openSession()
        guard let credential = session.credential else {
            let name = session.profile?.name ?? "?"
            throw APICtlError.auth("no credential for profile '\(name)'", hint: "run 'apictl login -p \(name)' or set APICTL_TOKEN")
        }
        context.stdout.write(credential.credential.token + "\n")
        return 0
    }
}
