@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl profile add NAME`: a profile from a preset or from scratch, written to the config file.
final class ProfileAddCommandTests: XCTestCase {
    func testAPresetBecomesTheFirstProfileAndTheDefault() throws {
        let harness = try CommandHarness(config: "")
        let run = harness.run("profile", "add", "dz", "--preset", "dzdesk")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "added profile 'dz' (bearer, https://api.dzdesk.com/v1); it is the default profile\n")
        let text = harness.configText
        for line in ["default_profile = 'dz'", "[profiles.dz]", "base_url = 'https://api.dzdesk.com/v1'", "token_env = 'DZDESK_TOKEN'",
                     "whoami = '/me'", "[profiles.dz.tokens]", "create = 'POST /api-keys'", "[profiles.dz.oauth]"] {
            XCTAssertTrue(text.contains(line), "config lacks \(line):\n\(text)")
        }
        let profile = try XCTUnwrap(harness.savedConfig().profiles["dz"])
        XCTAssertEqual(profile.oauth?.tokenURL, "https://api.dzdesk.com/oauth/token")
        XCTAssertNil(profile.oauth?.clientID, "the preset leaves the client id to the user")
    }

    func testFromScratchWithVarsAndHeadersNextToTheDefault() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let run = harness.run("profile", "add", "internal", "--base-url", "https://{region}.internal.test/v2", "--var", "region=eu",
                              "--auth", "header:X-API-Key", "--token-env", "INTERNAL_KEY", "-H", "Accept: text/plain")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "added profile 'internal' (header:X-API-Key, https://eu.internal.test/v2)\n",
                       "the URL is shown filled in; the default stays dz")
        let config = try harness.savedConfig()
        XCTAssertEqual(config.defaultProfile, "dz")
        XCTAssertNotNil(config.profiles["pdns"], "the other profiles stay")
        let profile = try XCTUnwrap(config.profiles["internal"])
        XCTAssertEqual(profile.baseURL, "https://{region}.internal.test/v2")
        XCTAssertEqual(profile.vars, ["region": "eu"])
        XCTAssertEqual(profile.headers, ["Accept": "text/plain"])
        XCTAssertEqual(profile.tokenEnv, "INTERNAL_KEY")
        XCTAssertTrue(harness.configText.contains("auth = 'header:X-API-Key'"), harness.configText)

        XCTAssertEqual(harness.run("profile", "add", "other", "--base-url", "https://o.test", "--default").status, 0)
        XCTAssertEqual(try harness.savedConfig().defaultProfile, "other", "--default moves the default")
    }

    /// The config file never holds a secret: a header that would carry the key is refused, its value never echoed.
    func testAHeaderThatCarriesTheKeyIsRefusedAndNothingIsWritten() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        for (auth, header) in [("header:X-API-Key", "X-API-Key: sk_live_hunter2"), ("bearer", "Authorization: Bearer sk_live_hunter2"),
                               ("bearer", "Cookie: session=sk_live_hunter2")] {
            let run = harness.run("profile", "add", "internal", "--base-url", "https://api.internal.test", "--auth", auth, "-H", header)
            XCTAssertEqual(run.status, ExitCode.usage.rawValue, header)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains("carries a secret, which the config file never holds"), run.stderr)
            XCTAssertTrue(run.stderr.contains("apictl login -p internal"), run.stderr)
            XCTAssertFalse(run.stderr.contains("hunter2"), run.stderr)
        }
        XCTAssertEqual(harness.configText, CommandHarness.dzdesk)
    }

    func testAnExistingProfileIsReplacedOnlyWithForce() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let refused = harness.run("profile", "add", "dz", "--base-url", "https://api.elsewhere.test")
        XCTAssertEqual(refused.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(refused.stderr, "apictl: profile 'dz' already exists in \(harness.configPath) "
                       + "(change it with 'apictl profile set dz ...', or pass --force to replace it)\n")
        XCTAssertEqual(harness.configText, CommandHarness.dzdesk)

        let forced = harness.run("profile", "add", "dz", "--base-url", "https://api.elsewhere.test", "--force")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        let profile = try XCTUnwrap(harness.savedConfig().profiles["dz"])
        XCTAssertEqual(profile.baseURL, "https://api.elsewhere.test")
        XCTAssertNil(profile.tokens, "a replaced profile starts afresh")
        XCTAssertNil(profile.tokenEnv)
    }

    func testWhatANewProfileLacksIsNamedBeforeAnythingIsSaved() throws {
        let harness = try CommandHarness(config: "")
        let missingVar = harness.run("profile", "add", "acme", "--preset", "datadocks")
        XCTAssertEqual(missingVar.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(missingVar.stderr, "apictl: 'https://{subdomain}.datadocks.com/api/v1' needs a value for {subdomain} "
                       + "(add --var subdomain=VALUE to this command)\n")

        let noURL = harness.run("profile", "add", "acme", "--auth", "token")
        XCTAssertEqual(noURL.status, ExitCode.usage.rawValue)
        XCTAssertEqual(noURL.stderr, "apictl: a new profile needs --base-url, --env-url or --preset (e.g. 'apictl profile add acme --preset dzdesk')\n")

        let badURL = harness.run("profile", "add", "acme", "--base-url", "ftp://files.acme.test")
        XCTAssertEqual(badURL.status, ExitCode.usage.rawValue)
        XCTAssertTrue(badURL.stderr.contains("--base-url 'ftp://files.acme.test' is not an http:// or https:// URL"), badURL.stderr)

        let unknownPreset = harness.run("profile", "add", "acme", "--preset", "datadoks")
        XCTAssertEqual(unknownPreset.status, ExitCode.usage.rawValue)
        XCTAssertTrue(unknownPreset.stderr.contains("did you mean 'datadocks'?"), unknownPreset.stderr)
        XCTAssertEqual(harness.configText, "", "nothing was written")
    }
}
