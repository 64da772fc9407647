import APICtlCore

/// What argv says, walked against the command tree: which command, and the raw options and
/// arguments given to it. Only `OptionBinding` reads the raw values, each as the command's
/// options struct declares it: no command reads an option by its name.
public struct ParsedCommand: Sendable {
    public var path: [String]
    public var spec: CommandSpec
    /// Option values by long name, in the order given.
    var values: [String: [String]] = [:]
    /// Flags by long name, with how often they were given.
    var flags: [String: Int] = [:]
    public var arguments: [String] = []
    public var helpRequested = false
    public var versionRequested = false
    /// For completion: the option whose value the next word is (`-p <Tab>`), when the words
    /// ran out there.
    public var awaitingValue: OptionSpec?
    /// For completion: `--` was given, so every word after it is an argument.
    public var onlyArguments = false

    public init(path: [String], spec: CommandSpec) {
        self.path = path
        self.spec = spec
    }

    public var commandLine: String { (["apictl"] + path).joined(separator: " ") }
}
