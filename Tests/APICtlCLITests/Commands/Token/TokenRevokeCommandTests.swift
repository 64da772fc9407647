@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl token revoke [ID]`: revokes a key at the API; the key in use needs --yes without a terminal, then goes locally too.
final class TokenRevokeCommandTests: XCTestCase {
    func harness() throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "stored-key", tokenID: "k1"))
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
        harness.transport.on("DELETE /v1/api-keys/k7") { _ in .init(204) }
        return harness
    }

    func testRevokingTheKeyInUseWithYesRevokesItAtTheAPIAndRemovesTheLocalCopy() throws {
        let harness = try harness()
        let run = harness.run("token", "revoke", "-p", "dz", "--yes")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "revoked k1 at the API and removed it from the keyring (Secret Service)\n")
        XCTAssertEqual(run.stdout, "")
        let revoke = try XCTUnwrap(harness.transport.requests("DELETE /v1/api-keys/k1").first)
        XCTAssertEqual(revoke.url, "https://api.dz.test/v1/api-keys/k1")
        XCTAssertEqual(revoke.headers["Authorization"], "Bearer stored-key")
        XCTAssertNil(harness.store.records[CommandHarness.dzKey])
    }

    func testTheKeyInUseWithoutYesAndNoTerminalIsAUsageErrorAndNothingIsRevoked() throws {
        let harness = try harness()
        let run = harness.run("token", "revoke", "k1", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: k1 is the key in use; pass --yes to revoke it without a terminal to confirm on\n")
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "stored-key")
    }

    func testAnotherKeyByIDIsRevokedWithoutAskingAndTheStoredKeyStays() throws {
        let harness = try harness()
        let run = harness.run("token", "revoke", "k7", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "revoked k7 at the API\n")
        XCTAssertEqual(harness.transport.sent.map(\.url), ["https://api.dz.test/v1/api-keys/k7"])
        XCTAssertEqual(harness.transport.sent.first?.headers["Authorization"], "Bearer stored-key")
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "stored-key")
    }

    /// docs/tokens.md: a revoke the API refuses keeps the local copy and reports the API's status.
    func testARevokeTheAPIRefusesKeepsTheLocalCopy() throws {
        let harness = try harness()
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in
            .init(403, #"{"success":false,"error":{"code":"FORBIDDEN","message":"Insufficient permissions"}}"#)
        }
        let run = harness.run("token", "revoke", "-p", "dz", "--yes")
        XCTAssertEqual(run.status, ExitCode.permission.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("403 FORBIDDEN: Insufficient permissions"), run.stderr)
        XCTAssertFalse(run.stderr.contains("revoked") || run.stderr.contains("stored-key"), run.stderr)
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "stored-key")
    }

    /// An endpoint that revokes its caller cannot revoke a key apictl does not hold: refused before anything is sent.
    func testThroughAnEndpointThatRevokesItsCallerAnotherKeyIsRefused() throws {
        let harness = try CommandHarness(config: CommandHarness.knox)
        let key = CredentialKey(profile: "knox", environment: nil)
        harness.store.records[key] = CommandHarness.bound(Credential(token: "knox-key"), to: "https://api.knox.test")
        harness.transport.on("POST /api/knox/logout/") { _ in .init(204) }
        let run = harness.run("token", "revoke", "other-id", "-p", "knox")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: tokens.revoke of 'knox' revokes the key that calls it, and apictl does not hold other-id ("),
                      run.stderr)
        XCTAssertTrue(harness.transport.sent.isEmpty)
        let own = harness.run("token", "revoke", "-p", "knox", "--yes")
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertEqual(own.stderr, "revoked the key in use at the API and removed it from the keyring (Secret Service)\n")
        XCTAssertEqual(harness.transport.requests("POST /api/knox/logout/").first?.headers["Authorization"], "Token knox-key")
        XCTAssertNil(harness.store.records[key])
    }
}
