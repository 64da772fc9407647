@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl credentials rekey`: a new passphrase for the encrypted credential file.
final class CredentialsRekeyCommandTests: XCTestCase {
    let key = CredentialKey(profile: "dz", environment: nil)

    func harness(old: String, new: String) throws -> CommandHarness {
        try CommandHarness(config: "", environment: CommandHarness.fileStoreEnvironment(["APICTL_PASSPHRASE": old,
                                                                                          "APICTL_NEW_PASSPHRASE": new]))
    }

    func testTheNewPassphraseOpensTheFileAndTheOldOneNoLonger() throws {
        let harness = try harness(old: "old-pass", new: "new-pass")
        try harness.encryptedFile(passphrase: "old-pass").save(CommandHarness.bound(Credential(token: "filed-key")), for: key)
        let run = harness.run("credentials", "rekey")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "re-keyed \(harness.credentialFilePath): the old passphrase no longer opens it\n")
        XCTAssertEqual(run.stdout, "")
        XCTAssertFalse(run.stderr.contains("old-pass") || run.stderr.contains("new-pass") || run.stderr.contains("filed-key"))
        XCTAssertEqual(try harness.encryptedFile(passphrase: "new-pass").load(key)?.token, "filed-key")
        XCTAssertThrowsError(try harness.encryptedFile(passphrase: "old-pass").keys()) { error in
            XCTAssertEqual((error as? APICtlError)?.exitCode, .credentialStore)
            XCTAssertTrue((error as? APICtlError)?.message.hasPrefix("wrong passphrase") == true, "\(error)")
        }
    }

    func testAWrongOldPassphraseChangesNothing() throws {
        let harness = try harness(old: "not-it", new: "new-pass")
        try harness.encryptedFile(passphrase: "old-pass").save(CommandHarness.bound(Credential(token: "filed-key")), for: key)
        let before = try XCTUnwrap(harness.credentialFileBytes())
        let run = harness.run("credentials", "rekey")
        XCTAssertEqual(run.status, ExitCode.credentialStore.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: wrong passphrase for \(harness.credentialFilePath)"), run.stderr)
        XCTAssertFalse(run.stderr.contains("not-it") || run.stderr.contains("new-pass"))
        XCTAssertEqual(harness.credentialFileBytes(), before)
        XCTAssertEqual(try harness.encryptedFile(passphrase: "old-pass").load(key)?.token, "filed-key")
    }

    func testWithoutAFileThereIsNothingToRekeyAndNoneIsCreated() throws {
        let harness = try harness(old: "old-pass", new: "new-pass")
        let run = harness.run("credentials", "rekey")
        XCTAssertEqual(run.status, ExitCode.credentialStore.rawValue)
        XCTAssertEqual(run.stderr, "apictl: there is no encrypted credential file at \(harness.credentialFilePath) to re-key\n")
        XCTAssertNil(harness.credentialFileBytes())
    }
}
