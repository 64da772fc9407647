@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl account use`: the account a profile's commands use when nothing else chooses.
final class AccountUseCommandTests: XCTestCase {
    func testUseMakesAnAccountTheProfilesOwnUntilRemoved() throws {
        let harness = try CommandHarness.withAccounts()
        harness.storeBothAccounts()
        let use = harness.run("account", "use", "work", "-p", "dz")
        XCTAssertEqual(use.status, 0, use.stderr)
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz").status, 0)
        XCTAssertEqual(harness.transport.requests("GET /v1/requests").last?.headers["Authorization"], "Bearer work-key")
        let whoami = harness.run("whoami", "-p", "dz")
        XCTAssertTrue(whoami.stdout.contains("account:     work (from 'apictl account use')"), whoami.stdout)

        let removed = harness.run("account", "remove", "work", "-p", "dz")
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertTrue(removed.stderr.contains("uses its 'default' account again"), removed.stderr)
        XCTAssertNil(harness.store.records[CommandHarness.work])
        XCTAssertEqual(harness.store.records[CommandHarness.personal]?.token, "home-key")
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz").status, 0)
        XCTAssertEqual(harness.transport.requests("GET /v1/requests").last?.headers["Authorization"], "Bearer home-key")
    }

    func testUsingAnAccountNeverLoggedInIsRefused() throws {
        let harness = try CommandHarness.withAccounts()
        let run = harness.run("account", "use", "nobody", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertTrue(run.stderr.contains("apictl login -p dz -a nobody"), run.stderr)
        XCTAssertEqual(harness.run("account", "use", "../x", "-p", "dz").status, ExitCode.usage.rawValue)
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz", "-a", "a/b").status, ExitCode.usage.rawValue)
    }
}
