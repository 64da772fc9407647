import APICtlCore
/// What a value can be completed with; the completion scripts read this.
public enum ValueCompletion: Sendable, Equatable {
    case none
    /// The only values accepted.
    case choices([String])
    /// Offered by completion, but other values are accepted too (e.g. header:NAME).
    case suggestions([String])
    case files
    case profiles
    case environments
    /// The chosen profile's account labels (`login --account`), from apictl's state folder.
    case accounts
    /// From the synced API description (`api sync`): the methods it uses, its paths segment
    /// by segment, body fields and query parameters of the operation typed so far.
    case apiMethods
    case apiPaths
    case apiItems
    /// `-F`'s typed fields: every body field. `-f` sends strings, so it is offered the string ones.
    case apiFields
    case apiStringFields
    case apiQuery

    /// The only values a parser accepts, when there is such a list: a method completed from
    /// the API's description is still one of the methods apictl sends.
    public var acceptedValues: [String]? {
        switch self {
        case .choices(let values): return values
        case .apiMethods: return RequestBuilder.methods
        default: return nil
        }
    }
}

/// One option in the command tree. A nil `valueName` makes it a flag.
public struct OptionSpec: Sendable {
    public let long: String
    public let short: Character?
    public let valueName: String?
    public let help: String
    public let repeatable: Bool
    public let completion: ValueCompletion
    /// An environment variable that sets the same thing, shown in help.
    public let env: String?

    public static func flag(_ long: String, _ short: Character? = nil, help: String, env: String? = nil) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: nil, help: help, repeatable: false, completion: .none, env: env)
    }

    public static func value(_ long: String, _ short: Character? = nil, _ valueName: String, help: String,
                             repeatable: Bool = false, completion: ValueCompletion = .none, env: String? = nil) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: valueName, help: help, repeatable: repeatable,
                   completion: completion, env: env)
    }

    public var takesValue: Bool { valueName != nil }
    public var choices: [String]? { if case .choices(let c) = completion { return c } else { return nil } }
}

public struct ArgumentSpec: Sendable {
    public let name: String
    public let help: String
    public let optional: Bool
    public let repeating: Bool
    public let completion: ValueCompletion

    public init(_ name: String, help: String, optional: Bool = false, repeating: Bool = false, completion: ValueCompletion = .none) {
        self.name = name
        self.help = help
        self.optional = optional
        self.repeating = repeating
        self.completion = completion
    }
}

/// What runs a leaf command once its arguments are parsed.
public typealias CommandRunner = @Sendable (ParsedCommand, CommandContext) throws(APICtlError) -> Int32

/// A child in the command tree, named up front and built only when parsing, help or
/// completion reaches it: building every command's spec on each run (help texts, the
/// preset list) cost ~0.1 ms of a request's start-up.
public struct Subcommand: Sendable {
    public let name: String
    private let build: @Sendable () -> CommandSpec

    public init(_ name: String, _ build: @escaping @Sendable () -> CommandSpec) {
        self.name = name
        self.build = build
    }

    public var spec: CommandSpec { build() }
}

/// A node of the command tree: the single source for parsing, `--help` and completion.
public struct CommandSpec: Sendable {
    public let name: String
    public let summary: String
    public let discussion: String?
    public let options: [OptionSpec]
    public let arguments: [ArgumentSpec]
    public let children: [Subcommand]
    public let examples: [String]
    public let run: CommandRunner?

    /// A command: `Options` declares what it takes (its options struct), and `run` is handed
    /// that struct filled from argv, with everything else it needs in `context`.
    public init<Options: CommandOptions>(name: String, summary: String, discussion: String? = nil, options: Options.Type,
                                         examples: [String] = [],
                                         run: @escaping @Sendable (Options, CommandContext) throws(APICtlError) -> Int32) {
        let declared = OptionBinding.declarations(of: Options.self)
        self.init(name: name, summary: summary, discussion: discussion, options: declared.options, arguments: declared.arguments,
                  children: [], examples: examples) { parsed, context throws(APICtlError) in
            try run(try OptionBinding.read(Options.self, from: parsed), context)
        }
    }

    /// A group of commands (`token`, `profile`): it runs none itself, and its help lists them.
    public init(name: String, summary: String, discussion: String? = nil, subcommands: [Subcommand], examples: [String] = []) {
        self.init(name: name, summary: summary, discussion: discussion, options: [], arguments: [], children: subcommands,
                  examples: examples, run: nil)
    }

    private init(name: String, summary: String, discussion: String?, options: [OptionSpec], arguments: [ArgumentSpec],
                 children: [Subcommand], examples: [String], run: CommandRunner?) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.options = options
        self.arguments = arguments
        self.children = children
        self.examples = examples
        self.run = run
    }

    public var hasSubcommands: Bool { !children.isEmpty }
    public var subcommandNames: [String] { children.map(\.name) }
    /// Builds every child: for help, completion and the man page, not for parsing.
    public var subcommands: [CommandSpec] { children.map(\.spec) }
    public func subcommand(_ name: String) -> CommandSpec? { children.first { $0.name == name }?.spec }
}
