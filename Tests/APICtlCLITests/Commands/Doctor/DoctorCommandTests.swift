@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl doctor` in process: one row per check, the exit code of the first problem.
final class DoctorCommandTests: XCTestCase {
    /// The kernel keyring's caches off, so no row depends on the machine's kernel; the
    /// harness's environment has no session bus, so the keyring cannot be reached.
    static let config = "passphrase_cache = \"0\"\nkeyring_cache = \"0\"\n" + CommandHarness.dzdesk

    func row(_ label: String, in stdout: String) -> String? {
        stdout.split(separator: "\n").map(String.init).first { $0.dropFirst(3).hasPrefix(label + ":") }
    }

    func testAllWellIsExit0WithEachProfilesCredentialAndConnectivity() throws {
        let harness = try CommandHarness(config: Self.config)
        harness.store.records[CredentialKey(profile: "dz", environment: nil)] = CommandHarness.bound(Credential(token: "stored-key"))
        harness.transport.on("HEAD /v1") { _ in .init(200) }
        let run = harness.run("doctor")
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(run.stdout.split(separator: "\n").map { String($0.prefix(3)) }.filter { $0 == "!! " }, [], run.stdout)
        XCTAssertEqual(row("config", in: run.stdout), "ok config:        \(harness.folder)/config/apictl/config.toml (1 profile(s))")
        XCTAssertEqual(row("key cache", in: run.stdout), "ok key cache:     off (passphrase_cache = 0)")
        XCTAssertEqual(row("store", in: run.stdout), "ok store:         auto -> keyring (Secret Service)")
        let dz = try XCTUnwrap(row("dz", in: run.stdout), run.stdout)
        XCTAssertTrue(dz.hasPrefix("ok dz:            credential in the keyring (Secret Service); https://api.dz.test answers (HTTP 200, "), dz)
        let head = try XCTUnwrap(harness.transport.sent.last)
        XCTAssertEqual(head.url, "https://api.dz.test/v1")
        XCTAssertNil(head.headers["Authorization"], "the connectivity check carries no credential")
        XCTAssertFalse(run.stdout.contains("stored-key"))
    }

    /// docs: a keyring that cannot be reached under `auto` is no fault, the encrypted file serves.
    func testAnUnreachableKeyringIsNotInUseUnderAutoButAProblemWhenAskedFor() throws {
        let auto = try CommandHarness(config: Self.config, environment: ["DZ_TOKEN": "env-key"])
        let autoRun = auto.run("doctor", "--offline")
        XCTAssertEqual(autoRun.status, 0, autoRun.stdout)
        XCTAssertTrue(try XCTUnwrap(row("keyring", in: autoRun.stdout)).hasPrefix("-- keyring:"), autoRun.stdout)
        XCTAssertTrue(try XCTUnwrap(row("keyring", in: autoRun.stdout)).hasSuffix("; credentials go to the encrypted file"))
        XCTAssertEqual(row("dz", in: autoRun.stdout), "ok dz:            credential from environment variable DZ_TOKEN")
        XCTAssertFalse(autoRun.stdout.contains("env-key"))

        let asked = try CommandHarness(config: "credential_store = \"keyring\"\n" + Self.config, environment: ["DZ_TOKEN": "env-key"])
        let askedRun = asked.run("doctor", "--offline")
        XCTAssertEqual(askedRun.status, ExitCode.credentialStore.rawValue, askedRun.stdout)
        XCTAssertTrue(try XCTUnwrap(row("keyring", in: askedRun.stdout)).hasPrefix("!! keyring:"), askedRun.stdout)
    }

    func testAProfileWithoutACredentialIsExit4AndOfflineSendsNothing() throws {
        let harness = try CommandHarness(config: Self.config)
        let run = harness.run("doctor", "--offline")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue, run.stdout)
        XCTAssertEqual(row("dz", in: run.stdout), "!! dz:            no credential (run 'apictl login -p dz')")
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertEqual(run.stderr, "")
    }

    func testABaseURLThatDoesNotAnswerIsExit8() throws {
        let harness = try CommandHarness(config: Self.config, environment: ["DZ_TOKEN": "env-key"])
        let run = harness.run("doctor")
        XCTAssertEqual(run.status, ExitCode.network.rawValue, run.stdout)
        let dz = try XCTUnwrap(row("dz", in: run.stdout), run.stdout)
        XCTAssertTrue(dz.hasPrefix("!! dz:            credential from environment variable DZ_TOKEN; "), dz)
        XCTAssertTrue(dz.hasSuffix("could not connect to https://api.dz.test"), dz)
    }

    func testAMalformedConfigIsExit3NamingTheFile() throws {
        let harness = try CommandHarness(config: "[profiles.dz\nauth = \"bearer\"\n")
        let run = harness.run("doctor", "--offline")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        let config = try XCTUnwrap(row("config", in: run.stdout), run.stdout)
        XCTAssertTrue(config.hasPrefix("!! config:"), config)
        XCTAssertTrue(config.contains("config.toml"), config)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 1, "nothing else can be checked")
    }
}
