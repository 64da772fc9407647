@testable import APICtlCore

/// The encrypted-file reader. AES-GCM cannot be forged, so the target feeds the
/// two readers outside input can reach separately: the first byte's low bit
/// picks either a whole file (header checks, then opening under a fixed key) or
/// the plaintext a file decrypts to, which must store and read back unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredentialFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let payload = Array(bytes.dropFirst())
        if (bytes.first ?? 0) & 1 == 0 {
            guard payload.count >= EncryptedFileStore.headerSize + 16,
                  Array(payload[0..<8]) == EncryptedFileStore.magic else { return }
            _ = try? EncryptedFileStore.openBox(payload, using: [UInt8](repeating: 7, count: 32))
            return
        }
        guard let records = try? EncryptedFileStore.records(inPlaintext: payload) else { return }
        for (name, credential) in records {
            _ = CredentialKey(storageName: name)
            let again = JSONValue(parsing: CredentialRecord.encode(credential)).flatMap(CredentialRecord.credential)
            expect(again == credential, "a credential record survives a write and a re-read")
        }
    }
}
