@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl account list|use|remove` and `-a`: several stored logins of one profile, each used
/// only when chosen.
/// `-a`, `APICTL_ACCOUNT` and `login -a`: several stored logins of one profile, each used only when chosen.
final class AccountCommandTests: XCTestCase {
    func testALoginWithAnAccountIsStoredBesideTheFirst() throws {
        let harness = try CommandHarness.withAccounts()
        XCTAssertEqual(harness.login("home-key").status, 0)
        let second = harness.login("work-key", "--account", "work")
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("Logged in to dz, account work as ada@work.test"), second.stderr)
        XCTAssertEqual(harness.store.records[CommandHarness.personal]?.token, "home-key")
        XCTAssertEqual(harness.store.records[CommandHarness.work]?.token, "work-key")
    }

    func testEachAccountIsSentOnlyWhenChosen() throws {
        let harness = try CommandHarness.withAccounts()
        harness.storeBothAccounts()
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz").status, 0)
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz", "-a", "work").status, 0)
        harness.environment["APICTL_ACCOUNT"] = "work"
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz").status, 0)
        let sent = harness.transport.requests("GET /v1/requests").map { $0.headers["Authorization"] }
        XCTAssertEqual(sent, ["Bearer home-key", "Bearer work-key", "Bearer work-key"])
    }

    func testAccountLabelsComplete() throws {
        let harness = try CommandHarness.withAccounts()
        XCTAssertEqual(harness.login("home-key").status, 0)
        XCTAssertEqual(harness.login("work-key", "-a", "work").status, 0)
        let run = harness.run("__complete", "request", "-p", "dz", "-a", "")
        XCTAssertEqual(run.stdout.split(separator: "\n").map { $0.split(separator: "\t").first.map(String.init) ?? "" }, ["default", "work"])
    }
}
