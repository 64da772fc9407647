@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl profile list`: every profile and environment, its URL and where its credential would come from.
final class ProfileListCommandTests: XCTestCase {
    func harness(environment: [String: String] = [:]) throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.twoProfiles, environment: environment)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "stored-dz-key"))
        return harness
    }

    func testATableRowPerEnvironmentWithTheDefaultMarkedAndNoSecret() throws {
        let harness = try harness(environment: ["PDNS_KEY": "sk_test_from_env"])
        let run = harness.run("profile", "list")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        XCTAssertEqual(rows, [
            "NAME AUTH URL CREDENTIAL",
            "* dz bearer https://api.dz.test/v1 keyring",
            "pdns -e production bearer https://api.pdns.test environment variable PDNS_KEY",
            "pdns -e sandbox (default) bearer https://api.sandbox.pdns.test environment variable PDNS_KEY",
        ], run.stdout)
        XCTAssertFalse(run.stdout.contains("stored-dz-key") || run.stdout.contains("sk_test_from_env"), run.stdout)
    }

    func testJSONHasOneObjectPerEnvironment() throws {
        let harness = try harness()
        let run = harness.run("profile", "list", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.map { $0["name"] as? String }, ["dz", "pdns", "pdns"])
        XCTAssertEqual(rows.map { $0["environment"] as? String }, [nil, "production", "sandbox"])
        XCTAssertEqual(rows.map { $0["default"] as? Bool }, [true, false, false])
        XCTAssertEqual(rows.map { $0["credential"] as? String }, ["keyring", "none", "none"])
        XCTAssertEqual(rows.first?["url"] as? String, "https://api.dz.test/v1")
        XCTAssertFalse(run.stdout.contains("stored-dz-key"))
    }

    func testNoProfilesSaysHowToAddOne() throws {
        let harness = try CommandHarness(config: "")
        let run = harness.run("profile", "list")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "", "nothing for a script to parse")
        XCTAssertTrue(run.stderr.hasPrefix("no profiles yet; add one with 'apictl profile add NAME --preset dzdesk'"), run.stderr)
        XCTAssertTrue(run.stderr.contains("datadocks, techdocs, datasets, pocketdns, dzdesk"), run.stderr)

        let json = harness.run("profile", "list", "--json")
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    /// One profile that cannot resolve does not hide the others: its row says why.
    func testAProfileMissingAVarIsListedWithItsProblem() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk + """

        [profiles.acme]
        auth = "token"
        base_url = "https://{subdomain}.acme.test/api"
        """)
        let run = harness.run("profile", "list")
        XCTAssertEqual(run.status, 0, run.stderr)
        let acme = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.contains("acme") }.map(String.init))
        XCTAssertTrue(acme.contains("https://{subdomain}.acme.test/api ('https://{subdomain}.acme.test/api' needs a value for {subdomain})"), acme)
        XCTAssertTrue(acme.hasSuffix(" -"), "no credential column for a profile that cannot be used: \(acme)")
        XCTAssertTrue(run.stdout.contains("https://api.dz.test/v1"), run.stdout)
    }
}
