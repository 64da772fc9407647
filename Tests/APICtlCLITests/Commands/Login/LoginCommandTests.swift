@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl login`: a key from stdin checked against whoami before it is stored, and a token pair login.
final class LoginCommandTests: XCTestCase {
    let key = CredentialKey(profile: "dz", environment: nil)

    func testAKeyFromStdinIsCheckedWithWhoamiThenStoredBoundToTheProfile() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.standardInput = Array("  new-key\n".utf8)
        harness.transport.on("GET /v1/me") { _ in .init(200, #"{"id":"u_1","email":"ada@example.test"}"#) }
        let run = harness.run("login", "-p", "dz", "--with-token")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "Logged in to dz as ada@example.test; key stored in the keyring (Secret Service)\n")
        XCTAssertEqual(run.stdout, "")
        let whoami = try XCTUnwrap(harness.transport.requests("GET /v1/me").first)
        XCTAssertEqual(whoami.url, "https://api.dz.test/v1/me")
        XCTAssertEqual(whoami.headers["Authorization"], "Bearer new-key")
        let stored = try XCTUnwrap(harness.store.records[key])
        XCTAssertEqual(stored.token, "new-key")
        XCTAssertEqual(stored.origin, "https://api.dz.test")
        XCTAssertEqual(stored.createdAt, harness.now)
    }

    /// A key the API refuses replaces nothing: the key stored before stays.
    func testAKeyWhoamiRejectsIsNotStored() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[key] = CommandHarness.bound(Credential(token: "old-key"))
        harness.standardInput = Array("bad-key\n".utf8)
        harness.transport.on("GET /v1/me") { _ in
            .init(401, #"{"success":false,"error":{"code":"UNAUTHORIZED","message":"Invalid API key"}}"#)
        }
        let run = harness.run("login", "-p", "dz", "--with-token")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("Invalid API key"), run.stderr)
        XCTAssertTrue(run.stderr.contains("the API rejected this key, so it was not stored"), run.stderr)
        XCTAssertFalse(run.stderr.contains("bad-key"))
        XCTAssertEqual(harness.store.records[key]?.token, "old-key")
        XCTAssertEqual(harness.store.records.count, 1)
    }

    func testAKeyOfAnotherEnvironmentIsRefusedBeforeAnythingIsSentOrStored() throws {
        let harness = try CommandHarness(config: CommandHarness.prefixedEnvironments)
        harness.standardInput = Array("sk_test_abc123\n".utf8)
        harness.transport.on("GET /me") { _ in .init(200, #"{"id":"u_1"}"#) }
        let run = harness.run("login", "-p", "pd", "-e", "production", "--with-token")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("looks like a 'sandbox' key (it starts with sk_test_), but this is the 'production' environment; nothing was stored"),
                      run.stderr)
        XCTAssertFalse(run.stderr.contains("abc123"))
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertTrue(harness.store.records.isEmpty)
    }

    func testAKeyWithItsSchemeIsAUsageError() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.standardInput = Array("Bearer new-key\n".utf8)
        let run = harness.run("login", "-p", "dz", "--with-token")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: give just the key, without 'Bearer'"), run.stderr)
        XCTAssertFalse(run.stderr.contains("new-key"))
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertTrue(harness.store.records.isEmpty)
    }

    func testAPairLoginBuysThePairWithTheUsernameAndPasswordFromStdin() throws {
        let harness = try CommandHarness(config: CommandHarness.pairAPI)
        harness.standardInput = Array("pw-secret\n".utf8)
        harness.transport.on("POST /api/token/") { _ in .init(200, #"{"access":"acc-1","refresh":"ref-1","expires_in":300}"#) }
        harness.transport.on("GET /api/me/") { _ in .init(200, #"{"id":7,"username":"alice"}"#) }
        let run = harness.run("login", "-p", "api", "--username", "alice", "--password-stdin")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "Logged in to api as alice; token pair stored in the keyring (Secret Service); it renews itself\n")
        XCTAssertFalse(run.stderr.contains("pw-secret") || run.stderr.contains("acc-1") || run.stderr.contains("ref-1"))
        let obtain = try XCTUnwrap(harness.transport.requests("POST /api/token/").first)
        XCTAssertEqual(obtain.url, "https://api.pair.test/api/token/")
        XCTAssertNil(obtain.headers["Authorization"])
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(obtain.body ?? [])) as? [String: String])
        XCTAssertEqual(body, ["username": "alice", "password": "pw-secret"])
        XCTAssertEqual(harness.transport.requests("GET /api/me/").first?.headers["Authorization"], "Bearer acc-1")
        let stored = try XCTUnwrap(harness.store.records[CredentialKey(profile: "api", environment: nil)])
        XCTAssertEqual(stored.kind, "pair")
        XCTAssertEqual(stored.token, "acc-1")
        XCTAssertEqual(stored.refreshToken, "ref-1")
        XCTAssertEqual(stored.expiresAt, harness.now.addingTimeInterval(300))
        XCTAssertEqual(stored.origin, "https://api.pair.test")
    }
}
