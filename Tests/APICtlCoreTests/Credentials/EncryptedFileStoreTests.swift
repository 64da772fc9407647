@testable import APICtlCore
import Foundation
import XCTest

/// The encrypted credential file across the change of crypto library: files written by
/// earlier releases (swift-crypto's BoringSSL) must open unchanged, and a file this build
/// writes must be the same format.
final class EncryptedFileStoreTests: XCTestCase {
    /// Written by apictl 6dc9f3d (swift-crypto 3.12.3): `login -p compat --with-token` of
    /// "compat-key-0123456789" under the passphrase below.
    static let writtenBySwiftCrypto = "QVBJQ1RMAAEPCAEA/ty2YfKNs/1+MpxJiInEwFMDDH+xTsRLz4k9U9b19tly3Ii+aTFPKjjFHFJgB4CtCX8Vcdad"
        + "dp8F3GXCASKrS5I8n0K734dH4JQViGynfb5DTdbSwPmBm02difVHSpGL5LvFMqSVKPK9re7G1vhneQjHAQbXn3r6tIIEHWFMuyh54C9Fpgy594"
        + "Wy/kP4HclWV0NTfIV7i2cl+6VvGSXO1JcARA7jbRh8NjpJgANUuGi2d4zBexTVukLbVkGANZFZnF3HMqfyhm1GYqy75qi7eFeum55cQV4xNh02"
        + "3wXH3w4p9MqF"
    static let passphrase = Array("correct horse battery staple".utf8)
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "apictl-encrypted-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func store(passphrase: [UInt8] = passphrase) -> EncryptedFileStore {
        EncryptedFileStore(directory: folder, passphrase: { use in use == .retry ? nil : passphrase })
    }

    private func writeOldFile(damagingByte damaged: Int? = nil) throws {
        var bytes = try XCTUnwrap(Data(base64Encoded: Self.writtenBySwiftCrypto))
        if let damaged { bytes[damaged] ^= 1 }
        XCTAssertTrue(FileManager.default.createFile(atPath: folder + "/credentials.enc", contents: bytes,
                                                     attributes: [.posixPermissions: 0o600]))
    }

    func testAFileWrittenWithSwiftCryptoOpens() throws {
        try writeOldFile()
        let credential = try store().load(CredentialKey(profile: "compat", environment: nil))
        XCTAssertEqual(credential?.token, "compat-key-0123456789")
    }

    func testAFileWrittenWithSwiftCryptoTakesANewCredentialAndKeepsTheOld() throws {
        try writeOldFile()
        let store = store()
        var added = try XCTUnwrap(store.load(CredentialKey(profile: "compat", environment: nil)))
        added.token = "second-key"
        try store.save(added, for: CredentialKey(profile: "other", environment: nil))
        let reopened = self.store()
        XCTAssertEqual(try reopened.load(CredentialKey(profile: "compat", environment: nil))?.token, "compat-key-0123456789")
        XCTAssertEqual(try reopened.load(CredentialKey(profile: "other", environment: nil))?.token, "second-key")
    }

    func testAWrongPassphraseIsToldApartFromADamagedFile() throws {
        try writeOldFile()
        XCTAssertThrowsError(try store(passphrase: Array("wrong".utf8)).load(CredentialKey(profile: "compat", environment: nil))) {
            XCTAssertTrue("\($0)".contains("wrong passphrase"), "\($0)")
        }
        try writeOldFile(damagingByte: 200)   // in the ciphertext
        XCTAssertThrowsError(try store().load(CredentialKey(profile: "compat", environment: nil))) {
            XCTAssertTrue("\($0)".contains("integrity check"), "\($0)")
        }
    }
}
