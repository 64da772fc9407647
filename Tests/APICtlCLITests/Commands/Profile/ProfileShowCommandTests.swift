@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl profile show [NAME]`: one profile as the config file holds it, with the URL its requests go to.
final class ProfileShowCommandTests: XCTestCase {
    func testShowsTheDefaultProfileAsTheFileHoldsItAndNoSecret() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles, environment: ["DZ_TOKEN": "env-secret-key"])
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "stored-key"))
        let run = harness.run("profile", "show")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout.hasPrefix("# profile 'dz' (the default) in \(harness.configPath)\n"
                                           + "# requests go to https://api.dz.test/v1\n[profiles.dz]\n"), run.stdout)
        for line in ["auth = 'bearer'", "token_env = 'DZ_TOKEN'", "[profiles.dz.tokens]", "revoke = 'DELETE /api-keys/{id}'"] {
            XCTAssertTrue(run.stdout.contains(line), "show lacks \(line):\n\(run.stdout)")
        }
        XCTAssertFalse(run.stdout.contains("pdns"), "only the one profile")
        XCTAssertFalse(run.stdout.contains("env-secret-key") || run.stdout.contains("stored-key"), run.stdout)
    }

    func testTheSelectedEnvironmentsURLIsNamed() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let defaultEnv = harness.run("profile", "show", "pdns")
        XCTAssertEqual(defaultEnv.status, 0, defaultEnv.stderr)
        XCTAssertTrue(defaultEnv.stdout.hasPrefix("# profile 'pdns' in \(harness.configPath)\n"
                                                  + "# requests go to https://api.sandbox.pdns.test (environment sandbox)\n"), defaultEnv.stdout)
        let production = harness.run("profile", "show", "-p", "pdns", "-e", "production")
        XCTAssertEqual(production.status, 0, production.stderr)
        XCTAssertTrue(production.stdout.contains("# requests go to https://api.pdns.test (environment production)\n"), production.stdout)
        XCTAssertTrue(production.stdout.contains("[profiles.pdns.environments.production]"), production.stdout)
    }

    func testJSONCarriesTheProfileItsNameAndURL() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let run = harness.run("profile", "show", "pdns", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, "pdns")
        XCTAssertEqual(object["default"] as? Bool, false)
        XCTAssertEqual(object["url"] as? String, "https://api.sandbox.pdns.test")
        XCTAssertEqual(object["token_env"] as? String, "PDNS_KEY")
        let environments = try XCTUnwrap(object["environments"] as? [String: [String: Any]])
        XCTAssertEqual(environments["production"]?["confirm"] as? Bool, true)
        XCTAssertEqual(environments["production"]?["key_prefix"] as? String, "sk_live_")
    }

    func testNoProfileSelectedSaysHowToPickOne() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("profile", "show")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "apictl: no profile selected (name one: 'apictl profile show NAME')\n")

        let empty = try CommandHarness(config: "")
        let none = empty.run("profile", "show")
        XCTAssertEqual(none.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(none.stderr, "apictl: no profile selected (add one with 'apictl profile add NAME --preset dzdesk')\n")

        let byVariable = try CommandHarness(config: CommandHarness.dzdesk, environment: ["APICTL_PROFILE": "dz"])
        XCTAssertTrue(byVariable.run("profile", "show").stdout.hasPrefix("# profile 'dz' in "), "APICTL_PROFILE selects it")
    }
}
