@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl token create`: a new key printed once on stdout, or with --store verified and stored.
final class TokenCreateCommandTests: XCTestCase {
    func harness() throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "old-key", tokenID: "k1"))
        harness.transport.on("POST /v1/api-keys") { _ in .init(201, #"{"data":{"key":"new-key","id":"k9"}}"#) }
        return harness
    }

    func testPrintsTheNewKeyAloneOnStdoutAndWhatItIsOnStderr() throws {
        let harness = try harness()
        let run = harness.run("token", "create", "-p", "dz", "--name", "ci", "--scope", "requests:read", "--expires-in", "30d")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "new-key\n", "the key and nothing else")
        XCTAssertEqual(run.stderr, "created key k9 'ci', scopes requests:read, expires 2027-02-14T08:00:00Z; the key is shown only this once\n")
        let create = try XCTUnwrap(harness.transport.requests("POST /v1/api-keys").first)
        XCTAssertEqual(create.url, "https://api.dz.test/v1/api-keys")
        XCTAssertEqual(create.headers["Authorization"], "Bearer old-key")
        XCTAssertEqual(create.headers["Content-Type"], "application/json")
        XCTAssertEqual(try CommandHarness.jsonBody(create), ["name": "ci", "scopes": ["requests:read"], "expires_in": 2_592_000] as NSDictionary)
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "old-key", "without --store nothing is stored")
    }

    func testWithoutANameNothingIsSent() throws {
        let harness = try harness()
        let run = harness.run("token", "create", "-p", "dz", "--expires-in", "30d")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: token create needs --name (e.g. apictl token create --name ci --expires-in 30d)\n")
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    func testStoreVerifiesTheNewKeyStoresItAndPrintsOnlyItsID() throws {
        let harness = try harness()
        harness.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer new-key" ? 200 : 401, "{}") }
        let run = harness.run("token", "create", "-p", "dz", "--name", "backend", "--expires-in", "90d", "--store")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "k9\n")
        XCTAssertEqual(harness.transport.requests("GET /v1/me").count, 1, "verified against whoami")
        let stored = try XCTUnwrap(harness.store.records[CommandHarness.dzKey])
        XCTAssertEqual(stored.token, "new-key")
        XCTAssertEqual(stored.tokenID, "k9")
        XCTAssertEqual(stored.name, "backend")
        XCTAssertEqual(stored.expiresAt, harness.now.addingTimeInterval(90 * 86400))
        XCTAssertEqual(stored.origin, "https://api.dz.test")
        XCTAssertTrue(run.stderr.hasPrefix("created key k9 'backend', scopes -, expires 2027-04-15T08:00:00Z; stored in the keyring"), run.stderr)
        XCTAssertFalse(run.stderr.contains("new-key") || run.stderr.contains("old-key"), run.stderr)
        XCTAssertTrue(harness.transport.requests("DELETE /v1/api-keys/k9").isEmpty)
    }

    /// A new key the API rejects is revoked again, and the current one stays stored.
    func testStoreOfAKeyThatFailsVerificationRevokesItAndKeepsTheOldOne() throws {
        let harness = try harness()
        harness.transport.on("GET /v1/me") { _ in .init(401, #"{"success":false,"error":{"code":"UNAUTHORIZED","message":"Invalid key"}}"#) }
        harness.transport.on("DELETE /v1/api-keys/k9") { _ in .init(204) }
        let run = harness.run("token", "create", "-p", "dz", "--name", "backend", "--store")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue, run.stderr)
        XCTAssertEqual(run.stdout, "", "a key that was not kept is not printed")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("Invalid key") && run.stderr.contains("it was not stored"), run.stderr)
        XCTAssertFalse(run.stderr.contains("new-key"), run.stderr)
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "old-key")
        XCTAssertEqual(harness.transport.requests("DELETE /v1/api-keys/k9").count, 1)
    }

    func testACreateTheAPIRefusesExitsWithItsStatusAndPrintsNoKey() throws {
        let harness = try harness()
        harness.transport.on("POST /v1/api-keys") { _ in
            .init(403, #"{"success":false,"error":{"code":"FORBIDDEN","message":"Missing scope api_keys:write"}}"#)
        }
        let run = harness.run("token", "create", "-p", "dz", "--name", "ci")
        XCTAssertEqual(run.status, ExitCode.permission.rawValue)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: ") && run.stderr.contains("Missing scope api_keys:write"), run.stderr)
        XCTAssertFalse(run.stderr.contains("old-key"), run.stderr)
    }

    /// A key that can be neither verified nor revoked is live at the API: the user is told its id.
    func testANewKeyLeftLiveIsNamedWithHowToRevokeIt() throws {
        let harness = try harness()
        harness.transport.on("GET /v1/me") { _ in .init(401, "{}") }
        harness.transport.on("DELETE /v1/api-keys/k9") { _ in .init(403, "{}") }
        let run = harness.run("token", "create", "-p", "dz", "--name", "ci", "--store")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        let last = try XCTUnwrap(run.stderr.split(separator: "\n").last)
        XCTAssertTrue(last.contains("revoking the new key k9 failed too") && last.contains("it is live at the API"), run.stderr)
        XCTAssertTrue(last.contains("apictl token revoke k9 -p dz"), run.stderr)
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "old-key")
    }

    /// With the key in use from the environment, the stored one it replaces and the variable that still wins are said.
    func testStoringWhileAVariableIsSetSaysTheVariableStillWins() throws {
        let harness = try harness()
        harness.environment["DZ_TOKEN"] = "env-key"
        harness.transport.on("GET /v1/me") { _ in .init(200, "{}") }
        let run = harness.run("token", "create", "-p", "dz", "--name", "ci", "--store")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("in place of the key stored before, which stays valid at the API until revoked"), run.stderr)
        XCTAssertTrue(run.stderr.contains("the environment variable DZ_TOKEN is still set and is used before it"), run.stderr)
        XCTAssertFalse(run.stderr.contains("env-key"))
    }
}
