import APICtlCore
import FoundationEssentials

/// `apictl request METHOD PATH [ITEM...]`: one authenticated request.
enum RequestCommand {
    static let spec = CommandSpec(
        name: "request",
        summary: "Make an authenticated request",
        discussion: """
        PATH is relative to the profile's base URL ({var} placeholders are filled from
        the profile), or a full URL; the credential is attached only when the URL is on
        the profile's own origin. ITEMs are shorthands: name=value (string field),
        name:=json (typed field), Name:value (header), name==value (query parameter).
        The body goes to stdout untouched when piped, pretty-printed on a terminal.
        """,
        options: Options.self,
        examples: [
            "apictl request GET /me -p dzdesk",
            "apictl request POST /requests -f title=Broken -F priority=2",
            "apictl request GET /requests --query status=open | jq '.data'",
            "apictl request PUT /items/7 -d @item.json",
            "apictl request GET /requests --paginate --ndjson | jq -r .title",
        ],
        run: run
    )

    /// Previews print without a session; everything else opens the profile's session, asks
    /// where the environment wants asking, checks the request against the API's description,
    /// then sends it in the mode the options chose.
    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let started = context.now()
        let plan = try Plan(options, argv: context.rawArguments, filterEnvironment: { context.childEnvironment.variables })
        if (options.dryRun && !options.resolve) || options.curl { return try preview(plan, options, context) }
        // A path that cannot be sent (an unfilled {name}) is exit 2 before any credential work:
        // renewing an expired token is a request too.
        _ = try RequestBuilder.targetURL(plan.description.target, profile: try context.selectProfile().1)
        let session = try context.openSession(settings: context.clientSettings(
            retryPolicy: options.retry.policy, deadline: plan.description.timeout.map { started.addingTimeInterval($0) },
            stallTimeout: options.stallTimeout ?? HTTPRequest.defaultStallTimeout))
        try confirmIfAsked(plan.description, session.profile, yes: options.yes, context)
        // A body on the terminal goes through the pager; a download, a pipe or --no-pager never does.
        let pager = plan.output == nil && !options.noPager
            ? Pager.start(stdout: context.stdout, environment: context.childEnvironment, warn: context.warn) : nil
        defer { pager?.finish() }
        let request = try RequestBuilder.build(plan.description, profile: session.profile,
                                               input: .files(readStandardInput: context.readStandardInput,
                                                             standardInput: context.standardInput))
        if !options.noValidate, let profile = session.profile {
            try checkAgainstDescription(request, profile: profile, context)
        }
        if options.dryRun { return try resolvedPreview(request, plan, session, context) }
        if options.paginate { return try paginate(request, plan, ndjson: options.ndjson, session, context) }
        if let filter = plan.filter { return try filtered(request, through: filter, include: options.include, session, context) }
        return try send(request, plan, include: options.include, session, context)
    }

    /// `confirm = true` on the environment (production, say): POST, PUT, PATCH and
    /// DELETE are asked about on a terminal, and need --yes without one.
    static func confirmIfAsked(_ description: RequestDescription, _ profile: ResolvedProfile?, yes: Bool,
                               _ context: CommandContext) throws(APICtlError) {
        let method = description.method.uppercased()
        guard let profile, profile.confirmMutations, ["POST", "PUT", "PATCH", "DELETE"].contains(method), !yes else { return }
        let question = "\(profile.environment ?? profile.name)\(profile.projectChoiceNote): \(method) \(description.target)?"
        try TerminalInput.requireConfirmation(
            question, declined: "nothing was sent",
            withoutTerminal: .usage("\(question.dropLast()) needs confirmation and there is no terminal to ask on", hint: "pass --yes"),
            stdinIsTerminal: context.stdinIsTerminal)
    }

    /// When `api sync` indexed the API's description: an unknown path or method warns;
    /// what the description rules out for a known operation is exit 2, before sending.
    static func checkAgainstDescription(_ request: HTTPRequest, profile: ResolvedProfile,
                                        _ context: CommandContext) throws(APICtlError) {
        guard let target = URLParts.parse(request.url), target.origin == profile.base.origin,
              let path = OpenAPIIndex.path(target.path, under: profile.base.path) else { return }
        let cache = context.configLocation.cacheDirectory
        let lookup = OperationRoutes.lookup(method: request.method, path: path, profile: profile.name, cacheDirectory: cache)
        if case .noIndex = lookup { return }
        // Read after the lookup, so a profile without a description pays nothing for it.
        guard SyncRecord.indexIsCurrent(for: profile, cacheDirectory: cache) else {
            let environment = profile.environment.map { " -e \($0)" } ?? ""
            context.warn("the description synced for '\(profile.name)' was for another openapi setting or base path: "
                         + "not checked (run 'apictl api sync -p \(profile.name)\(environment)')")
            return
        }
        let query = target.rest.firstIndex(of: "?").map { FormQuery.pairs(String(target.rest[target.rest.index(after: $0)...].prefix { $0 != "#" })) } ?? []
        let credentialQuery = { () -> String? in if case .query(let name) = profile.auth { return name }; return nil }()
        let checkedQuery = query.filter { $0.0 != credentialQuery }
        let isJSON = request.headers["Content-Type"]?.containsText("json") ?? false
        let body = request.body.flatMap { isJSON ? JSONValue(parsing: $0) : nil }
        let outcome: RequestCheck.Outcome
        if case .found(let operation) = lookup {
            var found = try RequestCheck.check(operation, query: checkedQuery, body: body)
            if let warning = RequestCheck.trailingSlashWarning(operation, path: path) { found.warnings.append(warning) }
            outcome = found
        } else {
            // Not in its group (or an older index): the whole index says what the description has instead.
            guard let index = OpenAPIIndex.load(profile: profile.name, cacheDirectory: cache) else { return }
            outcome = try RequestCheck.check(method: request.method, path: path, query: checkedQuery, body: body, index: index)
        }
        for warning in outcome.warnings { context.warn(warning + " (--no-validate skips this check)") }
    }
}
