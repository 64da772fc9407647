/// Picks the profile a command works on: `-p`/`APICTL_PROFILE` (already merged
/// by the caller), then the config's default_profile.
public enum ProfileSelection {
    /// nil when nothing selects a profile; an error when the named one is unknown.
    public static func resolve(config: ConfigFile, requested: String?, environment: String?,
                               configPath: String) throws(APICtlError) -> ResolvedProfile? {
        guard let name = requested ?? config.defaultProfile else {
            if let environment { throw .config("-e \(environment) needs a profile", hint: "pass -p NAME") }
            return nil
        }
        guard let profile = config.profiles[name] else {
            let known = config.profiles.keys.sorted()
            let hint = suggestion(name, among: known).map { "did you mean '\($0)'?" }
                ?? (known.isEmpty ? "add one with 'apictl profile add \(name) --preset NAME' or --base-url URL"
                                  : "known profiles: \(known.joined(separator: ", "))")
            throw .config("unknown profile '\(name)' in \(configPath)", hint: hint)
        }
        return try ResolvedProfile.resolve(name: name, config: profile, requestedEnvironment: environment, configPath: configPath)
    }

    /// Like `resolve`, but a profile is required.
    public static func require(config: ConfigFile, requested: String?, environment: String?,
                               configPath: String) throws(APICtlError) -> ResolvedProfile {
        guard let profile = try resolve(config: config, requested: requested, environment: environment, configPath: configPath) else {
            guard !config.profiles.isEmpty else {
                throw .config("no profiles yet", hint: "add one with 'apictl profile add NAME --preset NAME' or 'apictl profile add NAME --base-url URL'")
            }
            throw .config("no profile selected", hint: "pass -p NAME, set APICTL_PROFILE, or run 'apictl profile use NAME'")
        }
        return profile
    }
}
