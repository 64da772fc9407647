@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl profile use NAME`: makes NAME the default profile in the config file.
final class ProfileUseCommandTests: XCTestCase {
    func testMakesTheProfileTheDefaultForTheNextCommands() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let run = harness.run("profile", "use", "pdns")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "default profile is now 'pdns'\n")
        XCTAssertTrue(harness.configText.contains("default_profile = 'pdns'"), harness.configText)
        let config = try harness.savedConfig()
        XCTAssertEqual(Set(config.profiles.keys), ["dz", "pdns"], "the profiles themselves stay")
        XCTAssertEqual(config.profiles["dz"]?.tokens?.create, "POST /api-keys")

        let next = harness.run("profile", "show")
        XCTAssertTrue(next.stdout.hasPrefix("# profile 'pdns' (the default)"), next.stdout)
    }

    func testAnUnknownProfileLeavesTheDefaultAlone() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let run = harness.run("profile", "use", "pdsn")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stderr, "apictl: unknown profile 'pdsn' in \(harness.configPath) (did you mean 'pdns'?)\n")
        XCTAssertEqual(harness.configText, CommandHarness.twoProfiles)
    }

    func testWithoutANameItIsAUsageError() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let run = harness.run("profile", "use")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "apictl: 'apictl profile use' needs NAME (usage: apictl profile use NAME [options])\n")
        XCTAssertEqual(harness.configText, CommandHarness.twoProfiles)
    }
}
