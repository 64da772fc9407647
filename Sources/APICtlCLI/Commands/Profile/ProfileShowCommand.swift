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

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws -> Int32 {
        let config = try context.configStore.load()
        guard let name = parsed.arguments.first ?? context.globals.profile ?? config.defaultProfile else {
            throw APICtlError.config("no profile selected", hint: "name one: 'apictl profile show NAME'")
        }
        let (_, profile) = try ProfileCommand.load(name, context)
        var fields: [(String, Any)] = [("name", name), ("auth", profile.auth)]
        if let v = profile.preset { fields.append(("preset", v)) }
        if let v = profile.baseURL { fields.append(("base_url", v)) }
        if let envs = profile.environments {
            fields.append(("environments", envs.mapValues { env -> [String: String] in
                var d = ["base_url": env.baseURL]
                if let t = env.tokenEnv { d["token_env"] = t }
                return d
            }))
        }
        if let v = profile.defaultEnv { fields.append(("default_env", v)) }
        if let v = profile.tokenEnv { fields.append(("token_env", v)) }
        if let v = profile.whoami { fields.append(("whoami", v)) }
        if let v = profile.vars { fields.append(("vars", v)) }
        if let v = profile.headers { fields.append(("headers", v)) }
        if let v = profile.caCert { fields.append(("ca_cert", v)) }
        fields.append(("default", name == config.defaultProfile))
        if parsed.flag("json") {
            context.stdout.write(JSONOutput.render(Dictionary(fields, uniquingKeysWith: { $1 })))
            return 0
        }
        for (key, value) in fields {
            switch value {
            case let dict as [String: String]:
                context.stdout.write("\(key):\n")
                for k in dict.keys.sorted() { context.stdout.write("  \(k) = \(dict[k] ?? "")\n") }
            case let envs as [String: [String: String]]:
                context.stdout.write("\(key):\n")
                for env in envs.keys.sorted() {
                    let d = envs[env] ?? [:]
                    context.stdout.write("  \(env): \(d["base_url"] ?? "")\(d["token_env"].map { " (token_env \($0))" } ?? "")\n")
                }
            default:
                context.stdout.write("\(key): \(value)\n")
            }
        }
        return 0
    }
}
