import APICtlCore
import Foundation

/// Configs and config-file readers for the `profile` command tests.
extension CommandHarness {
    /// Where the harness wrote the config, and where `profile` commands rewrite it.
    var configPath: String { folder + "/config/apictl/config.toml" }

    /// The config file as a user opening it would see it.
    var configText: String { (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? "" }

    /// The config file as apictl's next command will read it.
    func savedConfig() throws -> ConfigFile { try ConfigStore.parse(Array(configText.utf8), path: configPath) }

    /// A profile with a sandbox (default) and a production environment, each with its own base URL.
    static let pocketdns = """
    [profiles.pdns]
    auth = "bearer"
    token_env = "PDNS_KEY"
    whoami = "/users/me"
    default_env = "sandbox"
    [profiles.pdns.environments.sandbox]
    base_url = "https://api.sandbox.pdns.test"
    key_prefix = "sk_test_"
    [profiles.pdns.environments.production]
    base_url = "https://api.pdns.test"
    key_prefix = "sk_live_"
    confirm = true
    """

    /// dz (the default) and pdns side by side.
    static let twoProfiles = "default_profile = \"dz\"\n" + dzdesk + "\n" + pocketdns
}
