import APICtlCore

extension RequestCommand {
    /// `--dry-run` (without --resolve) and `--curl`: the profile alone, a placeholder for the
    /// credential, so no token command runs, no CI token is exchanged and nothing is refreshed.
    static func preview(_ plan: Plan, _ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (_, profile) = try context.selectProfile()
        let client = context.makeClient(transport: try context.openTransport(), profile: profile,
                                        credential: profile.map(RequestPreview.placeholderCredential))
        let request = try client.prepared(try RequestBuilder.build(plan.description, profile: profile,
                                                                   input: .files(readStandardInput: context.readStandardInput,
                                                                                 standardInput: context.standardInput)))
        if !options.noValidate, let profile { try checkAgainstDescription(request, profile: profile, context) }
        if options.curl {
            context.stdout.write(try RequestPreview.curl(request, profile: profile, redactor: client.redactor, data: plan.description.data))
            if let profile, case .store = PlannedCredential.plan(profile: profile, environment: context.environment) {
                let variable = RequestPreview.variable(for: profile)
                let print = "apictl token print \(profile.selectionFlags)"
                context.stderr.write("# the line reads the key from $\(variable): export \(variable)=\"$(\(print))\" first\n")
            }
        } else {
            if let profile {
                context.stderr.write(choiceComments(profile))
                context.stderr.write("# credential: \(RequestPreview.expectedSource(profile, environment: context.environment))\n")
            }
            context.stdout.write(RequestPreview.dryRun(request, redactor: client.redactor, bodySource: plan.description.data))
        }
        return 0
    }

    /// `--dry-run --resolve`: the credential found as a request finds it, still shown [REDACTED].
    static func resolvedPreview(_ request: HTTPRequest, _ plan: Plan, _ session: CredentialSession,
                                _ context: CommandContext) throws(APICtlError) -> Int32 {
        if let profile = session.profile { context.stderr.write(choiceComments(profile)) }
        if let credential = session.client.credential { context.stderr.write("# credential from \(credential.source)\n") }
        context.stdout.write(RequestPreview.dryRun(try session.client.prepared(request), redactor: session.client.redactor,
                                                   bodySource: plan.description.data))
        return 0
    }

    /// "# profile: api (from /work/api/.apictl.toml)" and the environment and account lines.
    static func choiceComments(_ profile: ResolvedProfile) -> String {
        profile.choiceLines.map { "# \($0.label): \($0.value)\n" }.joined()
    }
}
