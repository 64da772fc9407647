@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl token` itself: the group's help, an unknown subcommand, and the "log in first" its subcommands share.
final class TokenCommandTests: XCTestCase {
    func testTheGroupAloneShowsHelpListingEverySubcommand() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("token")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("apictl token: Work with a profile's token\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("apictl token <command> [options]"), run.stdout)
        let listed = run.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        for name in ["create", "list", "rotate", "revoke", "refresh", "print"] {
            XCTAssertTrue(listed.contains(name), "help lists \(name):\n\(run.stdout)")
        }
        XCTAssertTrue(run.stdout.contains("Print the current token to stdout, and nothing else"), run.stdout)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertEqual(harness.run("token", "--help").stdout, run.stdout, "--help shows the same")
    }

    func testAnUnknownSubcommandIsAOneLineUsageErrorNamingIt() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("token", "lsit", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: unknown command 'lsit' for 'apictl token' (did you mean 'list'?)\n")
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    /// Every subcommand that acts with the profile's credential says how to get one, the same way.
    func testASubcommandWithoutACredentialSaysHowToLogIn() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let runs = ["list": harness.run("token", "list", "-p", "dz"),
                    "create": harness.run("token", "create", "--name", "ci", "-p", "dz"),
                    "revoke": harness.run("token", "revoke", "--yes", "-p", "dz"),
                    "print": harness.run("token", "print", "-p", "dz")]
        for (subcommand, run) in runs {
            XCTAssertEqual(run.status, ExitCode.authentication.rawValue, "token \(subcommand): \(run.stderr)")
            XCTAssertEqual(run.stderr, "apictl: no credential for profile 'dz' (run 'apictl login -p dz' or set APICTL_TOKEN)\n",
                           "token \(subcommand)")
            XCTAssertEqual(run.stdout, "", "token \(subcommand)")
        }
        XCTAssertTrue(harness.transport.sent.isEmpty, "nothing is sent without a credential")
    }

    /// No profile at all: said as such, not as a profile named '?'.
    func testWithoutAProfileTheHintNamesNoMadeUpProfile() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("token", "print")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertFalse(run.stderr.contains("'?'") || run.stderr.contains("-p ?"), run.stderr)
        XCTAssertTrue(run.stderr.contains("no profile selected"), run.stderr)
    }
}
