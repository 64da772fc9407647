import APICtlCore

/// `apictl completion bash|zsh` prints the script; the hidden `__complete`
/// answers it.
enum CompletionCommand {
    static let spec = CommandSpec(
        name: "completion",
        summary: "Print the shell completion script for bash, zsh or fish",
        discussion: """
        bash:  source <(apictl completion bash)     or install it as
               /usr/share/bash-completion/completions/apictl
        zsh:   apictl completion zsh > "${fpath[1]}/_apictl"   then restart zsh
        fish:  apictl completion fish > ~/.config/fish/completions/apictl.fish
        """,
        options: Options.self,
        run: run
    )

    struct Options: CommandOptions {
        let shell: String
        init(_ declare: OptionBinding) {
            shell = declare.argument("SHELL", help: "bash, zsh or fish", completion: .choices(["bash", "zsh", "fish"]))
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let script = ["bash": CompletionScripts.bash, "zsh": CompletionScripts.zsh, "fish": CompletionScripts.fish][options.shell]
        context.stdout.write((script ?? CompletionScripts.bash) + "\n")
        return 0
    }

    /// The hidden `apictl __complete WORD...`: never fails, never prints to stderr.
    static func answer(_ words: [String], context: CommandContext) -> Int32 {
        let environment = context.environment
        var completer = Completer(parser: App.parser) { named in
            try? ConfigStore(ConfigLocation.resolve(explicitPath: named, environment: environment)).load()
        }
        let location = ConfigLocation.resolve(explicitPath: nil, environment: environment)
        completer.index = { profile, file in
            // Not an index of the profile's earlier openapi or base path, as request and api list judge it.
            if let settings = file?.profiles[profile],
               let resolved = try? ResolvedProfile.resolve(name: profile, config: settings, requestedEnvironment: nil, configPath: location.configFile),
               !SyncRecord.indexIsCurrent(for: resolved, cacheDirectory: location.cacheDirectory) {
                return nil
            }
            return OpenAPIIndex.load(profile: profile, cacheDirectory: location.cacheDirectory)
        }
        completer.accounts = { profile in AccountState(stateDirectory: location.stateDirectory).labels(of: profile) }
        completer.environmentProfile = environment["APICTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        switch completer.complete(words.isEmpty ? [""] : words) {
        case .files:
            context.stdout.write(":files\n")
        case .words(let list):
            // A word with a NUL cannot be an argument at all.
            context.stdout.write(list.filter { !$0.0.contains("\0") }
                .map { CompletionScripts.escaped($0.0) + "\t" + CompletionScripts.escaped($0.1) + "\n" }.joined())
        }
        return 0
    }
}
