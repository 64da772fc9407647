import CLibCrypto

// apictl's own cryptography, through OpenSSL's libcrypto (Sources/CLibCrypto): libcurl
// loads it in every process, and Debian's security updates patch it. It replaced
// swift-crypto, whose private copy of BoringSSL was a second crypto library in the binary
// that no system update reached (docs/development.md).

/// A failure inside libcrypto: bad parameters, or memory it could not get.
struct LibCryptoFailure: Error {}

enum SHA256 {
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        // EVP_Digest fails only without memory; a zero digest would then be a wrong answer
        // nobody notices, so that is a crash instead.
        precondition(apictl_sha256(bytes, bytes.count, &digest) == 0, "libcrypto could not compute SHA-256")
        return digest
    }

    static func hmac(_ bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 32)
        precondition(apictl_hmac_sha256(key, key.count, bytes, bytes.count, &mac) == 0, "libcrypto could not compute HMAC-SHA256")
        return mac
    }
}

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag.
enum AESGCM {
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating header: [UInt8])
        throws(LibCryptoFailure) -> (ciphertext: [UInt8], tag: [UInt8]) {
        guard key.count == 32, nonce.count == 12 else { throw LibCryptoFailure() }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: 16)
        guard apictl_aes256gcm_seal(key, nonce, header, header.count, plaintext, plaintext.count, &ciphertext, &tag) == 0 else {
            throw LibCryptoFailure()
        }
        return (ciphertext, tag)
    }

    /// Throws when the tag does not match: the ciphertext or the header was changed, or the key is another.
    static func open(_ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], authenticating header: [UInt8])
        throws(LibCryptoFailure) -> [UInt8] {
        guard key.count == 32, nonce.count == 12, tag.count == 16 else { throw LibCryptoFailure() }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        guard apictl_aes256gcm_open(key, nonce, header, header.count, ciphertext, ciphertext.count, tag, &plaintext) == 0 else {
            throw LibCryptoFailure()
        }
        return plaintext
    }
}

enum Scrypt {
    static func deriveKey(from passphrase: [UInt8], salt: [UInt8], log2N: UInt8, r: UInt8, p: UInt8,
                          byteCount: Int, maxMemory: UInt64) throws(LibCryptoFailure) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: byteCount)
        guard log2N < 64, apictl_scrypt(passphrase, passphrase.count, salt, salt.count, UInt64(1) << log2N,
                                        UInt64(r), UInt64(p), maxMemory, &key, byteCount) == 0 else {
            throw LibCryptoFailure()
        }
        return key
    }
}
