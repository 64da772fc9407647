@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl api show METHOD PATH` in process, from an index synced into the harness's cache folder.
final class ApiShowCommandTests: XCTestCase {
    func harness() throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        try harness.saveIndex()
        return harness
    }

    func testARealPathIsShownAsTheOperationItsTemplateNames() throws {
        let harness = try harness()
        let run = harness.run("api", "show", "get", "/requests/req_9", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, """
            GET /requests/{item_id}
              Get a request

            parameters:
              item_id (path, string, required)

            responses: 200, 404

            """)
        XCTAssertEqual(run.stderr, "")
    }

    func testQueryParametersShowTheirTypeValuesAndDescription() throws {
        let harness = try harness()
        let run = harness.run("api", "show", "GET", "/requests", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#"  status (query, string, one of "open"|"closed"): Only requests in this state"#), run.stdout)
        XCTAssertTrue(run.stdout.contains("\nsecurity: bearer (requests:read)\n"), run.stdout)
        XCTAssertFalse(run.stdout.contains("your token"), "with no credential at hand, nothing is said of its scopes")
    }

    func testTheBodyFieldsAndTheScopesTheStoredTokenLacks() throws {
        let harness = try harness()
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] =
            CommandHarness.bound(Credential(token: "stored-key", scopes: ["requests:read"]))
        let run = harness.run("api", "show", "POST", "/requests", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, """
            POST /requests
              Create a request

            body (required):
              title (string, required): What is wrong
              priority (integer) one of 1, 2, 3

            responses: 201, 422

            security: bearer (requests:read requests:write)
              your token lacks `requests:write`

            """)
        XCTAssertFalse(run.stdout.contains("stored-key") || run.stderr.contains("stored-key"))
        XCTAssertTrue(harness.transport.sent.isEmpty, "the scopes are the stored credential's: nothing is sent")

        harness.store.records[CredentialKey(profile: "dz", environment: nil)] =
            CommandHarness.bound(Credential(token: "stored-key", scopes: ["requests:read", "requests:write"]))
        XCTAssertTrue(harness.run("api", "show", "POST", "/requests", "-p", "dz").stdout.hasSuffix("  your token has these scopes\n"))
    }

    func testAnOperationTheDescriptionLacksIsAUsageErrorWithTheNearestPath() throws {
        let harness = try harness()
        let run = harness.run("api", "show", "GET", "/requets", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: the API's description has no GET /requets (did you mean /requests?)\n")
        XCTAssertEqual(run.stdout, "")
        let method = harness.run("api", "show", "DELETE", "/requests", "-p", "dz")
        XCTAssertEqual(method.status, ExitCode.usage.rawValue)
        XCTAssertTrue(method.stderr.hasPrefix("apictl: the API's description has no DELETE /requests ("), method.stderr)
    }

    func testJSONCarriesTheWholeOperation() throws {
        let harness = try harness()
        let run = harness.run("api", "show", "POST", "/requests", "--json", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        let shown = try XCTUnwrap(JSONValue(parsing: Array(run.stdout.utf8)), run.stdout)
        XCTAssertEqual(shown["method"], .string("POST"))
        XCTAssertEqual(shown["path"], .string("/requests"))
        XCTAssertEqual(shown["body_required"], .bool(true))
        XCTAssertEqual(shown["body"]?["required"], .array([.string("title")]))
        XCTAssertEqual(shown["responses"], .array([.string("201"), .string("422")]))
        XCTAssertEqual(shown["security"], .array([.array([.object(["scheme": .string("bearer"),
                                                                   "scopes": .array([.string("requests:read"), .string("requests:write")])])])]))
    }
}
