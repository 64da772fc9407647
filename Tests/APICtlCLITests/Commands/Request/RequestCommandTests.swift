@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl request` in process against a fake transport.
final class RequestCommandTests: XCTestCase {
    func testSendsTheStoredKeyAndPassesTheBodyThroughUntouched() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "stored-key"))
        let body = #"{"b": 1,  "a":[2.50]}"#
        harness.transport.on("GET /v1/requests") { _ in .init(200, body) }
        let run = harness.run("request", "GET", "/requests", "-p", "dz", "--query", "status=open")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, body, "piped output is byte-exact")
        let sent = try XCTUnwrap(harness.transport.sent.last)
        XCTAssertEqual(sent.url, "https://api.dz.test/v1/requests?status=open")
        XCTAssertEqual(sent.headers["Authorization"], "Bearer stored-key")
    }

    func testAnAPIErrorIsOneLineWithItsExitCodeAndTheBodyOnStdout() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        let body = #"{"success":false,"error":{"code":"FORBIDDEN","message":"Missing scope requests:write"}}"#
        harness.transport.on("POST /v1/requests") { _ in .init(403, body) }
        let run = harness.run("request", "POST", "/requests", "-p", "dz", "-f", "title=x")
        XCTAssertEqual(run.status, ExitCode.permission.rawValue)
        XCTAssertEqual(run.stdout, body)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("Missing scope requests:write"), run.stderr)
        XCTAssertFalse(run.stderr.contains("env-key"))
        XCTAssertEqual(harness.transport.sent.last?.body.map { String(decoding: $0, as: UTF8.self) }, #"{"title":"x"}"#)
    }

    func testNoCredentialIsSentToAnotherOrigin() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        harness.transport.on("GET /elsewhere") { _ in .init(200, "{}") }
        let run = harness.run("request", "GET", "https://other.test/elsewhere", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertNil(harness.transport.sent.last?.headers["Authorization"])
    }
}
