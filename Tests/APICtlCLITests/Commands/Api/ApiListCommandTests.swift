@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl api list [FILTER]` in process, from an index synced into the harness's cache folder.
final class ApiListCommandTests: XCTestCase {
    func harness() throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        try harness.saveIndex()
        return harness
    }

    func testListsEachOperationByPathThenMethodWithPathsUnderTheBaseURL() throws {
        let harness = try harness()
        let run = harness.run("api", "list", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, """
            METHOD  PATH                 SUMMARY
            GET     /requests            List requests
            POST    /requests            Create a request
            GET     /requests/{item_id}  Get a request

            """)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(harness.transport.sent.isEmpty, "listing reads the index, not the API")
    }

    func testAFilterMatchesMethodPathOrSummaryInAnyCase() throws {
        let harness = try harness()
        let run = harness.run("api", "list", "CREATE", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "METHOD  PATH       SUMMARY\nPOST    /requests  Create a request\n")
        XCTAssertEqual(harness.run("api", "list", "item_id", "-p", "dz").stdout.split(separator: "\n").count, 2)
    }

    func testAFilterThatMatchesNothingSaysSoOnStderrAndSucceeds() throws {
        let harness = try harness()
        let run = harness.run("api", "list", "invoices", "-p", "dz")
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "no operation's method, path or summary contains 'invoices'\n")
    }

    func testJSONIsAnArrayOfMethodPathAndSummary() throws {
        let harness = try harness()
        let run = harness.run("api", "list", "requests/", "--json", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        let listed = try XCTUnwrap(JSONValue(parsing: Array(run.stdout.utf8)), run.stdout)
        XCTAssertEqual(listed, .array([.object(["method": .string("GET"), "path": .string("/requests/{item_id}"),
                                                "summary": .string("Get a request")])]))
    }

    /// docs/openapi.md: a description cannot repaint the terminal.
    func testTheDescriptionsControlCharactersAreShownEscaped() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        try harness.saveIndex([#"{"method":"DELETE","path":"/requests","summary":"Purge\u001b[2J all","responses":["204"]}"#])
        let run = harness.run("api", "list", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#"DELETE  /requests  Purge\u{1B}[2J all"#), run.stdout)
        XCTAssertFalse(run.stdout.contains("\u{1B}"))
    }
}
