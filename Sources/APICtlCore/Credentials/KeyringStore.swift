import CLibSecret
import Foundation

/// Credentials in the Secret Service (gnome-keyring, KeePassXC) through
/// libsecret. Items carry the non-secret attributes `profile` and
/// `environment`; the secret is the credential record as JSON.
public final class KeyringStore: CredentialStore {
    public let source = CredentialSource.keyring
    static let operationTimeoutMilliseconds = 900

    public init() {}

    public func load(_ key: CredentialKey) throws(APICtlError) -> Credential? {
        var error: UnsafeMutablePointer<GError>?
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let secret = apictl_secret_lookup(key.profile, key.environment, deadline.cancellable, &error)
        deadline.finish()
        if error != nil { throw Self.failure(GLibError.take(&error), doing: "read the credential for \(key)") }
        guard let secret else { return nil }
        defer { secret_password_free(secret) }
        return try CredentialRecord.decode(Array(String(cString: secret).utf8), what: "the keyring item for \(key)")
    }

    public func save(_ credential: Credential, for key: CredentialKey) throws(APICtlError) {
        let json = try CredentialRecord.encode(credential)
        var error: UnsafeMutablePointer<GError>?
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let ok = apictl_secret_store(key.profile, key.environment, "apictl: \(key)", String(decoding: json, as: UTF8.self),
                                     deadline.cancellable, &error)
        deadline.finish()
        if ok == 0 || error != nil { throw Self.failure(GLibError.take(&error), doing: "store the credential for \(key)") }
    }

    public func delete(_ key: CredentialKey) throws(APICtlError) -> Bool {
        var error: UnsafeMutablePointer<GError>?
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let removed = apictl_secret_clear(key.profile, key.environment, deadline.cancellable, &error)
        deadline.finish()
        if error != nil { throw Self.failure(GLibError.take(&error), doing: "remove the credential for \(key)") }
        return removed != 0
    }

    public func keys() throws(APICtlError) -> [CredentialKey] {
        var error: UnsafeMutablePointer<GError>?
        let deadline = Deadline(milliseconds: Self.operationTimeoutMilliseconds)
        let list = apictl_secret_search_all(deadline.cancellable, &error)
        deadline.finish()
        if error != nil { throw Self.failure(GLibError.take(&error), doing: "list credentials") }
        defer { apictl_list_free(list) }
        var out: [CredentialKey] = []
        var node = list
        while let current = node {
            var holder: OpaquePointer?
            let profile = apictl_retrievable_attribute(apictl_list_item(current), "profile", &holder).map { String(cString: $0) }
            if let holder { g_hash_table_unref(holder) }
            let environment = apictl_retrievable_attribute(apictl_list_item(current), "environment", &holder).map { String(cString: $0) }
            if let holder { g_hash_table_unref(holder) }
            if let profile { out.append(CredentialKey(profile: profile, environment: environment)) }
            node = current.pointee.next
        }
        return out.sorted()
    }

    static func failure(_ error: GLibError, doing what: String) -> APICtlError {
        if error.isTimeout {
            return .store("could not \(what): the Secret Service did not answer within \(operationTimeoutMilliseconds) ms")
        }
        if error.domain == "secret-error-quark" && error.code == 2 || error.message.lowercased().contains("locked") {
            return .store("could not \(what): the keyring is locked", hint: KeyringStatus.locked.explanation)
        }
        return .store("could not \(what): \(error.message)")
    }
}

/// The JSON form of a credential inside a store.
enum CredentialRecord {
    static func encode(_ credential: Credential) throws(APICtlError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(credential)) } catch { throw .store("could not encode a credential: \(error)") }
    }

    static func decode(_ bytes: [UInt8], what: String) throws(APICtlError) -> Credential {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(Credential.self, from: Data(bytes)) } catch {
            throw .store("\(what) is not an apictl credential record", hint: "remove it with 'apictl logout' and log in again")
        }
    }
}
