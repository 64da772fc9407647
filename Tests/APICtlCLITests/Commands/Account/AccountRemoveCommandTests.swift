@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl account remove`: one account's credential gone (revoked first with --revoke), the others untouched.
final class AccountRemoveCommandTests: XCTestCase {
    func testRevokeRevokesThatAccountsKeyAlone() throws {
        let harness = try CommandHarness.withAccounts()
        harness.storeBothAccounts()
        harness.transport.on("DELETE /v1/api-keys/k-work") { _ in .init(204) }
        let run = harness.run("account", "remove", "work", "-p", "dz", "--revoke")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(harness.transport.requests("DELETE /v1/api-keys/k-work").map { $0.headers["Authorization"] }, ["Bearer work-key"])
        XCTAssertTrue(run.stderr.contains("Logged out of dz, account work"), run.stderr)
        XCTAssertNil(harness.store.records[CommandHarness.work])
        XCTAssertEqual(harness.store.records[CommandHarness.personal]?.token, "home-key")
    }

    func testRemovingAnAccountNotStoredIsANote() throws {
        let harness = try CommandHarness.withAccounts()
        harness.storeBothAccounts()
        let run = harness.run("account", "remove", "bot", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("nothing to log out of: no credential for dz, account bot"), run.stderr)
        XCTAssertEqual(harness.store.records.count, 2)
        XCTAssertEqual(harness.run("account", "remove", "-x", "-p", "dz").status, ExitCode.usage.rawValue)
    }

    /// The removal happened but the listing after it did not: the account stays the active one, and the
    /// user is told how to switch back, since the next command may find no key for it.
    func testAnActiveAccountKeptForWantOfAListingIsSaid() throws {
        let harness = try CommandHarness.withAccounts()
        harness.storeBothAccounts()
        XCTAssertEqual(harness.run("account", "use", "work", "-p", "dz").status, 0)
        harness.store.listingFailure = .store("the Secret Service did not answer within 900 ms")
        let run = harness.run("account", "remove", "work", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertNil(harness.store.records[CommandHarness.work])
        XCTAssertTrue(run.stderr.contains("could not check whether account 'work' of 'dz' holds other keys"), run.stderr)
        XCTAssertTrue(run.stderr.contains("'apictl account use default -p dz' switches back"), run.stderr)
    }
}
