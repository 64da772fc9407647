@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl credentials import-key`: a client certificate's key moves into the store and the
/// config keeps only the certificate; requests then present it with the stored key.
final class CredentialsImportKeyCommandTests: XCTestCase {
    func harness(_ extra: String = "") throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk.replacingOccurrences(of: "[profiles.dz]\n", with: "[profiles.dz]\n" + extra))
        for (name, text) in [("alice.pem", TestCertificates.alice), ("alice.key", TestCertificates.aliceKey),
                             ("alice-enc.key", TestCertificates.aliceKeyEncrypted), ("bob.key", TestCertificates.bobKey)] {
            try text.write(toFile: harness.folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return harness
    }

    var configText: (CommandHarness) -> String = { (try? String(contentsOfFile: $0.folder + "/config/apictl/config.toml", encoding: .utf8)) ?? "" }

    func testTheKeyGoesToTheStoreTheConfigKeepsTheCertificateAndRequestsPresentBoth() throws {
        let harness = try harness("client_key = \"/somewhere/old.key\"\n")
        let run = harness.run("credentials", "import-key", "-p", "dz", "--cert", harness.folder + "/alice.pem", "--key", harness.folder + "/alice.key")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("stored the private key of CN=alice"), run.stderr)
        XCTAssertTrue(run.stderr.contains("was left in place"), "the user is told the key file is still there")
        let stored = try XCTUnwrap(harness.store.records[CredentialKey(profile: "dz", environment: nil).clientKey])
        XCTAssertTrue(stored.token.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let config = configText(harness)
        XCTAssertTrue(config.contains("client_cert = '\(harness.folder)/alice.pem'"), config)
        XCTAssertFalse(config.contains("client_key"), "the old key path would override the stored key")
        XCTAssertFalse(config.contains("PRIVATE KEY"), "no key in the config file")
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.folder + "/alice.key"))

        harness.environment["DZ_TOKEN"] = "env-key"
        harness.transport.on("GET /v1/me") { _ in .init(200, #"{"id":"u1"}"#) }
        let request = harness.run("request", "GET", "/me", "-p", "dz")
        XCTAssertEqual(request.status, 0, request.stderr)
        XCTAssertEqual(harness.transport.sent.last?.clientCertificate?.thumbprint, TestCertificates.aliceThumbprint)
        XCTAssertEqual(harness.transport.sent.last?.clientCertificate?.keyPEM, Array(stored.token.utf8))
        XCTAssertNil(harness.store.records.keys.first { $0.isLogin }, "no login was made of it")
    }

    func testAKeyThatIsNotTheCertificatesStoresNothing() throws {
        let harness = try harness()
        let run = harness.run("credentials", "import-key", "-p", "dz", "--cert", harness.folder + "/alice.pem", "--key", harness.folder + "/bob.key")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertTrue(run.stderr.contains("is not the key of the client certificate"), run.stderr)
        XCTAssertTrue(harness.store.records.isEmpty)
        XCTAssertFalse(configText(harness).contains("client_cert"))
    }

    func testAnEncryptedKeyIsStoredDecryptedWithThePassphraseFromItsVariable() throws {
        let harness = try harness()
        let arguments = ["credentials", "import-key", "-p", "dz", "--cert", harness.folder + "/alice.pem",
                         "--key", harness.folder + "/alice-enc.key", "--passphrase-env", "KP"]
        let unset = harness.run(arguments)
        XCTAssertEqual(unset.status, ExitCode.usage.rawValue)
        XCTAssertTrue(unset.stderr.contains("KP, which is not set"), unset.stderr)
        harness.environment["KP"] = "wrong"
        let wrong = harness.run(arguments)
        XCTAssertEqual(wrong.status, ExitCode.configuration.rawValue)
        XCTAssertFalse(wrong.stderr.contains("wrong\n") || wrong.stderr.contains("'wrong'"), "the passphrase is never printed")
        harness.environment["KP"] = "s3cret"
        let run = harness.run(arguments)
        XCTAssertEqual(run.status, 0, run.stderr)
        let stored = try XCTUnwrap(harness.store.records[CredentialKey(profile: "dz", environment: nil).clientKey])
        XCTAssertFalse(stored.token.contains("ENCRYPTED"))
    }

    func testBothFilesAreRequired() throws {
        let harness = try harness()
        let run = harness.run("credentials", "import-key", "-p", "dz", "--cert", harness.folder + "/alice.pem")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: import-key needs --cert FILE and --key FILE"), run.stderr)
    }
}
