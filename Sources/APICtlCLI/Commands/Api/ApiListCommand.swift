import APICtlCore

/// `apictl api list [FILTER]`: the operations of the synced description, one a line.
enum ApiListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "List the API's operations (method, path, summary)",
        options: Options.self,
        examples: ["apictl api list", "apictl api list requests", "apictl api list --json | jq -r '.[].path'"],
        run: run
    )

    struct Options: CommandOptions {
        let json: Bool
        let filter: String?

        init(_ declare: OptionBinding) {
            json = declare.flag("json", nil, help: "Print JSON")
            filter = declare.optionalArgument("FILTER", help: "Only operations whose method, path or summary contains this")
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (index, _, _) = try ApiCommand.index(context)
        let filter = options.filter?.lowercased()
        let operations = index.operations.filter { operation in
            guard let filter else { return true }
            return (operation.method + " " + operation.path + " " + (operation.summary ?? "")).lowercased().contains(filter)
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
        if options.json {
            context.stdout.write(JSONOutput.render(.array(operations.map { operation in
                .object(["method": .string(operation.method), "path": .string(operation.path), "summary": JSONValue(operation.summary)])
            })))
            return 0
        }
        if operations.isEmpty, let filter = options.filter {
            context.stderr.write("no operation's method, path or summary contains '\(TerminalText.escapingControls(filter))'\n")
            return 0
        }
        let rows = operations.map { [$0.method, $0.path, $0.summary ?? ""].map(TerminalText.escapingControls) }
        context.stdout.write(TextTable.render([["METHOD", "PATH", "SUMMARY"]] + rows, width: context.stdout.columns))
        return 0
    }
}
