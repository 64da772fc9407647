import APICtlCore

/// `apictl api show METHOD PATH`: one operation's parameters, body fields, responses and
/// the scopes it needs, compared with the current credential's.
enum ApiShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "Show one operation: parameters, body fields, responses, scopes",
        options: Options.self,
        examples: ["apictl api show GET /requests", "apictl api show GET /requests/{item_id}"],
        run: run
    )

    struct Options: CommandOptions {
        let json: Bool
        let method: String
        let path: String

        init(_ declare: OptionBinding) {
            json = declare.flag("json", nil, help: "Print JSON")
            method = declare.argument("METHOD", help: "HTTP method", completion: .apiMethods)
            path = declare.argument("PATH", help: "Path under the base URL ({id} templates or real values)", completion: .apiPaths)
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (index, profile, config) = try ApiCommand.index(context)
        let method = options.method.uppercased(), path = options.path
        guard let operation = index.operation(method: method, path: path) else {
            let hint = suggestion(path, among: Array(Set(index.operations.map(\.path)))).map { "did you mean \($0)?" }
                ?? "see 'apictl api list'"
            throw .usage("the API's description has no \(method) \(path)", hint: hint)
        }
        let scopes = heldScopes(profile, config: config, context)
        if options.json {
            context.stdout.write(JSONOutput.render(json(operation)))
            return 0
        }
        var out = "\(operation.method) \(operation.path)\n"
        if let summary = operation.summary { out += "  \(summary)\n" }
        let parameters = operation.parameters
        if !parameters.isEmpty {
            out += "\nparameters:\n"
            for parameter in parameters.sorted(by: { ($0.required ? 0 : 1, $0.name) < ($1.required ? 0 : 1, $1.name) }) {
                out += "  \(parameter.name) (\(parameter.location)\(describe(parameter.schema))\(parameter.required ? ", required" : ""))"
                    + (parameter.description.map { ": \(TerminalText.summary($0, limit: 100))" } ?? "") + "\n"
            }
        }
        if let body = operation.body {
            out += "\nbody" + (operation.bodyRequired ? " (required)" : "") + ":\n"
            out += fields(body, indent: "  ")
        }
        if !operation.responses.isEmpty { out += "\nresponses: \(operation.responses.joined(separator: ", "))\n" }
        for (number, alternative) in operation.security.enumerated() where !alternative.isEmpty {
            let needed = alternative.flatMap(\.scopes)
            out += (number == 0 ? "\nsecurity: " : "   or: ") + alternative.map { $0.scopes.isEmpty ? $0.scheme : "\($0.scheme) (\($0.scopes.joined(separator: " ")))" }
                .joined(separator: " and ") + "\n"
            if let scopes, !needed.isEmpty {
                let missing = needed.filter { !scopes.contains($0) }
                out += missing.isEmpty ? "  your token has these scopes\n"
                    : "  your token lacks " + missing.map { "`\($0)`" }.joined(separator: ", ") + "\n"
            }
        }
        // Names, values and descriptions are the description's words: shown, never obeyed.
        context.stdout.write(out.split(separator: "\n", omittingEmptySubsequences: false)
            .map { TerminalText.escapingControls(String($0)) }.joined(separator: "\n"))
        return 0
    }

    /// The current credential's scopes, when it is at hand without a prompt, a command or a
    /// refresh: from the environment, the keyring, or an encrypted file whose passphrase is.
    static func heldScopes(_ profile: ResolvedProfile, config: ConfigFile, _ context: CommandContext) -> Set<String>? {
        var held: Credential?
        switch PlannedCredential.plan(profile: profile, environment: context.environment) {
        case .environment(let found): held = found.credential
        case .command, .ci: return nil
        case .store:
            guard let store = try? context.openStore(config: config).store else { return nil }
            if let file = store as? EncryptedFileStore,
               !file.exists || !TerminalInput.passphraseAtHand(environment: context.environment, file: file) { return nil }
            held = (try? store.load(profile.credentialKey)) ?? nil
        }
        guard let held else { return nil }
        return (held.scopes ?? JWT.decode(held.token)?.scopes).map(Set.init)
    }

    /// A body schema's fields, required first, with type, enum and description.
    static func fields(_ schema: JSONValue, indent: String) -> String {
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        let properties = schema["properties"]?.objectValue ?? [:]
        guard !properties.isEmpty else { return indent + (RequestCheck.typeText(schema) ?? "any JSON") + "\n" }
        var out = ""
        for name in properties.keys.sorted(by: { (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1) }) {
            guard let property = properties[name] else { continue }
            out += "\(indent)\(name) (\(RequestCheck.typeText(property) ?? "any")\(required.contains(name) ? ", required" : ""))"
            if let values = property["enum"]?.arrayValue { out += " one of " + values.map { $0.rendered() }.joined(separator: ", ") }
            if let text = property["description"]?.stringValue { out += ": \(TerminalText.summary(text, limit: 100))" }
            out += "\n"
        }
        return out
    }

    static func describe(_ schema: JSONValue?) -> String {
        guard let schema else { return "" }
        var text = RequestCheck.typeText(schema).map { ", \($0)" } ?? ""
        if let values = schema["enum"]?.arrayValue { text += ", one of " + values.map { $0.rendered() }.joined(separator: "|") }
        return text
    }

    static func json(_ operation: OpenAPIIndex.Operation) -> JSONValue {
        .object([
            "method": .string(operation.method), "path": .string(operation.path), "summary": JSONValue(operation.summary),
            "parameters": .array(operation.parameters.map { parameter in
                .object(["name": .string(parameter.name), "in": .string(parameter.location), "required": .bool(parameter.required),
                         "schema": parameter.schema ?? .null])
            }),
            "body": operation.body ?? .null, "body_required": .bool(operation.bodyRequired),
            "responses": .array(operation.responses.map(JSONValue.string)),
            "security": .array(operation.security.map { alternative in
                .array(alternative.map { .object(["scheme": .string($0.scheme), "scopes": .array($0.scopes.map(JSONValue.string))]) })
            }),
        ])
    }
}
