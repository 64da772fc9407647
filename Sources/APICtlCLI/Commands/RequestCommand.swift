import APICtlCore
import Foundation

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
            .value("timeout", nil, "SECONDS", help: "Give up on the request after SECONDS"),
            .flag("raw", nil, help: "Never pretty-print the body"),
        ],
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
        ],
        run: run
    )

    struct Options {
        var description: RequestDescription
        var include: Bool
        var output: String?
        var raw: Bool

        init(_ parsed: ParsedCommand) throws(APICtlError) {
            var description = RequestDescription(method: parsed.arguments[0], target: parsed.arguments[1])
            description.headers = parsed.all("header")
            description.data = parsed.value("data")
            description.stringFields = parsed.all("field")
            description.typedFields = parsed.all("typed-field")
            description.query = parsed.all("query")
            description.timeout = try parsed.number("timeout")
            if description.timeout == 0 { throw .usage("--timeout must be more than 0") }
            for item in parsed.arguments.dropFirst(2) { try Self.addItem(item, to: &description) }
            self.description = description
            include = parsed.flag("include")
            output = parsed.value("output")
            raw = parsed.flag("raw")
        }

        /// httpie's shorthand: the earliest separator wins, the longest at that spot.
        static func addItem(_ item: String, to description: inout RequestDescription) throws(APICtlError) {
            let separators = ["==", ":=", "=", ":"]
            var best: (String.Index, String)?
            for separator in separators {
                guard let range = item.range(of: separator) else { continue }
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

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws -> Int32 {
        let options = try Options(parsed)
        let session = try Session.open(context, profileRequired: false)
        let request = try RequestBuilder.build(options.description, profile: session.profile,
                                               input: .files(readStandardInput: context.readStandardInput))
        let pretty = context.stdout.isTerminal && !options.raw
        let sink = ResponseSink(destination: options.output.map { .file($0) } ?? .stdout(pretty: pretty), stdout: context.stdout,
                                includeHead: options.include, color: context.globals.color)
        let head: HTTPResponseHead
        do {
            head = try session.client.send(request, to: sink)
            try sink.finish()
        } catch {
            sink.abandon()
            throw error
        }
        if options.output == nil && (!head.isSuccess || pretty) {
            ResponsePrinter.body(sink.buffered, head: head, pretty: pretty, color: context.globals.color,
                                 to: context.stdout, warn: context.warn)
        }
        guard head.isSuccess || (300..<400).contains(head.status) else {
            throw HTTPFailure.error(for: HTTPResponse(head: head, body: sink.buffered), context: session.failureContext)
        }
        return 0
    }
}
