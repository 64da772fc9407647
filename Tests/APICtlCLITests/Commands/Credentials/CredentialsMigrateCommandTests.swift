@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl credentials migrate --to keyring|file`, here where no keyring runs (no D-Bus session bus).
final class CredentialsMigrateCommandTests: XCTestCase {
    func testWithoutToItSaysHowToChoose() throws {
        let harness = try CommandHarness(config: "", environment: CommandHarness.fileStoreEnvironment(["APICTL_PASSPHRASE": "pass-1"]))
        let run = harness.run("credentials", "migrate")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: say where to move credentials with --to keyring or --to file\n")
        XCTAssertNil(harness.credentialFileBytes())
    }

    func testAnUnknownTargetIsAUsageErrorNamingTheChoices() throws {
        let harness = try CommandHarness(config: "", environment: CommandHarness.fileStoreEnvironment(["APICTL_PASSPHRASE": "pass-1"]))
        let run = harness.run("credentials", "migrate", "--to", "vault")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("'vault'") && run.stderr.contains("keyring, file"), run.stderr)
    }

    /// Moving to a keyring that cannot be reached leaves every credential in the file.
    func testToAnUnreachableKeyringLeavesTheFileAsItWas() throws {
        let harness = try CommandHarness(config: "", environment: CommandHarness.fileStoreEnvironment(["APICTL_PASSPHRASE": "pass-1"]))
        let key = CredentialKey(profile: "dz", environment: nil)
        try harness.encryptedFile(passphrase: "pass-1").save(CommandHarness.bound(Credential(token: "filed-key")), for: key)
        let before = try XCTUnwrap(harness.credentialFileBytes())
        let run = harness.run("credentials", "migrate", "--to", "keyring")
        XCTAssertEqual(run.status, ExitCode.credentialStore.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: the keyring cannot be used: no D-Bus session bus"), run.stderr)
        XCTAssertFalse(run.stderr.contains("moved"), run.stderr)
        XCTAssertEqual(harness.credentialFileBytes(), before)
        XCTAssertEqual(try harness.encryptedFile(passphrase: "pass-1").load(key)?.token, "filed-key")
    }

    /// Moving out of a keyring that cannot be reached creates no file and claims nothing.
    func testFromAnUnreachableKeyringCreatesNoFile() throws {
        let harness = try CommandHarness(config: "", environment: CommandHarness.fileStoreEnvironment(["APICTL_PASSPHRASE": "pass-1"]))
        let run = harness.run("credentials", "migrate", "--to", "file")
        XCTAssertEqual(run.status, ExitCode.credentialStore.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("the keyring cannot be used"), run.stderr)
        XCTAssertNil(harness.credentialFileBytes())
    }
}
