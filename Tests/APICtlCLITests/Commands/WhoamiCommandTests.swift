@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl whoami` in process against a fake transport.
final class WhoamiCommandTests: XCTestCase {
    func testShowsIdentitySourceAndRateLimit() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        var stored = Credential(token: "stored-key", tokenID: "k1", scopes: ["requests:read"])
        stored.expiresAt = harness.now.addingTimeInterval(86400 * 30)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(stored)
        harness.transport.on("GET /v1/me") { _ in
            .init(200, #"{"id":"u_1","name":"Ada","email":"ada@example.test"}"#,
                  headers: [("Content-Type", "application/json"), ("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "97")])
        }
        let run = harness.run("whoami", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("identity:    ada@example.test (Ada), id u_1"), run.stdout)
        XCTAssertTrue(run.stdout.contains("keyring"), run.stdout)
        XCTAssertTrue(run.stdout.contains("97/100 remaining"), run.stdout)
        XCTAssertFalse(run.stdout.contains("stored-key"))
    }

    func testAUserNameComesFirstAndAPointerOverrides() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        harness.transport.on("GET /v1/me") { _ in .init(200, #"{"id":1,"username":"alice","email":"a@example.test","org":{"slug":"acme"}}"#) }
        XCTAssertTrue(harness.run("whoami", "-p", "dz").stdout.contains("identity:    alice <a@example.test>, id 1"))
        let pointed = try CommandHarness(config: CommandHarness.dzdesk.replacingOccurrences(of: "whoami = \"/me\"",
                                                                                        with: "whoami = \"/me\"\nwhoami_identity = \"/org/slug\""),
                                         environment: ["DZ_TOKEN": "env-key"])
        pointed.transport.on("GET /v1/me") { _ in .init(200, #"{"id":1,"username":"alice","org":{"slug":"acme"}}"#) }
        XCTAssertTrue(pointed.run("whoami", "-p", "dz").stdout.contains("identity:    acme"))
    }

    func testJSONNamesTheSource() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        harness.transport.on("GET /v1/me") { _ in .init(200, #"{"id":"u_1"}"#) }
        let run = harness.run("whoami", "-p", "dz", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["source"] as? String, "environment")
        XCTAssertEqual(json["credential_source"] as? String, "environment variable DZ_TOKEN")
    }

    func testARefusedKeyExitsFour() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        harness.transport.on("GET /v1/me") { _ in .init(401, #"{"error":"Invalid API key"}"#) }
        let run = harness.run("whoami", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertTrue(run.stderr.contains("Invalid API key"), run.stderr)
    }

    func testAnUnknownProfileSaysSo() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("whoami", "-p", "nope")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("nope"), run.stderr)
    }

    /// A server that answers with the key itself (as the name, in the body) does not get it printed.
    func testAnAnswerQuotingTheKeyDoesNotPrintIt() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "stored-key-0123"))
        harness.transport.on("GET /v1/me") { _ in .init(200, #"{"id":"stored-key-0123","email":"stored-key-0123"}"#) }
        for arguments in [["whoami", "-p", "dz"], ["whoami", "-p", "dz", "--json"]] {
            let run = harness.run(arguments)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertFalse(run.stdout.contains("stored-key-0123"), run.stdout)
            XCTAssertTrue(run.stdout.contains("[REDACTED]"), run.stdout)
        }
    }
}
