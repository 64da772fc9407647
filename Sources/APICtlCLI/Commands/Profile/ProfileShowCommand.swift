import APICtlCore

/// `apictl profile show [NAME]`: one profile's settings (never a secret: there is none in it).
enum ProfileShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "Show a profile's settings",
        options: [.flag("json", nil, help: "Print JSON")],
        arguments: [ArgumentSpec("NAME", help: "Profile (default: the selected one)", optional: true, completion: .profiles)],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let config = try context.configStore.load()
        guard let name = parsed.arguments.first ?? context.globals.profile ?? config.defaultProfile else {
            throw APICtlError.config("no profile selected", hint: "name one: 'apictl profile show NAME'")
        }
        let (_, profile) = try ProfileCommand.load(name, context)
        var fields: [(String, JSONValue)] = [("name", .string(name)), ("auth", .string(profile.auth))]
        if let v = profile.preset { fields.append(("preset", .string(v))) }
        if let v = profile.baseURL { fields.append(("base_url", .string(v))) }
        if let envs = profile.environments {
            fields.append(("environments", .object(envs.mapValues { env in
                var d: [String: JSONValue] = ["base_url": .string(env.baseURL)]
                if let t = env.tokenEnv { d["token_env"] = .string(t) }
                return .object(d)
            })))
        }
        if let v = profile.defaultEnv { fields.append(("default_env", .string(v))) }
        if let v = profile.tokenEnv { fields.append(("token_env", .string(v))) }
        if let v = profile.whoami { fields.append(("whoami", .string(v))) }
        if let v = profile.vars { fields.append(("vars", .object(v.mapValues(JSONValue.string)))) }
        if let v = profile.headers { fields.append(("headers", .object(v.mapValues(JSONValue.string)))) }
        if let v = profile.caCert { fields.append(("ca_cert", .string(v))) }
        if let v = profile.whoamiKeyID { fields.append(("whoami_key_id", .string(v))) }
        if let oauth = profile.oauth { fields.append(("oauth", .object(Dictionary(oauth.keyedValues) { $1 }))) }
        if let tokens = profile.tokens { fields.append(("tokens", .object(Dictionary(tokens.keyedValues) { $1 }))) }
        if let argv = profile.tokenCommand { fields.append(("token_command", JSONValue(argv))) }
        if let ci = profile.ci { fields.append(("ci", .object(Dictionary(ci.keyedValues) { $1 }))) }
        fields.append(("default", .bool(name == config.defaultProfile)))
        if parsed.flag("json") {
            context.stdout.write(JSONOutput.render(.object(Dictionary(fields, uniquingKeysWith: { $1 }))))
            return 0
        }
        for (key, value) in fields {
            switch value {
            case .object(let members):
                context.stdout.write("\(key):\n")
                for k in members.keys.sorted() {
                    guard let member = members[k] else { continue }
                    if let env = member.objectValue {
                        let tokenEnv = env["token_env"]?.stringValue.map { " (token_env \($0))" } ?? ""
                        context.stdout.write("  \(k): \(env["base_url"]?.stringValue ?? "")\(tokenEnv)\n")
                    } else {
                        context.stdout.write("  \(k) = \(member.stringValue ?? String(decoding: RawJSON.minified(Array(member.rendered().utf8)[...]), as: UTF8.self))\n")
                    }
                }
            case .bool(let b):
                context.stdout.write("\(key): \(b)\n")
            default:
                context.stdout.write("\(key): \(value.stringValue ?? "")\n")
            }
        }
        return 0
    }
}
