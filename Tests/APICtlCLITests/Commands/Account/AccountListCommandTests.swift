@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl account list`: each stored login with who it is, where, and when it was last used.
final class AccountListCommandTests: XCTestCase {
    func testListShowsIdentityStoreActiveAndLastUse() throws {
        let harness = try CommandHarness.withAccounts()
        XCTAssertEqual(harness.login("home-key").status, 0)
        XCTAssertEqual(harness.login("work-key", "-a", "work").status, 0)
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz", "-a", "work").status, 0)
        let run = harness.run("account", "list", "-p", "dz", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["account"] as? String }, ["default", "work"])
        XCTAssertEqual(rows.map { $0["identity"] as? String }, ["ada@home.test", "ada@work.test"])
        XCTAssertEqual(rows.map { $0["active"] as? Bool }, [true, false])
        XCTAssertEqual(rows.map { $0["store"] as? String }, ["keyring", "keyring"])
        XCTAssertNil(rows[0]["last_used"] as? String)
        XCTAssertEqual(rows[1]["last_used"] as? String, Timestamp.iso8601(harness.now))
        XCTAssertEqual(rows[1]["credential"] as? String, AuditEntry.fingerprint(of: "work-key"))
        XCTAssertFalse(run.stdout.contains("work-key"))
        let table = harness.run("account", "list")
        XCTAssertTrue(table.stdout.hasPrefix("PROFILE  ENV  ACCOUNT  IDENTITY"), table.stdout)
        XCTAssertEqual(table.stdout.split(separator: "\n").count, 3, table.stdout)
    }
}
