import APICtlCore

/// `apictl profile list`: every profile, the default marked.
enum ProfileListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "List profiles",
        options: [.flag("json", nil, help: "Print JSON")],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let config = try context.configStore.load()
        let names = config.profiles.keys.sorted()
        if parsed.flag("json") {
            let rows: [JSONValue] = names.compactMap { name in
                guard let p = config.profiles[name] else { return nil }
                var row: [String: JSONValue] = ["name": .string(name), "auth": .string(p.auth), "default": .bool(name == config.defaultProfile)]
                if let url = p.baseURL { row["base_url"] = .string(url) }
                if let envs = p.environments { row["environments"] = .object(envs.mapValues { .string($0.baseURL) }) }
                return .object(row)
            }
            context.stdout.write(JSONOutput.render(.array(rows)))
            return 0
        }
        guard !names.isEmpty else {
            context.stderr.write("no profiles yet; add one with 'apictl profile add NAME --preset dzdesk'\n")
            return 0
        }
        var rows = [("", "NAME", "AUTH", "BASE URL")]
        for name in names {
            guard let p = config.profiles[name] else { continue }
            let marker = name == config.defaultProfile ? "*" : " "
            if let envs = p.environments, !envs.isEmpty {
                for env in envs.keys.sorted() {
                    let isDefault = env == p.defaultEnv ? " (default)" : ""
                    rows.append((marker, "\(name) -e \(env)\(isDefault)", p.auth, envs[env]?.baseURL ?? ""))
                }
            } else {
                rows.append((marker, name, p.auth, p.baseURL ?? ""))
            }
        }
        let w1 = rows.map(\.1.count).max() ?? 0, w2 = rows.map(\.2.count).max() ?? 0
        for row in rows {
            context.stdout.write("\(row.0) \(pad(row.1, w1))  \(pad(row.2, w2))  \(row.3)\n")
        }
        return 0
    }

    static func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
}
