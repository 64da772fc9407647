@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl token rotate` in process: create -> verify -> store -> revoke old.
final class TokenRotateCommandTests: XCTestCase {
    func harness() throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "old-key", tokenID: "k1"))
        harness.transport.on("GET /v1/api-keys") { _ in .init(200, #"{"data":[{"id":"k1","name":"deploy"}]}"#) }
        harness.transport.on("POST /v1/api-keys") { _ in .init(201, #"{"data":{"key":"new-key","id":"k2"}}"#) }
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
        return harness
    }

    func testReplacesTheStoredKeyAndRevokesTheOldOneWithTheNew() throws {
        let harness = try harness()
        var live = ["Bearer old-key", "Bearer new-key"]
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in
            live.removeAll { $0 == "Bearer old-key" }
            return .init(204)
        }
        harness.transport.on("GET /v1/me") { request in .init(live.contains(request.headers["Authorization"] ?? "") ? 200 : 401, "{}") }
        let run = harness.run("token", "rotate", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(harness.store.records[CredentialKey(profile: "dz", environment: nil)]?.token, "new-key")
        let revoke = try XCTUnwrap(harness.transport.requests("DELETE /v1/api-keys/k1").first)
        XCTAssertEqual(revoke.headers["Authorization"], "Bearer new-key")
        let create = try XCTUnwrap(harness.transport.requests("POST /v1/api-keys").first)
        XCTAssertTrue(String(decoding: create.body ?? [], as: UTF8.self).contains("deploy-"), "the new key keeps the old name")
        XCTAssertTrue(run.stderr.contains("the old key k1 was revoked"), run.stderr)
        XCTAssertFalse(run.stderr.contains("new-key") || run.stderr.contains("old-key"))
    }

    /// A revoke the API accepts but that leaves the old key working is not reported as done.
    func testAnOldKeyThatStillAnswersIsReportedLive() throws {
        let harness = try harness()
        harness.transport.on("GET /v1/me") { _ in .init(200, "{}") }
        let run = harness.run("token", "rotate", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.httpError.rawValue)
        XCTAssertTrue(run.stderr.contains("still answers"), run.stderr)
        XCTAssertFalse(run.stderr.contains("was revoked"), run.stderr)
        XCTAssertEqual(harness.store.records[CredentialKey(profile: "dz", environment: nil)]?.token, "new-key")
    }

    func testANewKeyThatFailsVerificationIsRevokedAndTheOldOneKept() throws {
        let harness = try harness()
        harness.transport.on("DELETE /v1/api-keys/k2") { _ in .init(204) }
        harness.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer old-key" ? 200 : 401, "{}") }
        let run = harness.run("token", "rotate", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue, run.stderr)
        XCTAssertEqual(harness.store.records[CredentialKey(profile: "dz", environment: nil)]?.token, "old-key")
        XCTAssertEqual(harness.transport.requests("DELETE /v1/api-keys/k2").count, 1)
        XCTAssertTrue(harness.transport.requests("DELETE /v1/api-keys/k1").isEmpty)
    }
}
