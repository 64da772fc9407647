/// Where the config file and the data folder live, decided from the
/// environment the process was handed (never read directly).
public struct ConfigLocation: Sendable, Equatable {
    public var configFile: String
    public var dataDirectory: String
    /// `$XDG_CACHE_HOME/apictl`: what can be fetched again (synced API descriptions).
    public var cacheDirectory: String
    /// `$XDG_STATE_HOME/apictl`: what apictl remembers that is neither config nor secret
    /// (each profile's active account, the audit record).
    public var stateDirectory: String
    /// The file was named (`--config`, `APICTL_CONFIG`): it must exist, since reading a typo
    /// as an empty config would hide it.
    public var configNamed = false

    public init(configFile: String, dataDirectory: String, cacheDirectory: String? = nil, stateDirectory: String? = nil) {
        self.configFile = configFile
        self.dataDirectory = dataDirectory
        self.cacheDirectory = cacheDirectory ?? PathText.directory(of: dataDirectory) + "/apictl-cache"
        self.stateDirectory = stateDirectory ?? PathText.directory(of: dataDirectory) + "/apictl-state"
    }

    /// `--config`, then `APICTL_CONFIG`, then `$XDG_CONFIG_HOME/apictl/config.toml`,
    /// then `~/.config/apictl/config.toml`.
    public static func resolve(explicitPath: String?, environment: [String: String]) -> ConfigLocation {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.local/share"
        let named = explicitPath ?? environment["APICTL_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let cacheHome = environment["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.cache"
        let stateHome = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.local/state"
        var location = ConfigLocation(configFile: named ?? configHome + "/apictl/config.toml", dataDirectory: dataHome + "/apictl",
                                      cacheDirectory: cacheHome + "/apictl", stateDirectory: stateHome + "/apictl")
        location.configNamed = named != nil
        return location
    }
}
