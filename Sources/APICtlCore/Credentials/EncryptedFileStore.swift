import FoundationEssentials
import Glibc

/// Every credential in one file, encrypted with AES-256-GCM under a key
/// derived by scrypt from a passphrase. Layout (the first 48 bytes are the
/// header, authenticated as associated data):
///
///     0  "APICTL\0" magic, 1 version byte
///     8  log2(N), r, p, 0          scrypt parameters
///    12  salt (16)
///    28  key check (8): HMAC-SHA256(key, "apictl key check"), tells a wrong
///        passphrase apart from a damaged file
///    36  nonce (12)
///    48  ciphertext, then the 16-byte tag
///
/// Writes take an exclusive lock, go to a temp file, are fsynced and renamed,
/// so concurrent apictl processes never lose each other's credentials.
/// Why the passphrase is wanted: a new file's is asked twice (a typo would lock the
/// file for good); an existing file's may be asked again after a wrong one.
public enum PassphraseUse: Sendable, Equatable {
    case create
    case open
    /// The one given was wrong: a source that cannot ask again returns nil.
    case retry
}

/// Gives the encrypted file's passphrase for a use; nil when it has no other to offer.
public typealias PassphraseSource = @Sendable (PassphraseUse) throws(APICtlError) -> [UInt8]?

public final class EncryptedFileStore: CredentialStore {
    public let path: String
    public var source: CredentialSource { .file(path: path) }
    private let passphrase: PassphraseSource
    static let attempts = 3
    private var derived: (salt: [UInt8], key: [UInt8])?
    /// The kernel-keyring copy of the derived key; nil when `passphrase_cache` is 0.
    public let cache: DerivedKeyCache?

    static let magic = Array("APICTL\0".utf8) + [1]
    static let headerSize = 48
    static let scryptLog2N: UInt8 = 15, scryptR: UInt8 = 8, scryptP: UInt8 = 1

    /// `cacheLifetime` 0 keeps the derived key in this process only.
    public init(directory: String, passphrase: @escaping PassphraseSource,
                cacheLifetime: TimeInterval = 0, consultCache: Bool = true) {
        path = directory + "/credentials.enc"
        self.passphrase = passphrase
        cache = cacheLifetime > 0 ? DerivedKeyCache(filePath: path, lifetime: cacheLifetime, consult: consultCache) : nil
    }

    public var exists: Bool { FileBytes.exists(path) }

    public func load(_ key: CredentialKey) throws(APICtlError) -> Credential? {
        guard let contents = try readFile() else { return nil }
        return try decrypt(contents)[key.storageName]
    }

    public func keys() throws(APICtlError) -> [CredentialKey] {
        guard let contents = try readFile() else { return [] }
        return try decrypt(contents).keys.compactMap(CredentialKey.init(storageName:)).sorted()
    }

    public func save(_ credential: Credential, for key: CredentialKey) throws(APICtlError) {
        try update { $0[key.storageName] = credential; return true }
    }

    /// Removing from a file that does not exist removes nothing: no passphrase is
    /// asked for and no empty file is created.
    public func delete(_ key: CredentialKey) throws(APICtlError) -> Bool {
        guard exists else { return false }
        var removed = false
        try update { records in
            removed = records.removeValue(forKey: key.storageName) != nil
            return removed
        }
        return removed
    }

    /// Read-modify-write under the lock; `change` says whether anything changed,
    /// and the file is rewritten only then. The slow scrypt runs before the lock
    /// when the salt is already known, so concurrent writers mostly overlap it.
    private func update(_ change: (inout [String: Credential]) -> Bool) throws(APICtlError) {
        let directory = PathText.directory(of: path)
        do { try AtomicFile.makeDirectory(directory, mode: 0o700) } catch {
            throw .store("cannot create \(directory): \(error.message)")
        }
        if let early = try? readFile(), early.count >= Self.headerSize { _ = try key(forHeader: Array(early[0..<Self.headerSize])) }
        let lock = try FileLock(path: path + ".lock")
        defer { lock.unlock() }
        var records: [String: Credential] = [:]
        if let contents = try readFile() { records = try decrypt(contents) }
        guard change(&records) else { return }
        try write(records)
    }

    /// Re-encrypts every credential under a key from `newPassphrase` and a new salt,
    /// under the same lock and atomic write as every other change. The old cached
    /// key is dropped; the new one is cached in its place.
    public func rekey(to newPassphrase: [UInt8]) throws(APICtlError) {
        guard !newPassphrase.isEmpty else { throw .store("the new passphrase is empty") }
        let lock = try FileLock(path: path + ".lock")
        defer { lock.unlock() }
        guard let contents = try readFile() else {
            throw .store("there is no encrypted credential file at \(path) to re-key")
        }
        let records = try decrypt(contents)
        let salt = RandomText.bytes(16)
        derived = (salt, try Self.derive(newPassphrase, salt: salt))
        try write(records)
        cache?.forget()
        if let derived { cache?.store(salt: salt, key: derived.key.withUnsafeBytes { Array($0) }) }
    }

    private func write(_ records: [String: Credential]) throws(APICtlError) {
        // {"credentials": {"profile\u001fenv": record, ...}, "version": 1}
        let plaintext = CredentialRecord.bytes(.object(["version": 1,
                                                        "credentials": .object(records.mapValues(CredentialRecord.json))]))
        let sealed = try encrypt(plaintext)
        do { try AtomicFile.write(sealed, to: path, mode: 0o600) } catch {
            throw .store("could not write \(path): \(error.message)")
        }
    }

    /// The file's bytes, or nil when there is none. Refuses a file others can read.
    private func readFile() throws(APICtlError) -> [UInt8]? {
        try PrivateFolder.verify(PathText.directory(of: path))
        AtomicFile.removeStaleTemporaries(of: path)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            if errno == ELOOP {
                throw .store("\(path) is a symbolic link; refusing to follow it", hint: "put the file itself there")
            }
            throw .store("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .store("cannot read \(path): \(String(cString: strerror(errno)))") }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw .store("\(path) is a folder, not the encrypted credential file", hint: "move it out of the way")
        }
        if info.st_uid != geteuid() {
            throw .store("\(path) belongs to another user (uid \(info.st_uid)); refusing to use it")
        }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw .store("\(path) can be read by other users (mode \(mode)); refusing to use it", hint: "run 'chmod 600 \(path)'")
        }
        guard let bytes = FileBytes.readAll(fd) else { throw .store("cannot read \(path): \(String(cString: strerror(errno)))") }
        return bytes
    }

    private func decrypt(_ contents: [UInt8]) throws(APICtlError) -> [String: Credential] {
        let corrupt = APICtlError.store("\(path) is damaged (truncated or not an apictl credential file); it was left as it is",
                                        hint: "restore it from a backup, or move it away and log in again")
        guard contents.count >= Self.headerSize + 16, Array(contents[0..<8]) == Self.magic else { throw corrupt }
        let header = Array(contents[0..<Self.headerSize])
        let key = try key(forHeader: header)
        do {
            return try Self.records(inPlaintext: try Self.openBox(contents, using: key))
        } catch {
            throw .store("\(path) failed its integrity check: it was modified or damaged; it was left as it is",
                         hint: "restore it from a backup, or move it away and log in again")
        }
    }

    private func encrypt(_ plaintext: [UInt8]) throws(APICtlError) -> [UInt8] {
        var header = Self.magic + [Self.scryptLog2N, Self.scryptR, Self.scryptP, 0]
        let newFile = derived == nil
        let salt = derived?.salt ?? RandomText.bytes(16)
        let key = try key(salt: salt)
        if newFile { cache?.store(salt: salt, key: key) }
        let nonce = RandomText.bytes(12)
        header += salt + Self.keyCheck(key) + nonce
        do {
            let box = try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: header)
            return header + box.ciphertext + box.tag
        } catch { throw .store("could not encrypt credentials: libcrypto refused AES-GCM") }
    }

    /// The key for an existing header, checking it against the header's key check:
    /// this process's copy, else the kernel-keyring cache, else the passphrase.
    private func key(forHeader header: [UInt8]) throws(APICtlError) -> [UInt8] {
        guard header[8] == Self.scryptLog2N, header[9] == Self.scryptR, header[10] == Self.scryptP else {
            throw .store("\(path) uses scrypt parameters this apictl does not know; it was left as it is")
        }
        let salt = Array(header[12..<28])
        let check = Array(header[28..<36])
        if let derived, derived.salt == salt, Self.keyCheck(derived.key) == check { return derived.key }
        if let cache, cache.consult, let key = cache.load(salt: salt) {
            if Self.keyCheck(key) == check {
                derived = (salt, key)
                return key
            }
            cache.forget()   // the file was re-keyed or replaced since: ask again
        }
        derived = nil
        var use = PassphraseUse.open
        for _ in 0..<Self.attempts {
            guard let secret = try passphrase(use) else { break }
            guard !secret.isEmpty else { throw .store("the passphrase for \(path) is empty") }
            let key = try Self.derive(secret, salt: salt)
            if Self.keyCheck(key) == check {
                derived = (salt, key)
                cache?.store(salt: salt, key: key)
                return key
            }
            use = .retry
        }
        throw .store("wrong passphrase for \(path)", hint: "check APICTL_PASSPHRASE or APICTL_PASSPHRASE_FILE")
    }

    /// A new file's key, from a passphrase asked for as a new one.
    private func key(salt: [UInt8]) throws(APICtlError) -> [UInt8] {
        if let derived, derived.salt == salt { return derived.key }
        guard let secret = try passphrase(.create), !secret.isEmpty else { throw .store("the passphrase for \(path) is empty") }
        let key = try Self.derive(secret, salt: salt)
        derived = (salt, key)
        return key
    }

    private static func derive(_ secret: [UInt8], salt: [UInt8]) throws(APICtlError) -> [UInt8] {
        do {
            return try Scrypt.deriveKey(from: secret, salt: salt, log2N: scryptLog2N, r: scryptR, p: scryptP,
                                        byteCount: 32, maxMemory: 64 << 20)
        } catch { throw .store("could not derive the file key: libcrypto's scrypt failed (out of memory?)") }
    }

    /// AES-GCM open of a whole file whose header passed the magic and size checks.
    static func openBox(_ contents: [UInt8], using key: [UInt8]) throws -> [UInt8] {
        let header = Array(contents[0..<headerSize])
        let body = contents[headerSize...]
        return try AESGCM.open(body.dropLast(16), tag: Array(body.suffix(16)), key: key,
                               nonce: Array(header[36..<48]), authenticating: header)
    }

    /// The decrypted JSON: `{"credentials": {"profile\u{1F}env": record, ...}}`.
    static func records(inPlaintext plaintext: [UInt8]) throws -> [String: Credential] {
        guard let entries = JSONValue(parsing: plaintext)?["credentials"]?.objectValue else { throw FileFormatError() }
        var records: [String: Credential] = [:]
        for (name, entry) in entries {
            guard let credential = CredentialRecord.credential(entry) else { throw FileFormatError() }
            records[name] = credential
        }
        return records
    }

    /// Decrypted, but not the layout this apictl writes.
    private struct FileFormatError: Error {}

    static func keyCheck(_ key: [UInt8]) -> [UInt8] {
        Array(SHA256.hmac(Array("apictl key check".utf8), key: key).prefix(8))
    }
}

extension CredentialKey {
    /// "profile\u{1F}environment", and "\u{1F}account" after it for any account but the
    /// default: the unit separator cannot appear in a name.
    var storageName: String {
        let name = profile + "\u{1F}" + environment
        return isDefaultAccount ? name : name + "\u{1F}" + account
    }

    init?(storageName: String) {
        let parts = storageName.split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { return nil }
        self.init(profile: parts[0], environment: parts[1], account: parts.count == 3 ? parts[2] : nil)
    }
}
