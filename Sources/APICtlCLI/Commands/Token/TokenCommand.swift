import APICtlCore

/// `apictl token ...`: the group node.
enum TokenCommand {
    static let spec = CommandSpec(
        name: "token",
        summary: "Work with a profile's token",
        subcommands: [
            .init("print") { TokenPrintCommand.spec },
        ]
    )
}
