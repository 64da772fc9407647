/// FNV-1a, 64 bits: a quick hash of bytes for telling texts apart (a batch line from its
/// edited self, a long route group from another), never for anything an attacker must not forge.
enum FNV1a {
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The hash as 16 hex digits.
    static func hex(_ bytes: some Sequence<UInt8>) -> String { String(hash(bytes), radix: 16).leftPadded(to: 16) }
}
