@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl profile`, the group: its help, its unknown subcommands, and the name and lookup rules every subcommand shares.
final class ProfileCommandTests: XCTestCase {
    func testHelpListsEverySubcommandWithWhatItDoes() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("profile", "--help")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout.contains("Profiles never hold secrets."), run.stdout)
        for line in ["add     Add a profile, from a preset or from scratch", "set     Change a profile in place",
                     "list    List profiles, their URLs and where each credential is", "show    Show a profile's settings",
                     "remove  Remove a profile and its stored credentials", "use     Make a profile the default"] {
            XCTAssertTrue(run.stdout.contains(line), "help lacks '\(line)':\n\(run.stdout)")
        }
        XCTAssertEqual(harness.run("profile").stdout, run.stdout, "the bare group shows the same help")
    }

    func testAnUnknownSubcommandIsOneUsageLineNamingIt() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let unknown = harness.run("profile", "frob")
        XCTAssertEqual(unknown.status, ExitCode.usage.rawValue)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1, unknown.stderr)
        XCTAssertTrue(unknown.stderr.hasPrefix("apictl: unknown command 'frob' for 'apictl profile'"), unknown.stderr)

        let typo = harness.run("profile", "lst")
        XCTAssertEqual(typo.status, ExitCode.usage.rawValue)
        XCTAssertTrue(typo.stderr.contains("did you mean 'list'?"), typo.stderr)
    }

    /// The name becomes file names and keyring attributes: one outside the rule is refused before the file is touched.
    func testAProfileNameOutsideTheRuleIsRefusedAndNothingIsWritten() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        for name in ["bad name", "../escape", ".hidden", String(repeating: "a", count: 65)] {
            let run = harness.run("profile", "add", name, "--base-url", "https://api.x.test")
            XCTAssertEqual(run.status, ExitCode.usage.rawValue, name)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains("profile name '\(name)' is not valid"), run.stderr)
        }
        XCTAssertEqual(harness.configText, CommandHarness.dzdesk)
    }

    func testAnUnknownProfileNamesTheConfigFileAndTheNearestName() throws {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles)
        let typo = harness.run("profile", "show", "pdsn")
        XCTAssertEqual(typo.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(typo.stdout, "")
        XCTAssertEqual(typo.stderr, "apictl: unknown profile 'pdsn' in \(harness.configPath) (did you mean 'pdns'?)\n")

        let unrelated = harness.run("profile", "remove", "github")
        XCTAssertEqual(unrelated.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(unrelated.stderr, "apictl: unknown profile 'github' in \(harness.configPath) (see 'apictl profile list')\n")
        XCTAssertEqual(harness.configText, CommandHarness.twoProfiles)
    }
}
