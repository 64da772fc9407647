@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl credentials`: the group of the credential store commands.
final class CredentialsCommandTests: XCTestCase {
    func testHelpListsItsSubcommands() throws {
        let harness = try CommandHarness(config: "")
        let run = harness.run("credentials", "--help")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("Manage the credential stores"), run.stdout)
        XCTAssertTrue(run.stdout.contains("migrate     Move every stored credential into the keyring or the encrypted file"), run.stdout)
        XCTAssertTrue(run.stdout.contains("lock        Forget the encrypted file's cached key"), run.stdout)
        XCTAssertTrue(run.stdout.contains("rekey       Change the encrypted credential file's passphrase"), run.stdout)
        XCTAssertTrue(run.stdout.contains("import-key  Keep a client certificate's private key in the credential store"), run.stdout)
        XCTAssertEqual(run.stderr, "")
    }

    func testTheGroupAloneShowsTheSameHelp() throws {
        let harness = try CommandHarness(config: "")
        let bare = harness.run("credentials")
        XCTAssertEqual(bare.status, 0, bare.stderr)
        XCTAssertEqual(bare.stdout, harness.run("credentials", "--help").stdout)
    }

    func testAnUnknownSubcommandIsAOneLineUsageError() throws {
        let harness = try CommandHarness(config: "")
        let run = harness.run("credentials", "unlock")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: unknown command 'unlock' for 'apictl credentials'"), run.stderr)
    }
}
