@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl profile set NAME`: edits a profile in place, changing only what is given.
final class ProfileSetCommandTests: XCTestCase {
    func testChangesOnlyWhatIsGivenAndKeepsTheStoredKey() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let key = CredentialKey(profile: "dz", environment: nil)
        harness.store.records[key] = CommandHarness.bound(Credential(token: "stored-key"))
        let run = harness.run("profile", "set", "dz", "--whoami", "/users/me", "--unset", "token-env", "-H", "Accept: application/json")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "updated profile 'dz' (bearer, https://api.dz.test/v1)\n")
        let config = try harness.savedConfig()
        let profile = try XCTUnwrap(config.profiles["dz"])
        XCTAssertEqual(profile.whoami, "/users/me")
        XCTAssertNil(profile.tokenEnv)
        XCTAssertFalse(harness.configText.contains("DZ_TOKEN"), harness.configText)
        XCTAssertEqual(profile.headers, ["Accept": "application/json"])
        XCTAssertEqual(profile.baseURL, "https://api.dz.test/v1")
        XCTAssertEqual(profile.tokens?.create, "POST /api-keys", "the tables not named stay")
        XCTAssertEqual(config.defaultProfile, "dz")
        XCTAssertNotNil(config.profiles["pdns"])
        XCTAssertEqual(harness.store.records[key]?.token, "stored-key")
    }

    /// A new certificate drops the old one's key settings; a passphrase variable is checked as token_env is;
    /// a proxy URL with a password in it never reaches the file.
    func testCertificateAndProxySettings() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        XCTAssertEqual(harness.run("profile", "set", "dz", "--client-cert", "/c/old.pem", "--client-key", "/c/old.key",
                                   "--client-key-passphrase-env", "OLD_PASS", "--proxy", "http://proxy.corp:3128").status, 0)
        XCTAssertEqual(harness.run("profile", "set", "dz", "--client-cert", "/c/new.p12").status, 0)
        let profile = try XCTUnwrap(try harness.savedConfig().profiles["dz"])
        XCTAssertEqual(profile.connection, ConnectionConfig(clientCert: "/c/new.p12", proxy: "http://proxy.corp:3128"))
        for bad in ["", "BAD NAME", "PATH"] {
            XCTAssertEqual(harness.run("profile", "set", "dz", "--client-key-passphrase-env", bad).status, ExitCode.usage.rawValue, bad)
        }
        let secret = harness.run("profile", "set", "dz", "--proxy", "http://me:pw-123@proxy.corp:3128")
        XCTAssertEqual(secret.status, ExitCode.usage.rawValue)
        XCTAssertFalse(secret.stderr.contains("pw-123"))
        XCTAssertFalse(harness.configText.contains("pw-123"))
        XCTAssertEqual(harness.run("profile", "set", "dz", "--unset", "proxy", "--unset", "client-cert").status, 0)
        XCTAssertEqual(try harness.savedConfig().profiles["dz"]?.connection, ConnectionConfig())
    }

    /// -e ENV edits that environment's certificate and proxy, and nothing else of the profile.
    func testWithAnEnvironmentTheCertificateAndProxyAreThatEnvironments() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let run = harness.run("profile", "set", "pdns", "-e", "production", "--client-cert", "/c/prod.pem", "--proxy", "http://proxy.corp:3128")
        XCTAssertEqual(run.status, 0, run.stderr)
        let profile = try XCTUnwrap(try harness.savedConfig().profiles["pdns"])
        XCTAssertEqual(profile.environments?["production"]?.connection, ConnectionConfig(clientCert: "/c/prod.pem", proxy: "http://proxy.corp:3128"))
        XCTAssertEqual(profile.connection, ConnectionConfig(), "the profile's own stay as they were")
        XCTAssertEqual(profile.environments?["sandbox"]?.connection, ConnectionConfig())
        XCTAssertEqual(harness.run("profile", "set", "pdns", "-e", "production", "--unset", "proxy").status, 0)
        XCTAssertNil(try harness.savedConfig().profiles["pdns"]?.environments?["production"]?.connection.proxy)
        let other = harness.run("profile", "set", "pdns", "-e", "production", "--whoami", "/me")
        XCTAssertEqual(other.status, ExitCode.usage.rawValue)
        XCTAssertTrue(other.stderr.contains("changes only that environment's --client-cert"), other.stderr)
        XCTAssertEqual(harness.run("profile", "set", "pdns", "-e", "staging", "--proxy", "").status, ExitCode.usage.rawValue)
    }

    func testNothingToChangeLeavesTheFileAsWritten() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let same = harness.run("profile", "set", "dz", "--whoami", "/me")
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertEqual(same.stderr, "profile 'dz' is unchanged\n")

        let absent = harness.run("profile", "set", "dz", "--unset", "ca-cert")
        XCTAssertEqual(absent.status, 0, absent.stderr)
        XCTAssertEqual(absent.stderr, "apictl: profile 'dz' has no ca-cert to remove\nprofile 'dz' is unchanged\n")
        XCTAssertEqual(harness.configText, CommandHarness.dzdesk, "not even rewritten")
    }

    func testAMistypedUnsetIsAUsageErrorThatSuggestsTheSetting() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let typo = harness.run("profile", "set", "dz", "--unset", "tokn-env", "--whoami", "/users/me")
        XCTAssertEqual(typo.status, ExitCode.usage.rawValue)
        XCTAssertEqual(typo.stderr, "apictl: --unset does not know 'tokn-env' (did you mean 'token-env'?)\n")

        let unnamed = harness.run("profile", "set", "dz", "--unset", "var")
        XCTAssertEqual(unnamed.status, ExitCode.usage.rawValue)
        XCTAssertEqual(unnamed.stderr, "apictl: --unset var needs a name, as in --unset var:NAME\n")
        XCTAssertEqual(harness.configText, CommandHarness.dzdesk, "nothing half-applied")
    }

    /// A single-URL profile given --env-url keeps its URL as the `default` environment.
    func testAnEnvironmentAddedToASingleURLProfileKeepsTheOldURLAsDefault() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("profile", "set", "dz", "--env-url", "staging=https://api.staging.dz.test/v1")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "updated profile 'dz' (bearer, https://api.dz.test/v1, environment default)\n")
        let profile = try XCTUnwrap(harness.savedConfig().profiles["dz"])
        XCTAssertNil(profile.baseURL)
        XCTAssertEqual(profile.defaultEnv, "default")
        XCTAssertEqual(profile.environments?["default"]?.baseURL, "https://api.dz.test/v1")
        XCTAssertEqual(profile.environments?["staging"]?.baseURL, "https://api.staging.dz.test/v1")
        XCTAssertTrue(harness.configText.contains("[profiles.dz.environments.staging]"), harness.configText)

        let staging = harness.run("profile", "show", "dz", "-e", "staging")
        XCTAssertTrue(staging.stdout.contains("# requests go to https://api.staging.dz.test/v1 (environment staging)"), staging.stdout)
    }

    /// The config file never holds a secret, whatever is typed into `profile set`.
    func testAHeaderThatCarriesTheKeyIsRefused() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("profile", "set", "dz", "-H", "Authorization: Bearer live-secret-key")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: 'Authorization' carries a secret, which the config file never holds "
                       + "(store the key with 'apictl login -p dz' or pass it through DZ_TOKEN)\n")
        XCTAssertEqual(harness.configText, CommandHarness.dzdesk, "the key is not written")
    }
}
