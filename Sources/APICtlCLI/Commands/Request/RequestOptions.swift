import APICtlCore
import FoundationEssentials

extension RequestCommand {
    /// What `request` takes, each option as the type it is read as.
    struct Options: CommandOptions {
        let headers: [String]
        let data: String?
        let fields: [String]
        let typedFields: [String]
        let query: [String]
        let include: Bool
        let output: String?
        let timeout: Double?
        let stallTimeout: Double?
        let raw: Bool
        let paginate: Bool
        let ndjson: Bool
        let yes: Bool
        let jq: String?
        let noValidate: Bool
        let noPager: Bool
        let dryRun: Bool
        let resolve: Bool
        let curl: Bool
        let retry: RetryOptions
        let method: String
        let target: String
        let items: [String]

        init(_ declare: OptionBinding) {
            headers = declare.list("header", "H", "'NAME: VALUE'", help: "Add a request header")
            data = declare.value("data", "d", "DATA", help: "Request body: text, @file, or @- for stdin", completion: .files)
            fields = declare.list("field", "f", "KEY=VALUE", help: "Add a string field (JSON body; query for GET)",
                                  completion: .apiStringFields)
            typedFields = declare.list("typed-field", "F", "KEY=VALUE", help: "Add a typed field: number, true, false, null, JSON, or @file",
                                       completion: .apiFields)
            query = declare.list("query", nil, "KEY=VALUE", help: "Add a query parameter", completion: .apiQuery)
            include = declare.flag("include", "i", help: "Print the response status line and headers before the body")
            output = declare.value("output", "o", "FILE", help: "Write the body to FILE (streamed; FILE appears only when complete)",
                                   completion: .files)
            timeout = declare.seconds("timeout", help: "Give up after SECONDS in all: every retry and wait included (default: none)",
                                      positive: true)
            stallTimeout = declare.seconds("stall-timeout", help: "Give up when no byte arrives for SECONDS "
                                           + "(default \(Int(HTTPRequest.defaultStallTimeout)))", positive: true)
            raw = declare.flag("raw", nil, help: "Never pretty-print the body")
            paginate = declare.flag("paginate", nil, help: "Fetch every page and print one merged JSON array")
            ndjson = declare.flag("ndjson", nil, help: "With --paginate: print one item per line as pages arrive")
            yes = declare.flag("yes", "y", help: "Do not ask before a mutating request to an environment with confirm = true")
            jq = declare.value("jq", "q", "FILTER", help: "Filter the JSON body with jq's language (strings print raw, as jq -r)")
            noValidate = declare.flag("no-validate", nil, help: "Do not check the request against the API's synced description")
            noPager = declare.flag("no-pager", nil, help: "On a terminal, print straight to it, not through $APICTL_PAGER / $PAGER / less -FRX")
            dryRun = declare.flag("dry-run", nil, help: "Print the request that would be sent (credential [REDACTED]) and send nothing")
            resolve = declare.flag("resolve", nil,
                                   help: "With --dry-run: find the credential as a request would (may run a token command or refresh)")
            curl = declare.flag("curl", nil, help: "Print an equivalent curl command that reads the key from $TOKEN_ENV, and send nothing")
            retry = RetryOptions(declare)
            method = declare.argument("METHOD", help: "HTTP method: \(RequestBuilder.methods.joined(separator: ", "))",
                                      completion: .apiMethods)
            target = declare.argument("PATH", help: "Path under the profile's base URL, or a full URL", completion: .apiPaths)
            items = declare.remainingArguments("ITEM", help: "name=value, name:=json, Name:value, name==value", completion: .apiItems)
        }
    }

    /// The request the options describe, checked as a whole before anything is opened: the
    /// combinations that make no sense are exit 2, and the --jq filter is compiled, so a typo
    /// in it costs no request.
    struct Plan {
        var description: RequestDescription
        var raw: Bool
        var output: String?
        var filter: JQFilter?

        /// `filterEnvironment`: what the --jq filter's `$ENV` sees (the child environment: no secret
        /// in it), asked for only when there is a filter.
        init(_ options: Options, argv: [[UInt8]], filterEnvironment: () -> [String: String]) throws(APICtlError) {
            description = RequestDescription(method: options.method, target: options.target)
            description.headers = []
            for header in options.headers {
                // A header that is not UTF-8 goes out as its bytes on the command line, not as a Swift String's repair.
                if header.unicodeScalars.contains("\u{FFFD}"), let bytes = Self.rawValue(of: header, in: argv, flags: ["-H", "--header="]) {
                    description.rawHeaders.append(bytes)
                } else {
                    description.headers.append(header)
                }
            }
            description.data = options.data
            if let data = options.data, data.unicodeScalars.contains("\u{FFFD}") {
                description.dataBytes = Self.rawValue(of: data, in: argv, flags: ["-d", "--data="])
            }
            description.stringFields = options.fields
            description.typedFields = options.typedFields
            description.query = options.query
            description.timeout = options.timeout
            for item in options.items { try Self.add(item, to: &description) }
            // `-o -` is stdout, as in curl: the body as sent, never pretty-printed.
            raw = options.raw || options.output == "-"
            output = options.output == "-" ? nil : options.output
            try Self.checkCombinations(options, output: output)
            filter = try options.jq.map { (program: String) throws(APICtlError) in try JQFilter(program, environment: filterEnvironment()) }
        }

        private static func checkCombinations(_ options: Options, output: String?) throws(APICtlError) {
            if options.ndjson && !options.paginate { throw .usage("--ndjson goes with --paginate") }
            if options.paginate && !["GET", "HEAD"].contains(options.method.uppercased()) {
                throw .usage("--paginate fetches pages with GET; it cannot repeat a \(options.method.uppercased())",
                             hint: "drop --paginate, or list with GET")
            }
            if options.paginate && output != nil { throw .usage("--paginate cannot be combined with -o", hint: "redirect stdout instead") }
            if options.resolve && !options.dryRun { throw .usage("--resolve goes with --dry-run") }
            if options.dryRun && options.curl { throw .usage("--dry-run and --curl each print the request; pick one") }
            if options.jq != nil && output != nil {
                throw .usage("--jq prints to stdout; it cannot be combined with -o", hint: "redirect stdout instead")
            }
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

        /// An ITEM, where `RequestItem` says it goes.
        static func add(_ word: String, to description: inout RequestDescription) throws(APICtlError) {
            guard let item = RequestItem(word) else {
                throw .usage("cannot read item '\(word)'", hint: "use name=value, name:=json, Name:value or name==value")
            }
            switch item.kind {
            case .query: description.query.append("\(item.name)=\(item.value)")
            case .typedField: description.typedFields.append("\(item.name)=\(item.value)")
            case .stringField: description.stringFields.append("\(item.name)=\(item.value)")
            case .header: description.headers.append("\(item.name):\(item.value)")
            }
        }
    }
}
