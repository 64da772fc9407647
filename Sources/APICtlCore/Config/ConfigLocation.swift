/// Where the config file and the data folder live, decided from the
/// environment the process was handed (never read directly).
public struct ConfigLocation: Sendable, Equatable {
    public var configFile: String
    public var dataDirectory: String

    public init(configFile: String, dataDirectory: String) {
        self.configFile = configFile
        self.dataDirectory = dataDirectory
    }

    /// `--config`, then `APICTL_CONFIG`, then `$XDG_CONFIG_HOME/apictl/config.toml`,
    /// then `~/.config/apictl/config.toml`.
    public static func resolve(explicitPath: String?, environment: [String: String]) -> ConfigLocation {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.local/share"
        let file = explicitPath ?? environment["APICTL_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? configHome + "/apictl/config.toml"
        return ConfigLocation(configFile: file, dataDirectory: dataHome + "/apictl")
    }
}
