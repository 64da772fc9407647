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
        options: [
            .value("header", "H", "'NAME: VALUE'", help: "Add a request header", repeatable: true),
            .value("data", "d", "DATA", help: "Request body: text, @file, or @- for stdin", completion: .files),
            .value("field", "f", "KEY=VALUE", help: "Add a string field (JSON body; query for GET)", repeatable: true,
                   completion: .apiStringFields),
            .value("typed-field", "F", "KEY=VALUE", help: "Add a typed field: number, true, false, null, JSON, or @file",
                   repeatable: true, completion: .apiFields),
            .value("query", nil, "KEY=VALUE", help: "Add a query parameter", repeatable: true, completion: .apiQuery),
            .flag("include", "i", help: "Print the response status line and headers before the body"),
            .value("output", "o", "FILE", help: "Write the body to FILE (streamed; FILE appears only when complete)",
                   completion: .files),
            .value("timeout", nil, "SECONDS", help: "Give up after SECONDS in all: every retry and wait included (default: none)"),
            .value("stall-timeout", nil, "SECONDS",
                   help: "Give up when no byte arrives for SECONDS (default \(Int(HTTPRequest.defaultStallTimeout)))"),
            .flag("raw", nil, help: "Never pretty-print the body"),
            .flag("paginate", nil, help: "Fetch every page and print one merged JSON array"),
            .flag("ndjson", nil, help: "With --paginate: print one item per line as pages arrive"),
            .flag("yes", "y", help: "Do not ask before a mutating request to an environment with confirm = true"),
            .value("jq", "q", "FILTER", help: "Filter the JSON body with jq's language (strings print raw, as jq -r)"),
            .flag("no-validate", nil, help: "Do not check the request against the API's synced description"),
            .flag("no-pager", nil, help: "On a terminal, print straight to it, not through $APICTL_PAGER / $PAGER / less -FRX"),
            .flag("dry-run", nil, help: "Print the request that would be sent (credential [REDACTED]) and send nothing"),
            .flag("resolve", nil, help: "With --dry-run: find the credential as a request would (may run a token command or refresh)"),
            .flag("curl", nil, help: "Print an equivalent curl command that reads the key from $TOKEN_ENV, and send nothing"),
        ] + RetryOptions.specs,
        arguments: [
            ArgumentSpec("METHOD", help: "HTTP method: \(RequestBuilder.methods.joined(separator: ", "))",
                         completion: .apiMethods),
            ArgumentSpec("PATH", help: "Path under the profile's base URL, or a full URL", completion: .apiPaths),
            ArgumentSpec("ITEM", help: "name=value, name:=json, Name:value, name==value", optional: true, repeating: true,
                         completion: .apiItems),
        ],
        examples: [
            "apictl request GET /me -p dzdesk",
            "apictl request POST /requests -f title=Broken -F priority=2",
            "apictl request GET /requests --query status=open | jq '.data'",
            "apictl request PUT /items/7 -d @item.json",
            "apictl request GET /requests --paginate --ndjson | jq -r .title",
        ],
        run: run
    )

    struct Options {
        var description: RequestDescription
        var include: Bool
        var output: String?
        var raw: Bool
        var paginate: Bool
        var ndjson: Bool
        var retry: RetryPolicy
        var stallTimeout: Double
        var dryRun: Bool
        var resolve: Bool
        var curl: Bool
        var jq: JQFilter?
        var skipValidation: Bool

        init(_ parsed: ParsedCommand, argv: [[UInt8]] = []) throws(APICtlError) {
            var description = RequestDescription(method: parsed.arguments[0], target: parsed.arguments[1])
            description.headers = []
            for header in parsed.all("header") {
                // A header that is not UTF-8 goes out as its bytes on the command line, not as a Swift String's repair.
                if header.unicodeScalars.contains("\u{FFFD}"), let bytes = Self.rawValue(of: header, in: argv, flags: ["-H", "--header="]) {
                    description.rawHeaders.append(bytes)
                } else {
                    description.headers.append(header)
                }
            }
            description.data = parsed.value("data")
            if let data = description.data, data.unicodeScalars.contains("\u{FFFD}") {
                description.dataBytes = Self.rawValue(of: data, in: argv, flags: ["-d", "--data="])
            }
            description.stringFields = parsed.all("field")
            description.typedFields = parsed.all("typed-field")
            description.query = parsed.all("query")
            description.timeout = try parsed.number("timeout")
            if description.timeout == 0 { throw .usage("--timeout must be more than 0") }
            for item in parsed.arguments.dropFirst(2) { try Self.addItem(item, to: &description) }
            self.description = description
            include = parsed.flag("include")
            raw = parsed.flag("raw")
            // `-o -` is stdout, as in curl: the body as sent, never pretty-printed.
            output = parsed.value("output")
            if output == "-" {
                output = nil
                raw = true
            }
            paginate = parsed.flag("paginate")
            ndjson = parsed.flag("ndjson")
            retry = try RetryOptions.policy(parsed)
            stallTimeout = try parsed.number("stall-timeout") ?? HTTPRequest.defaultStallTimeout
            if stallTimeout == 0 { throw .usage("--stall-timeout must be more than 0") }
            if ndjson && !paginate { throw .usage("--ndjson goes with --paginate") }
            if paginate && !["GET", "HEAD"].contains(description.method.uppercased()) {
                throw .usage("--paginate fetches pages with GET; it cannot repeat a \(description.method.uppercased())",
                             hint: "drop --paginate, or list with GET")
            }
            if paginate && output != nil { throw .usage("--paginate cannot be combined with -o", hint: "redirect stdout instead") }
            skipValidation = parsed.flag("no-validate")
            dryRun = parsed.flag("dry-run")
            resolve = parsed.flag("resolve")
            curl = parsed.flag("curl")
            if resolve && !dryRun { throw .usage("--resolve goes with --dry-run") }
            if dryRun && curl { throw .usage("--dry-run and --curl each print the request; pick one") }
            // Compiled here, before anything is sent: a typo in the filter costs no request.
            jq = try parsed.value("jq").map { (program: String) throws(APICtlError) in try JQFilter(program) }
            if jq != nil && output != nil { throw .usage("--jq prints to stdout; it cannot be combined with -o", hint: "redirect stdout instead") }
        }

        /// The bytes of argv behind a value whose Swift String lost some (not UTF-8): the argument
        /// that decodes to it, as `-d VALUE`, `-dVALUE` or `--data=VALUE` (or the -H forms).
        static func rawValue(of value: String, in arguments: [[UInt8]], flags: [String]) -> [UInt8]? {
            for argument in arguments {
                for prefix in [""] + flags where argument.starts(with: Array(prefix.utf8)) {
                    let rest = Array(argument.dropFirst(prefix.utf8.count))
                    if String(decoding: rest, as: UTF8.self) == value { return rest }
                }
            }
            return nil
        }

        /// httpie's shorthand: the earliest separator wins, the longest at that spot.
        static func addItem(_ item: String, to description: inout RequestDescription) throws(APICtlError) {
            let separators = ["==", ":=", "=", ":"]
            var best: (String.Index, String)?
            for separator in separators {
                guard let range = item.firstRange(ofText: separator) else { continue }
                if let current = best, current.0 <= range.lowerBound { continue }
                best = (range.lowerBound, separator)
            }
            guard let (index, separator) = best, index != item.startIndex else {
                throw .usage("cannot read item '\(item)'", hint: "use name=value, name:=json, Name:value or name==value")
            }
            let key = String(item[..<index])
            let value = String(item[item.index(index, offsetBy: separator.count)...])
            switch separator {
            case "==": description.query.append("\(key)=\(value)")
            case ":=": description.typedFields.append("\(key)=\(value)")
            case "=": description.stringFields.append("\(key)=\(value)")
            default: description.headers.append("\(key):\(value)")
            }
        }
    }

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let started = context.now()
        let options = try Options(parsed, argv: context.rawArguments)
        if (options.dryRun && !options.resolve) || options.curl { return try preview(options, context) }
        let session = try context.openSession()
        session.client.deadline = options.description.timeout.map { started.addingTimeInterval($0) }
        session.client.stallTimeout = options.stallTimeout
        try confirmIfAsked(options.description, session.profile, yes: parsed.flag("yes"), context)
        session.client.retryPolicy = options.retry
        // A body on the terminal goes through the pager; a download, a pipe or --no-pager never does.
        let pager = options.output == nil && !parsed.flag("no-pager")
            ? Pager.start(stdout: context.stdout, environment: context.childEnvironment, warn: context.warn) : nil
        defer { pager?.finish() }
        let request = try RequestBuilder.build(options.description, profile: session.profile,
                                               input: .files(readStandardInput: context.readStandardInput,
                                                             standardInput: context.standardInput))
        if !options.skipValidation, let profile = session.profile {
            try checkAgainstDescription(request, profile: profile, context)
        }
        if options.dryRun {
            if let credential = session.client.credential { context.stderr.write("# credential from \(credential.source)\n") }
            context.stdout.write(RequestPreview.dryRun(try session.client.prepared(request), redactor: session.client.redactor,
                                                       bodySource: options.description.data))
            return 0
        }
        if options.paginate { return try paginate(request, options, session, context) }
        if let filter = options.jq { return try filtered(request, through: filter, options, session, context) }
        let pretty = context.stdout.isTerminal && !options.raw
        let sink = ResponseSink(destination: options.output.map { .file($0) } ?? .stdout(pretty: pretty), stdout: context.stdout,
                                includeHead: options.include, color: context.globals.color)
        if options.output != nil, context.stderr.isTerminal { sink.progress = ProgressBar(out: context.stderr) }
        defer { InterruptCleanup.cancel() }
        let head: HTTPResponseHead
        do {
            head = try session.client.send(request, to: sink)
            if head.isSuccess { try sink.finish() } else { sink.abandon() }
            if head.isSuccess, let output = options.output, context.stderr.isTerminal {
                context.stderr.write("saved \(sink.writtenBytes) bytes to \(output)\n")
            }
        } catch {
            sink.abandon()
            throw error
        }
        if options.include && !sink.headPrinted {
            context.stdout.write(ResponsePrinter.statusAndHeaders(head, color: context.globals.color))
        }
        if sink.overflowed {
            if pretty { context.warn("the body is larger than \(ResponseSink.bufferLimit >> 20) MiB; printed as received, not pretty-printed") }
        } else if options.output == nil && (!head.isSuccess || pretty) {
            ResponsePrinter.body(sink.buffered, head: head, pretty: pretty, color: context.globals.color,
                                 to: context.stdout, warn: context.warn)
        }
        guard head.isSuccess || (300..<400).contains(head.status) else {
            throw HTTPFailure.error(for: HTTPResponse(head: head, body: sink.buffered), context: session.failureContext)
        }
        return 0
    }

    /// When `api sync` indexed the API's description: an unknown path or method warns;
    /// what the description rules out for a known operation is exit 2, before sending.
    static func checkAgainstDescription(_ request: HTTPRequest, profile: ResolvedProfile,
                                        _ context: CommandContext) throws(APICtlError) {
        guard let target = URLParts.parse(request.url), target.origin == profile.base.origin,
              let index = OpenAPIIndex.load(profile: profile.name, cacheDirectory: context.configLocation.cacheDirectory) else { return }
        guard let path = OpenAPIIndex.path(target.path, under: profile.base.path) else { return }
        let query = target.rest.firstIndex(of: "?").map { FormQuery.pairs(String(target.rest[target.rest.index(after: $0)...].prefix { $0 != "#" })) } ?? []
        let credentialQuery = { () -> String? in if case .query(let name) = profile.auth { return name }; return nil }()
        let isJSON = request.headers["Content-Type"]?.containsText("json") ?? false
        let body = request.body.flatMap { isJSON ? JSONValue(parsing: $0) : nil }
        let outcome = try RequestCheck.check(method: request.method, path: path,
                                             query: query.filter { $0.0 != credentialQuery }, body: body, index: index)
        for warning in outcome.warnings { context.warn(warning + " (--no-validate skips this check)") }
    }

    /// `--jq` on one response: the whole body is read, then filtered; an error body is
    /// printed as received, with its one line on stderr, as without --jq.
    static func filtered(_ request: HTTPRequest, through filter: JQFilter, _ options: Options, _ session: CredentialSession,
                         _ context: CommandContext) throws(APICtlError) -> Int32 {
        let held = HeldBody()
        let head = try session.client.send(request, to: held)
        if options.include { context.stdout.write(ResponsePrinter.statusAndHeaders(head, color: context.globals.color)) }
        guard head.isSuccess else {
            let response = HTTPResponse(head: head, body: held.bytes)
            ResponsePrinter.body(response.body, head: head, pretty: false, color: false, to: context.stdout, warn: context.warn)
            throw HTTPFailure.error(for: response, context: session.failureContext)
        }
        let left = session.client.deadline.map { $0.timeIntervalSince(context.now()) }
        try held.withBytes { (bytes) throws(APICtlError) in
            try ResponsePrinter.filtered(bytes, through: filter, terminal: context.stdout.isTerminal, color: context.globals.color,
                                         deadline: left, to: context.stdout)
        }
        return 0
    }

    /// `--dry-run` (without --resolve) and `--curl`: the profile alone, a placeholder for the
    /// credential, so no token command runs, no CI token is exchanged and nothing is refreshed.
    static func preview(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (_, profile) = try context.selectProfile()
        let client = context.makeClient(transport: try context.openTransport(), profile: profile,
                                        credential: profile.map(RequestPreview.placeholderCredential))
        let request = try client.prepared(try RequestBuilder.build(options.description, profile: profile,
                                                                   input: .files(readStandardInput: context.readStandardInput,
                                                                                 standardInput: context.standardInput)))
        if !options.skipValidation, let profile { try checkAgainstDescription(request, profile: profile, context) }
        if options.curl {
            context.stdout.write(try RequestPreview.curl(request, profile: profile, redactor: client.redactor, data: options.description.data))
        } else {
            if let profile { context.stderr.write("# credential: \(RequestPreview.expectedSource(profile, environment: context.environment))\n") }
            context.stdout.write(RequestPreview.dryRun(request, redactor: client.redactor, bodySource: options.description.data))
        }
        return 0
    }

    /// `confirm = true` on the environment (production, say): POST, PUT, PATCH and
    /// DELETE are asked about on a terminal, and need --yes without one.
    static func confirmIfAsked(_ description: RequestDescription, _ profile: ResolvedProfile?, yes: Bool,
                               _ context: CommandContext) throws(APICtlError) {
        let method = description.method.uppercased()
        guard let profile, profile.confirmMutations, ["POST", "PUT", "PATCH", "DELETE"].contains(method), !yes else { return }
        let question = "\(profile.environment ?? profile.name): \(method) \(description.target)?"
        try TerminalInput.requireConfirmation(
            question, declined: "nothing was sent",
            withoutTerminal: .usage("\(question.dropLast()) needs confirmation and there is no terminal to ask on", hint: "pass --yes"),
            stdinIsTerminal: context.stdinIsTerminal)
    }

    /// `--paginate`: one merged JSON array (streamed when piped), or one item per line with --ndjson.
    static func paginate(_ request: HTTPRequest, _ options: Options, _ session: CredentialSession, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let pretty = context.stdout.isTerminal && !options.raw && !options.ndjson
        // With --jq the merged array is held and filtered once (each item is, with --ndjson).
        let hold = pretty || options.jq != nil
        let paginator = Paginator(client: session.client, config: session.profile?.pagination, failureContext: session.failureContext)
        var collected: [UInt8] = []
        var count = 0
        func emit(_ bytes: [UInt8]) { if hold { collected += bytes } else { context.stdout.write(bytes) } }
        var filterFailure: APICtlError?
        do {
            try paginator.run(request) { body, items in
                for range in items {
                    if options.ndjson, let filter = options.jq {
                        guard filterFailure == nil else { return }
                        do throws(APICtlError) {
                            let left = session.client.deadline?.timeIntervalSince(context.now())
                            try ResponsePrinter.filtered(Array(body[range]), through: filter, terminal: context.stdout.isTerminal,
                                                         color: context.globals.color, deadline: left, to: context.stdout)
                        } catch { filterFailure = error }
                    } else if options.ndjson {
                        context.stdout.write(RawJSON.minified(body[range]) + [0x0A])
                    } else {
                        emit(Array((count == 0 ? "[\n" : ",\n").utf8) + body[range])
                    }
                    count += 1
                }
            }
        } catch {
            if !options.ndjson && count > 0 && !hold { context.stdout.write("\n]\n") }
            throw error
        }
        if let filterFailure { throw filterFailure }
        if !options.ndjson {
            emit(Array((count == 0 ? "[]\n" : "\n]\n").utf8))
            if let filter = options.jq {
                try ResponsePrinter.filtered(collected, through: filter, terminal: context.stdout.isTerminal,
                                             color: context.globals.color,
                                             deadline: session.client.deadline.map { $0.timeIntervalSince(context.now()) },
                                             to: context.stdout)
            } else if pretty, let formatted = JSONPrettyPrinter(color: context.globals.color).format(collected) {
                context.stdout.write(formatted)
            } else if pretty {
                context.stdout.write(collected)
            }
        }
        return 0
    }
}
