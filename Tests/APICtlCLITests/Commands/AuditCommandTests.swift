@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// The audit record: one line per request sent with a stored credential, and `apictl audit`.
final class AuditCommandTests: XCTestCase {
    func harness(config: String = CommandHarness.dzdesk, environment: [String: String] = [:]) throws -> CommandHarness {
        let harness = try CommandHarness(config: config, environment: environment)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "stored-key", tokenID: "k1"))
        harness.transport.on("GET /v1/requests") { _ in .init(200, "[]") }
        harness.transport.on("DELETE /v1/requests/7") { _ in .init(404, #"{"error":"gone"}"#) }
        return harness
    }

    func lines(_ harness: CommandHarness) -> [String] {
        ((try? String(contentsOfFile: harness.folder + "/state/apictl/audit.jsonl", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    func testEachRequestWithAStoredKeyAddsOneLineWithoutSecretsOrQueryValues() throws {
        let harness = try harness()
        XCTAssertEqual(harness.run("request", "GET", "/requests?q=private+thing&page=2", "-p", "dz").status, 0)
        XCTAssertEqual(harness.run("request", "DELETE", "/requests/7", "-p", "dz").status, ExitCode.httpError.rawValue)
        let recorded = lines(harness)
        XCTAssertEqual(recorded.count, 2, recorded.joined(separator: "\n"))
        let first = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(recorded[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["profile"] as? String, "dz")
        XCTAssertEqual(first["account"] as? String, "default")
        XCTAssertEqual(first["method"] as? String, "GET")
        XCTAssertEqual(first["origin"] as? String, "https://api.dz.test")
        XCTAssertEqual(first["path"] as? String, "/v1/requests?q=&page=")
        XCTAssertEqual(first["status"] as? Int, 200)
        XCTAssertEqual(first["chosen_by"] as? String, "flag")
        XCTAssertEqual(first["token_id"] as? String, "k1")
        XCTAssertEqual(first["credential"] as? String, AuditEntry.fingerprint(of: "stored-key"))
        XCTAssertTrue(recorded[1].contains(#""status":404"#), recorded[1])
        XCTAssertFalse(recorded.joined().contains("stored-key"))
        XCTAssertFalse(recorded.joined().contains("private"))
        var status = stat()
        XCTAssertEqual(stat(harness.folder + "/state/apictl/audit.jsonl", &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600)
    }

    func testAKeyFromTheEnvironmentIsNotRecordedAndAuditFalseRecordsNothing() throws {
        let fromEnvironment = try harness(environment: ["DZ_TOKEN": "env-key"])
        XCTAssertEqual(fromEnvironment.run("request", "GET", "/requests", "-p", "dz").status, 0)
        XCTAssertEqual(lines(fromEnvironment), [])
        let off = try harness(config: "audit = false\n" + CommandHarness.dzdesk)
        XCTAssertEqual(off.run("request", "GET", "/requests", "-p", "dz").status, 0)
        XCTAssertEqual(off.transport.requests("GET /v1/requests").count, 1)
        XCTAssertEqual(lines(off), [])
    }

    func testAuditListsFiltersAndPrintsJSON() throws {
        let harness = try harness()
        XCTAssertEqual(harness.run("request", "GET", "/requests", "-p", "dz").status, 0)
        harness.now = harness.now.addingTimeInterval(10 * 86400)
        XCTAssertEqual(harness.run("request", "DELETE", "/requests/7", "-p", "dz").status, ExitCode.httpError.rawValue)
        let table = harness.run("audit")
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.hasPrefix("TIME "), table.stdout)
        XCTAssertEqual(table.stdout.split(separator: "\n").count, 3, table.stdout)
        let recent = harness.run("audit", "--since", "7d", "--json")
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(recent.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["method"] as? String }, ["DELETE"])
        let none = harness.run("audit", "-p", "dz", "-a", "work", "--json")
        XCTAssertEqual(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
        let bad = harness.run("audit", "--since", "last tuesday")
        XCTAssertEqual(bad.status, ExitCode.usage.rawValue)
        XCTAssertTrue(bad.stderr.contains("--since takes"), bad.stderr)
    }
}
