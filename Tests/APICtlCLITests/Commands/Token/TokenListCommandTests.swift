@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl token list`: the API's keys and the stored one, with age, expiry, which is in use, and flags.
final class TokenListCommandTests: XCTestCase {
    /// k1 is the stored key, 10 days old; k2 is 100 days old and expires in 3 days.
    static let keys = """
    {"data":[{"id":"k1","name":"deploy","scopes":["requests:read"],"created_at":"2027-01-05T08:00:00Z"},
             {"id":"k2","name":"old","created_at":"2026-10-07T08:00:00Z","expires_at":1800259200}]}
    """

    func harness(storedID: String? = "k1") throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "stored-key", tokenID: storedID))
        harness.transport.on("GET /v1/api-keys") { _ in .init(200, Self.keys) }
        return harness
    }

    func testATableFlagsTheOldAndExpiringKeyAndMarksTheOneInUse() throws {
        let harness = try harness()
        let run = harness.run("token", "list", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows, [
            ["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "AGE", "LAST", "USED", "IN", "USE", "FLAGS"],
            // The key in use was last used by this very listing: the audit record saw it go out.
            ["k1", "deploy", "requests:read", "2027-01-05T08:00:00Z", "-", "10d", "2027-01-15T08:00:00Z", "yes"],
            ["k2", "old", "-", "2026-10-07T08:00:00Z", "2027-01-18T08:00:00Z", "100d", "-", "rotate,expiring"],
        ], run.stdout)
        let sent = try XCTUnwrap(harness.transport.sent.last)
        XCTAssertEqual(sent.url, "https://api.dz.test/v1/api-keys")
        XCTAssertEqual(sent.headers["Authorization"], "Bearer stored-key")
        XCTAssertEqual(run.stderr, "")
        XCTAssertFalse(run.stdout.contains("stored-key"))
    }

    /// A stored key the API's list does not match by id gets a row of its own, its unknown id null.
    func testJSONGivesEveryKeyWithNullsForWhatIsNotKnown() throws {
        let harness = try harness(storedID: nil)
        let run = harness.run("token", "list", "-p", "dz", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(items.count, 3, run.stdout)
        XCTAssertEqual(items.map { $0["id"] as? String }, ["k1", "k2", nil])
        XCTAssertEqual(items.map { $0["in_use"] as? Bool }, [false, false, true])
        let old = items[1]
        XCTAssertEqual(old["flags"] as? [String], ["rotate", "expiring"])
        XCTAssertEqual(old["age_days"] as? Int, 100)
        XCTAssertEqual(old["expires_at"] as? String, "2027-01-18T08:00:00Z")
        XCTAssertTrue(old["scopes"] is NSNull, "a value the API did not give is null")
        XCTAssertEqual(items[0]["scopes"] as? [String], ["requests:read"])
        XCTAssertEqual(Set(items[2].keys), ["id", "name", "scopes", "created_at", "expires_at", "age_days", "last_used", "in_use", "flags"])
        XCTAssertTrue(items[2]["id"] is NSNull)
    }

    func testWithoutAListEndpointOnlyTheStoredKeyIsShownAndThatIsSaid() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdeskWithoutList)
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "stored-key", tokenID: "k1"))
        let run = harness.run("token", "list", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, run.stdout)
        XCTAssertEqual(lines.last?.split(separator: " ").map(String.init), ["k1", "-", "-", "-", "-", "-", "-", "yes"])
        XCTAssertEqual(run.stderr, "apictl: profile 'dz' has no tokens.list endpoint; only the stored key is shown\n")
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    func testAListTheAPIRefusesExitsWithItsStatus() throws {
        let harness = try harness()
        harness.transport.on("GET /v1/api-keys") { _ in
            .init(401, #"{"success":false,"error":{"code":"UNAUTHORIZED","message":"Invalid or expired key"}}"#)
        }
        let run = harness.run("token", "list", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("Invalid or expired key"), run.stderr)
        XCTAssertFalse(run.stderr.contains("stored-key"))
    }
}
