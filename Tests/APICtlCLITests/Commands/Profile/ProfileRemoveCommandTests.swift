@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl profile remove NAME`: the profile, its stored credentials in every environment, and its synced description.
final class ProfileRemoveCommandTests: XCTestCase {
    let dz = CredentialKey(profile: "dz", environment: nil)
    let sandbox = CredentialKey(profile: "pdns", environment: "sandbox")
    let production = CredentialKey(profile: "pdns", environment: "production")

    func harness() throws -> CommandHarness {
        let harness = try CommandHarness(config: "default_profile = \"pdns\"\n" + CommandHarness.dzdesk + "\n" + CommandHarness.pocketdns)
        harness.store.records[dz] = CommandHarness.bound(Credential(token: "dz-key"))
        harness.store.records[sandbox] = Credential(token: "sk_test_key")
        harness.store.records[production] = Credential(token: "sk_live_key")
        return harness
    }

    func testRemovesTheProfileAndItsCredentialsInEveryEnvironment() throws {
        let harness = try harness()
        let run = harness.run("profile", "remove", "pdns")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(run.stderr.hasPrefix("removed profile 'pdns'; removed 2 stored credentials from the keyring"), run.stderr)
        XCTAssertFalse(run.stderr.contains("sk_test_key") || run.stderr.contains("sk_live_key"))
        XCTAssertEqual(Array(harness.store.records.keys), [dz], "only the other profile's credential is left")
        let config = try harness.savedConfig()
        XCTAssertNil(config.profiles["pdns"])
        XCTAssertNil(config.defaultProfile, "the removed profile is no longer the default")
        XCTAssertFalse(harness.configText.contains("pdns"), harness.configText)
        XCTAssertTrue(harness.configText.contains("[profiles.dz.tokens]"), "the other profile is kept whole")
    }

    /// Every account goes with the profile, and so does the memory of which was active.
    func testRemovesEveryAccountsCredential() throws {
        let harness = try harness()
        let work = CredentialKey(profile: "pdns", environment: "sandbox", account: "work")
        harness.store.records[work] = Credential(token: "sk_test_work")
        XCTAssertEqual(harness.run("account", "use", "work", "-p", "pdns", "-e", "sandbox").status, 0)
        let run = harness.run("profile", "remove", "pdns")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("removed 3 stored credentials"), run.stderr)
        XCTAssertEqual(Array(harness.store.records.keys), [dz])
        XCTAssertNil(AccountState(stateDirectory: harness.folder + "/state/apictl").active["pdns"])
    }

    func testKeepCredentialsLeavesTheStoreAlone() throws {
        let harness = try harness()
        let run = harness.run("profile", "remove", "pdns", "--keep-credentials")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "removed profile 'pdns'; its stored credentials were kept (--keep-credentials)\n")
        XCTAssertEqual(Set(harness.store.records.keys), [dz, sandbox, production])
        XCTAssertNil(try harness.savedConfig().profiles["pdns"])
    }

    func testAnUnknownProfileChangesNothing() throws {
        let harness = try harness()
        let original = harness.configText
        let run = harness.run("profile", "remove", "pdsn")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("unknown profile 'pdsn'"), run.stderr)
        XCTAssertEqual(harness.configText, original)
        XCTAssertEqual(harness.store.records.count, 3)
    }

    /// A profile re-added under the same name must not find the old API's operations.
    func testForgetsOnlyThatProfilesSyncedDescription() throws {
        let harness = try harness()
        let cache = harness.folder + "/cache/apictl"
        for profile in ["pdns", "dz"] {
            let folder = OpenAPIIndex.directory(profile: profile, cacheDirectory: cache)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data("index\n".utf8).write(to: URL(fileURLWithPath: folder + "/catalog.tsv"))
            try SyncRecord(location: "https://x.test/openapi.json", etag: nil, syncedAt: Date()).save(profile: profile, cacheDirectory: cache)
        }
        XCTAssertEqual(harness.run("profile", "remove", "pdns").status, 0)
        let removed = OpenAPIIndex.directory(profile: "pdns", cacheDirectory: cache)
        XCTAssertFalse(FileManager.default.fileExists(atPath: removed))
        XCTAssertNil(SyncRecord.load(profile: "pdns", cacheDirectory: cache))
        XCTAssertNotNil(SyncRecord.load(profile: "dz", cacheDirectory: cache))
        let kept = OpenAPIIndex.directory(profile: "dz", cacheDirectory: cache)
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept + "/catalog.tsv"))
    }
}
