import CX509
import FoundationEssentials

/// A client certificate and its private key, read and checked before anything is sent, and
/// then handed to libcurl from memory (`CURLOPT_SSLCERT_BLOB`, `CURLOPT_SSLKEY_BLOB`): a key
/// kept in the credential store never touches the disk, and libcurl sends exactly what was checked.
public struct ClientCertificate: Sendable, Equatable {
    /// The leaf, then any chain, as PEM.
    public var chainPEM: [UInt8]
    /// The private key as unencrypted PKCS#8 PEM: a secret, never printed.
    public var keyPEM: [UInt8]
    public var subject: String
    public var issuer: String
    public var notBefore: Date
    public var notAfter: Date
    /// RFC 8705's `x5t#S256`: base64url of the SHA-256 of the leaf's DER.
    public var thumbprint: String
    public var selfSigned: Bool
    /// Where it was read from, for messages (the certificate's path).
    public var origin: String

    /// Warned about this long before it expires (`whoami`, `doctor`).
    public static let warningPeriod: TimeInterval = 14 * 86400

    public static func == (a: ClientCertificate, b: ClientCertificate) -> Bool { a.thumbprint == b.thumbprint && a.keyPEM == b.keyPEM }

    /// Why a certificate and key could not be used.
    public enum Problem: Error, Sendable, Equatable {
        case certificateUnreadable
        case keyUnreadable
        case needsPassphrase
        case wrongPassphrase
        case keyMismatch
        /// The certificate holds no key and none was given.
        case noKey
        /// A key TLS would refuse or leave unsent (RSA under 2048 bits, DSA, an uncommon curve).
        case unsupportedKey
    }

    /// The certificate in `certificate` (PEM, chain and key allowed, or PKCS#12) with the key in
    /// `key` (PEM; nil: the one in `certificate`), decrypted with `passphrase` when needed.
    public static func read(certificate: [UInt8], key: [UInt8]?, passphrase: String?, origin: String) throws(Problem) -> ClientCertificate {
        try inspect(certificate: certificate, key: key, passphrase: passphrase, origin: origin, requireKey: true)
    }

    /// The certificate alone (its key may be in the store): for `whoami` and for checking a binding.
    public static func readCertificateOnly(_ certificate: [UInt8], passphrase: String?, origin: String) throws(Problem) -> ClientCertificate {
        try inspect(certificate: certificate, key: nil, passphrase: passphrase, origin: origin, requireKey: false)
    }

    private static func inspect(certificate: [UInt8], key: [UInt8]?, passphrase: String?, origin: String,
                                requireKey: Bool) throws(Problem) -> ClientCertificate {
        var info = apictl_x509_info()
        var chain: UnsafeMutablePointer<UInt8>?
        var chainLength = 0
        var keyBytes: UnsafeMutablePointer<UInt8>?
        var keyLength = 0
        let status = certificate.withUnsafeBufferPointer { cert in
            withOptionalBytes(key) { keyPointer, keyCount in
                withOptionalCString(passphrase) { pass in
                    apictl_x509_load(cert.baseAddress, cert.count, keyPointer, keyCount, pass, requireKey ? 1 : 0, &info,
                                     &chain, &chainLength, &keyBytes, &keyLength)
                }
            }
        }
        defer {
            apictl_x509_free_secret(chain, chainLength)
            apictl_x509_free_secret(keyBytes, keyLength)
        }
        switch Int(status) {
        case APICTL_X509_OK: break
        case APICTL_X509_NO_KEY where !requireKey: break
        case APICTL_X509_KEY_UNREADABLE: throw .keyUnreadable
        case APICTL_X509_NEEDS_PASSPHRASE: throw .needsPassphrase
        case APICTL_X509_BAD_PASSPHRASE: throw .wrongPassphrase
        case APICTL_X509_KEY_MISMATCH: throw .keyMismatch
        case APICTL_X509_NO_KEY: throw .noKey
        case APICTL_X509_WEAK_KEY: throw .unsupportedKey
        default: throw .certificateUnreadable
        }
        let digest = withUnsafeBytes(of: info.sha256) { Array($0) }
        return ClientCertificate(
            chainPEM: chain.map { Array(UnsafeBufferPointer(start: $0, count: chainLength)) } ?? [],
            keyPEM: keyBytes.map { Array(UnsafeBufferPointer(start: $0, count: keyLength)) } ?? [],
            subject: text(info.subject), issuer: text(info.issuer),
            notBefore: Date(timeIntervalSince1970: Double(info.not_before)),
            notAfter: Date(timeIntervalSince1970: Double(info.not_after)),
            thumbprint: Base64URL.encode(digest), selfSigned: info.self_signed != 0, origin: origin)
    }

    /// Whether it is expired, or not yet valid, at `now`: nil when it may be used.
    public func validityProblem(at now: Date) -> String? {
        if now > notAfter { return "expired on \(Timestamp.iso8601(notAfter))" }
        if now < notBefore { return "is not valid before \(Timestamp.iso8601(notBefore))" }
        return nil
    }

    /// How many certificates go to the server: the leaf and its chain.
    public var chainLength: Int {
        let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
        var count = 0
        var index = chainPEM.startIndex
        while index + marker.count <= chainPEM.endIndex {
            if chainPEM[index] == marker[0], Array(chainPEM[index..<index + marker.count]) == marker {
                count += 1
                index += marker.count
            } else {
                index += 1
            }
        }
        return count
    }

    /// More than a client presents (its own and the intermediates): a server refuses the handshake.
    public static let longestChain = 10

    /// Days left when it expires within the warning period, else nil.
    public func daysLeft(at now: Date) -> Int? {
        let left = notAfter.timeIntervalSince(now)
        guard left >= 0, left < Self.warningPeriod else { return nil }
        return Int(left / 86400)
    }

    private static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafePointer<UInt8>?, Int) -> R) -> R {
        guard let bytes else { return body(nil, 0) }
        return bytes.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString(body)
    }
}
