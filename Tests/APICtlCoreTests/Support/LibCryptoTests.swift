@testable import APICtlCore
import XCTest

/// Published test vectors for the four primitives apictl takes from libcrypto: a wrong
/// binding (a swapped length, a truncated tag) gives other bytes, not an error.
final class LibCryptoTests: XCTestCase {
    func testSHA256OfABCIsFIPS180sExample() {
        XCTAssertEqual(hex(SHA256.hash(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(SHA256.hash([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testHMACSHA256IsRFC4231sCases() {
        XCTAssertEqual(hex(SHA256.hmac(Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(hex(SHA256.hmac(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // case 6: a key longer than the block is hashed first
        XCTAssertEqual(hex(SHA256.hmac(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                                       key: [UInt8](repeating: 0xaa, count: 131))),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // at the block size's edge (Python's hmac module gave these)
        XCTAssertEqual(hex(SHA256.hmac(Array("x".utf8), key: [UInt8](repeating: 1, count: 64))),
                       "c668fc54e1a2a267c502413f4580c5bb5d9229fef5fb9b4ff5f4ce5e76299783")
        XCTAssertEqual(hex(SHA256.hmac(Array("x".utf8), key: [UInt8](repeating: 1, count: 65))),
                       "fa34864aa49f680b10d9dd4d77db4bf268cdc0fe6e204c10fb63c62738e69497")
    }

    func testScryptIsRFC7914sSecondVector() throws {
        let key = try Scrypt.deriveKey(from: Array("password".utf8), salt: Array("NaCl".utf8), log2N: 10, r: 8, p: 16,
                                       byteCount: 64, maxMemory: 64 << 20)
        XCTAssertEqual(hex(key), "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                               + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    func testScryptRefusesParametersBeyondItsMemoryLimit() {
        XCTAssertThrowsError(try Scrypt.deriveKey(from: [1], salt: [2], log2N: 20, r: 8, p: 1, byteCount: 32, maxMemory: 64 << 20))
    }

    /// McGrew and Viega's GCM test case 16: a 256-bit key, associated data, 60 bytes.
    func testAESGCMSealsAndOpensTheGCMSpecsCase16() throws {
        let key = bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = bytes("cafebabefacedbaddecaf888")
        let header = bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let plaintext = bytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                              + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: header)
        XCTAssertEqual(hex(sealed.ciphertext), "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                                             + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
        XCTAssertEqual(hex(sealed.tag), "76fc6ece0f4e1768cddf8853bb2d551b")
        XCTAssertEqual(try AESGCM.open(sealed.ciphertext[...], tag: sealed.tag, key: key, nonce: nonce, authenticating: header), plaintext)
    }

    func testAESGCMRefusesAnyChangedByte() throws {
        let key = [UInt8](repeating: 9, count: 32), nonce = [UInt8](repeating: 3, count: 12), header = Array("header".utf8)
        let sealed = try AESGCM.seal(Array("secret".utf8), key: key, nonce: nonce, authenticating: header)
        var ciphertext = sealed.ciphertext
        ciphertext[0] ^= 1
        var tag = sealed.tag
        tag[15] ^= 0x80
        XCTAssertThrowsError(try AESGCM.open(ciphertext[...], tag: sealed.tag, key: key, nonce: nonce, authenticating: header))
        XCTAssertThrowsError(try AESGCM.open(sealed.ciphertext[...], tag: tag, key: key, nonce: nonce, authenticating: header))
        XCTAssertThrowsError(try AESGCM.open(sealed.ciphertext[...], tag: sealed.tag, key: key, nonce: nonce, authenticating: header + [0]))
        XCTAssertThrowsError(try AESGCM.open(sealed.ciphertext[...], tag: Array(sealed.tag.prefix(12)), key: key, nonce: nonce,
                                             authenticating: header))
        XCTAssertEqual(try AESGCM.seal([], key: key, nonce: nonce, authenticating: []).ciphertext, [])
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }

    private func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) ?? 0 }
    }
}
