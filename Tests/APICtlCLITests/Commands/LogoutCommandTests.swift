@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl logout`: removes a profile's stored credential, with --revoke after revoking it at the API.
final class LogoutCommandTests: XCTestCase {
    let key = CredentialKey(profile: "dz", environment: nil)

    func harness(environment: [String: String] = [:]) throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: environment)
        harness.store.records[key] = CommandHarness.bound(Credential(token: "stored-key", tokenID: "k1"))
        return harness
    }

    func testRemovesTheStoredKeyWithoutCallingTheAPI() throws {
        let harness = try harness()
        let run = harness.run("logout", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "Logged out of dz: removed its key from the keyring (Secret Service)\n")
        XCTAssertNil(harness.store.records[key])
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    /// Logging out twice is no failure; a variable that still supplies a key is pointed out.
    func testNothingStoredIsANoteAndATokenVariableStillSetIsNamed() throws {
        let harness = try harness(environment: ["DZ_TOKEN": "env-key"])
        let first = harness.run("logout", "-p", "dz")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.hasSuffix("apictl: note: DZ_TOKEN is still set and will be used\n"), first.stderr)
        XCTAssertFalse(first.stderr.contains("env-key"))
        let again = harness.run("logout", "-p", "dz")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stderr, "apictl: note: nothing to log out of: no credential for dz is stored in the keyring (Secret Service)\n")
    }

    func testRevokeRevokesTheKeyByItsIDBeforeRemovingIt() throws {
        let harness = try harness()
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
        let run = harness.run("logout", "-p", "dz", "--revoke")
        XCTAssertEqual(run.status, 0, run.stderr)
        let revoke = try XCTUnwrap(harness.transport.requests("DELETE /v1/api-keys/k1").first)
        XCTAssertEqual(revoke.url, "https://api.dz.test/v1/api-keys/k1")
        XCTAssertEqual(revoke.headers["Authorization"], "Bearer stored-key")
        XCTAssertTrue(run.stderr.contains("revoked key k1 at the API\n"), run.stderr)
        XCTAssertTrue(run.stderr.contains("Logged out of dz"), run.stderr)
        XCTAssertFalse(run.stderr.contains("stored-key"))
        XCTAssertNil(harness.store.records[key])
    }

    func testARefusedRevocationKeepsTheLocalCopyUnlessForced() throws {
        let harness = try harness()
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in
            .init(403, #"{"success":false,"error":{"code":"FORBIDDEN","message":"Missing scope api-keys:write"}}"#)
        }
        let kept = harness.run("logout", "-p", "dz", "--revoke")
        XCTAssertEqual(kept.status, ExitCode.permission.rawValue)
        XCTAssertEqual(kept.stderr.split(separator: "\n").count, 1, kept.stderr)
        XCTAssertTrue(kept.stderr.contains("Missing scope api-keys:write"), kept.stderr)
        XCTAssertTrue(kept.stderr.contains("the local copy was kept; pass --force"), kept.stderr)
        XCTAssertEqual(harness.store.records[key]?.token, "stored-key")

        let forced = harness.run("logout", "-p", "dz", "--revoke", "--force")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("removing the local copy anyway (--force)"), forced.stderr)
        XCTAssertNil(harness.store.records[key])
    }

    /// A key stored for another origin is neither sent there to be revoked nor removed.
    func testRevokeRefusesAKeyBoundToAnotherOrigin() throws {
        let harness = try harness()
        var elsewhere = Credential(token: "stored-key", tokenID: "k1")
        elsewhere.origin = "https://old.dz.test"
        harness.store.records[key] = elsewhere
        harness.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
        let run = harness.run("logout", "-p", "dz", "--revoke")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertTrue(run.stderr.contains("was obtained for https://old.dz.test"), run.stderr)
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertEqual(harness.store.records[key]?.token, "stored-key")
    }
}

/// `apictl logout --proxy`: only the proxy login goes, the API credential stays.
final class LogoutProxyCommandTests: XCTestCase {
    func testRemovesTheProxyLoginAndKeepsTheCredential() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let login = CredentialKey(profile: "dz", environment: nil)
        harness.store.records[login] = CommandHarness.bound(Credential(token: "stored-key"))
        var proxy = Credential(token: "proxy-pw", kind: "proxy")
        proxy.name = "me"
        harness.store.records[login.proxyLogin] = proxy
        let run = harness.run("logout", "--proxy", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "removed the proxy login of dz from the keyring (Secret Service)\n")
        XCTAssertNil(harness.store.records[login.proxyLogin])
        XCTAssertNotNil(harness.store.records[login])
        XCTAssertEqual(harness.run("logout", "--proxy", "--revoke", "-p", "dz").status, ExitCode.usage.rawValue)
    }
}
