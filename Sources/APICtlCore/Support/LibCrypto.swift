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
        // The low-level SHA-256 (libcrypto.c) allocates nothing and reads no configuration, so
        // no input can make it fail; if it ever did, a zero digest would be a wrong answer
        // nobody notices.
        guard apictl_sha256(bytes, bytes.count, &digest) == 0 else { fatalError("libcrypto's low-level SHA-256 failed") }
        return digest
    }

    static func hmac(_ bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 32)
        guard apictl_hmac_sha256(key, key.count, bytes, bytes.count, &mac) == 0 else {
            fatalError("libcrypto's low-level SHA-256 failed in HMAC")
        }
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
    /// Takes a slice, as a file's ciphertext is most of the file: no copy of it is made.
    static func open(_ ciphertext: ArraySlice<UInt8>, tag: [UInt8], key: [UInt8], nonce: [UInt8], authenticating header: [UInt8])
        throws(LibCryptoFailure) -> [UInt8] {
        guard key.count == 32, nonce.count == 12, tag.count == 16, ciphertext.count <= Int32.max else { throw LibCryptoFailure() }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        let status = ciphertext.withUnsafeBytes { sealed in
            apictl_aes256gcm_open(key, nonce, header, header.count, sealed.baseAddress, sealed.count, tag, &plaintext)
        }
        guard status == 0 else { throw LibCryptoFailure() }
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
