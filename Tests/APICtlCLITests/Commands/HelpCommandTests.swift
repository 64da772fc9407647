@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl help [COMMAND...]`, and `apictl version` beside it.
final class HelpCommandTests: XCTestCase {
    func testHelpForACommandIsWhatItsHelpFlagPrints() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("help", "token", "rotate")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("apictl token rotate: "), run.stdout)
        XCTAssertTrue(run.stdout.contains("\nUsage:\n  apictl token rotate "), run.stdout)
        XCTAssertEqual(run.stdout, harness.run("token", "rotate", "--help").stdout)
        XCTAssertEqual(run.stderr, "")
    }

    func testHelpAloneIsTheTopLevelHelp() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("help")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("apictl: a client for token-authenticated HTTP APIs\n"), run.stdout)
        for command in ["login", "request", "api", "token", "doctor", "completion", "help", "version"] {
            XCTAssertTrue(run.stdout.contains("\n  \(command) "), "\(command) is listed")
        }
        XCTAssertEqual(run.stdout, harness.run("--help").stdout)
    }

    func testHelpForAnUnknownCommandIsAOneLineUsageError() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("help", "reqest")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: unknown command 'reqest' for 'apictl' (did you mean 'request'?)\n")
        XCTAssertEqual(run.stdout, "")
        let sub = harness.run("help", "token", "spin")
        XCTAssertEqual(sub.status, ExitCode.usage.rawValue)
        XCTAssertTrue(sub.stderr.hasPrefix("apictl: unknown command 'spin' for 'apictl token'"), sub.stderr)
    }

    func testVersionPrintsWhatTheVersionFlagPrints() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("version")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "apictl \(APICtlVersion.current)\n")
        XCTAssertEqual(run.stdout, harness.run("--version").stdout)
    }
}
