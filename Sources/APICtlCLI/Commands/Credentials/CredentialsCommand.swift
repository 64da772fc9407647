import APICtlCore

/// `apictl credentials ...`: the group node.
enum CredentialsCommand {
    static let spec = CommandSpec(
        name: "credentials",
        summary: "Manage the credential stores",
        subcommands: [
            .init("migrate") { CredentialsMigrateCommand.spec },
            .init("lock") { CredentialsLockCommand.spec },
            .init("rekey") { CredentialsRekeyCommand.spec },
            .init("import-key") { CredentialsImportKeyCommand.spec },
        ]
    )
}
