import APICtlCore

/// `apictl api ...`: the API's own OpenAPI description, synced into an index that
/// completion, `api list`/`show` and the checks before sending read (docs/openapi.md).
enum ApiCommand {
    static let spec = CommandSpec(
        name: "api",
        summary: "Sync and read the API's OpenAPI description",
        discussion: "'api sync' fetches the description (the profile's openapi, else a Link rel=\"service-desc\" on the\n"
            + "base URL, else openapi.json or openapi.yaml beside it) and indexes it. Then Tab completes paths, fields\n"
            + "and query parameters, and 'request' checks what it sends against it.",
        subcommands: [
            .init("sync") { ApiSyncCommand.spec },
            .init("list") { ApiListCommand.spec },
            .init("show") { ApiShowCommand.spec },
        ]
    )

    /// The synced index of the selected profile; a usage error naming `api sync` when there is none.
    static func index(_ context: CommandContext) throws(APICtlError) -> (OpenAPIIndex, ResolvedProfile, ConfigFile) {
        let (config, profile) = try context.requireProfile()
        guard let index = OpenAPIIndex.load(profile: profile.name, cacheDirectory: context.configLocation.cacheDirectory) else {
            throw .config("profile '\(profile.name)' has no synced API description", hint: "run 'apictl api sync -p \(profile.name)'")
        }
        guard SyncRecord.indexIsCurrent(for: profile, cacheDirectory: context.configLocation.cacheDirectory) else {
            throw .config("the description synced for '\(profile.name)' was for another openapi setting or base path",
                          hint: "run 'apictl api sync -p \(profile.name)\(profile.environment.map { " -e \($0)" } ?? "")'")
        }
        return (index, profile, config)
    }
}
