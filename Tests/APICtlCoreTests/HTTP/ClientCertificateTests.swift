@testable import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// Reading a client certificate and its key the way every request does before it is sent.
final class ClientCertificateTests: XCTestCase {
    let alice = Array(TestCertificates.alice.utf8)

    func read(_ certificate: [UInt8], key: String?, passphrase: String? = nil) throws(ClientCertificate.Problem) -> ClientCertificate {
        try ClientCertificate.read(certificate: certificate, key: key.map { Array($0.utf8) }, passphrase: passphrase, origin: "alice.pem")
    }

    func testACertificateAndItsKeyGiveTheSubjectTheExpiryAndTheRFC8705Thumbprint() throws {
        let certificate = try read(alice, key: TestCertificates.aliceKey)
        XCTAssertEqual(certificate.subject, "CN=alice")
        XCTAssertEqual(certificate.thumbprint, TestCertificates.aliceThumbprint)
        XCTAssertEqual(Timestamp.iso8601(certificate.notAfter), "2126-01-01T00:00:00Z")
        XCTAssertTrue(String(decoding: certificate.chainPEM, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        XCTAssertTrue(String(decoding: certificate.keyPEM, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"),
                      "libcurl is handed the key unencrypted, from memory")
    }

    func testAKeyThatIsNotTheCertificatesIsRefused() {
        XCTAssertThrowsError(try read(alice, key: TestCertificates.bobKey)) { XCTAssertEqual($0 as? ClientCertificate.Problem, .keyMismatch) }
    }

    func testAKeyInTheCertificateFileIsFoundAndNoKeyAtAllIsSaid() throws {
        let both = Array((TestCertificates.alice + "\n" + TestCertificates.aliceKey + "\n").utf8)
        XCTAssertEqual(try read(both, key: nil).thumbprint, TestCertificates.aliceThumbprint)
        XCTAssertThrowsError(try read(alice, key: nil)) { XCTAssertEqual($0 as? ClientCertificate.Problem, .noKey) }
        XCTAssertEqual(try ClientCertificate.readCertificateOnly(alice, passphrase: nil, origin: "a").subject, "CN=alice")
    }

    func testAnEncryptedKeyNeedsItsPassphraseAndAWrongOneIsToldApart() throws {
        let encrypted = TestCertificates.aliceKeyEncrypted
        XCTAssertThrowsError(try read(alice, key: encrypted)) { XCTAssertEqual($0 as? ClientCertificate.Problem, .needsPassphrase) }
        XCTAssertThrowsError(try read(alice, key: encrypted, passphrase: "nope")) {
            XCTAssertEqual($0 as? ClientCertificate.Problem, .wrongPassphrase)
        }
        let certificate = try read(alice, key: encrypted, passphrase: "s3cret")
        XCTAssertFalse(String(decoding: certificate.keyPEM, as: UTF8.self).contains("ENCRYPTED"))
    }

    func testAPKCS12FileIsReadWithItsPassword() throws {
        let p12 = try XCTUnwrap(Data(base64Encoded: TestCertificates.aliceP12Base64)).map { $0 }
        XCTAssertThrowsError(try read(p12, key: nil)) { XCTAssertEqual($0 as? ClientCertificate.Problem, .needsPassphrase) }
        XCTAssertThrowsError(try read(p12, key: nil, passphrase: "nope")) { XCTAssertEqual($0 as? ClientCertificate.Problem, .wrongPassphrase) }
        XCTAssertEqual(try read(p12, key: nil, passphrase: "s3cret").thumbprint, TestCertificates.aliceThumbprint)
    }

    func testSomethingThatIsNoCertificateIsSaidToBeUnreadable() {
        for junk in ["", "hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
            XCTAssertThrowsError(try read(Array(junk.utf8), key: TestCertificates.aliceKey)) {
                XCTAssertEqual($0 as? ClientCertificate.Problem, .certificateUnreadable, junk)
            }
        }
    }

    func testExpiryIsJudgedAtTheGivenTimeAndWarnedFourteenDaysAhead() throws {
        let expired = try read(Array(TestCertificates.expired.utf8), key: TestCertificates.expiredKey)
        XCTAssertEqual(expired.validityProblem(at: Date(timeIntervalSince1970: 1_800_000_000)), "expired on 2021-01-01T00:00:00Z")
        let certificate = try read(alice, key: TestCertificates.aliceKey)
        XCTAssertNil(certificate.validityProblem(at: Date()))
        XCTAssertNil(certificate.daysLeft(at: certificate.notAfter.addingTimeInterval(-15 * 86400)))
        XCTAssertEqual(certificate.daysLeft(at: certificate.notAfter.addingTimeInterval(-13.5 * 86400)), 13)
    }

    /// A server's TLS alert about the client's certificate is told apart from other TLS failures.
    func testARefusedCertificateIsToldFromOtherTLSFailures() {
        XCTAssertEqual(CurlTransfer.refusedCertificateAlert("OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0"),
                       "tlsv13 alert certificate required")
        XCTAssertEqual(CurlTransfer.refusedCertificateAlert("error:0A000418:SSL routines::tlsv1 alert unknown ca"), "tlsv1 alert unknown ca")
        XCTAssertNil(CurlTransfer.refusedCertificateAlert("SSL certificate problem: unable to get local issuer certificate"))
        XCTAssertNil(CurlTransfer.refusedCertificateAlert("error:0A000410:SSL routines::sslv3 alert handshake failure"))
    }
}
