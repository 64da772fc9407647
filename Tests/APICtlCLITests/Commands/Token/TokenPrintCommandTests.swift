@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl token print`: the current token on stdout and nothing else, resolved as for a request.
final class TokenPrintCommandTests: XCTestCase {
    func testPrintsTheStoredTokenAndNothingElse() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "stored-key", tokenID: "k1"))
        let run = harness.run("token", "print", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "stored-key\n")
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(harness.transport.sent.isEmpty, "printing a token calls nothing")
    }

    /// APICTL_TOKEN, then the profile's token_env, then the store.
    func testTheEnvironmentWinsOverTheStoreInTheDocumentedOrder() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "profile-env-key"])
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "stored-key"))
        let fromTokenEnv = harness.run("token", "print", "-p", "dz")
        XCTAssertEqual(fromTokenEnv.status, 0, fromTokenEnv.stderr)
        XCTAssertEqual(fromTokenEnv.stdout, "profile-env-key\n")
        harness.environment["APICTL_TOKEN"] = "apictl-env-key"
        let fromAPICTLToken = harness.run("token", "print", "-p", "dz")
        XCTAssertEqual(fromAPICTLToken.status, 0, fromAPICTLToken.stderr)
        XCTAssertEqual(fromAPICTLToken.stdout, "apictl-env-key\n")
    }

    func testWithoutACredentialNothingIsPrintedAndExitIsAuthentication() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("token", "print", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "apictl: no credential for profile 'dz' (run 'apictl login -p dz' or set APICTL_TOKEN)\n")
    }

    func testAnUnknownProfileIsAConfigurationError() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["APICTL_TOKEN": "apictl-env-key"])
        let run = harness.run("token", "print", "-p", "nope")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("'nope'"), run.stderr)
        XCTAssertFalse(run.stderr.contains("apictl-env-key"))
    }
}
