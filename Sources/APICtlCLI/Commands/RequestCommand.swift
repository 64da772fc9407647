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
            .value("field", "f", "KEY=VALUE", help: "Add a string field (JSON body; query for GET)", repeatable: true),
            .value("typed-field", "F", "KEY=VALUE", help: "Add a typed field: number, true, false, null, JSON, or @file",
                   repeatable: true, completion: .files),
            .value("query", nil, "KEY=VALUE", help: "Add a query parameter", repeatable: true),
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
        ] + RetryOptions.specs,
        arguments: [
            ArgumentSpec("METHOD", help: "HTTP method: \(RequestBuilder.methods.joined(separator: ", "))",
                         completion: .choices(RequestBuilder.methods)),
            ArgumentSpec("PATH", help: "Path under the profile's base URL, or a full URL"),
            ArgumentSpec("ITEM", help: "name=value, name:=json, Name:value, name==value", optional: true, repeating: true),
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
        let session = try context.openSession()
        session.client.deadline = options.description.timeout.map { started.addingTimeInterval($0) }
        session.client.stallTimeout = options.stallTimeout
        try confirmIfAsked(options.description, session.profile, yes: parsed.flag("yes"), context)
        session.client.retryPolicy = options.retry
        let request = try RequestBuilder.build(options.description, profile: session.profile,
                                               input: .files(readStandardInput: context.readStandardInput,
                                                             standardInput: context.standardInput))
        if options.paginate { return try paginate(request, options, session, context) }
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

    /// `confirm = true` on the environment (production, say): POST, PUT, PATCH and
    /// DELETE are asked about on a terminal, and need --yes without one.
    static func confirmIfAsked(_ description: RequestDescription, _ profile: ResolvedProfile?, yes: Bool,
                               _ context: CommandContext) throws(APICtlError) {
        let method = description.method.uppercased()
        guard let profile, profile.confirmMutations, ["POST", "PUT", "PATCH", "DELETE"].contains(method), !yes else { return }
        let question = "\(profile.environment ?? profile.name): \(method) \(description.target)?"
        guard context.stdinIsTerminal, let answer = TerminalInput.confirm(question) else {
            throw .usage("\(question.dropLast()) needs confirmation and there is no terminal to ask on", hint: "pass --yes")
        }
        guard answer else { throw .usage("not confirmed; nothing was sent") }
    }

    /// `--paginate`: one merged JSON array (streamed when piped), or one item per line with --ndjson.
    static func paginate(_ request: HTTPRequest, _ options: Options, _ session: CredentialSession, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let pretty = context.stdout.isTerminal && !options.raw && !options.ndjson
        let paginator = Paginator(client: session.client, config: session.profile?.pagination, failureContext: session.failureContext)
        var collected: [UInt8] = []
        var count = 0
        func emit(_ bytes: [UInt8]) { if pretty { collected += bytes } else { context.stdout.write(bytes) } }
        do {
            try paginator.run(request) { body, items in
                for range in items {
                    if options.ndjson {
                        context.stdout.write(RawJSON.minified(body[range]) + [0x0A])
                    } else {
                        emit(Array((count == 0 ? "[\n" : ",\n").utf8) + body[range])
                    }
                    count += 1
                }
            }
        } catch {
            if !options.ndjson && count > 0 && !pretty { context.stdout.write("\n]\n") }
            throw error
        }
        if !options.ndjson {
            emit(Array((count == 0 ? "[]\n" : "\n]\n").utf8))
            if pretty, let formatted = JSONPrettyPrinter(color: context.globals.color).format(collected) {
                context.stdout.write(formatted)
            } else if pretty {
                context.stdout.write(collected)
            }
        }
        return 0
    }
}
