import CKernelKeyring
import FoundationEssentials
import Glibc

/// One "user" key in the kernel's user keyring, readable only by this user's
/// processes, that expires by itself: how apictl keeps a secret between
/// processes without writing it to disk. Every call quietly does nothing where
/// the kernel refuses (some containers' seccomp profiles).
public struct KernelKey: Sendable {
    public let description: String
    /// Where the key lives: the kernel, or a fake in unit tests.
    public let keeper: any SecretKeeping

    public init(_ description: String, in keeper: any SecretKeeping = KernelKeyring()) {
        self.description = description
        self.keeper = keeper
    }

    public func read() -> [UInt8]? { keeper.read(description) }

    /// Kept for `lifetime` seconds (at least one, at most a year).
    public func write(_ payload: [UInt8], lifetime: TimeInterval) {
        keeper.write(description, payload, lifetime: max(1, min(lifetime.rounded(.up), 366 * 86400)))
    }

    /// True when a key was there to forget.
    @discardableResult
    public func forget() -> Bool { keeper.forget(description) }

    public var isHeld: Bool { keeper.holds(description) }

    /// nil when the kernel keyring can be used; else why not, for `doctor`.
    public static func unavailableReason() -> String? {
        if apictl_kernel_key_find("apictl:probe") > 0 || errno == ENOKEY { return nil }
        return "the kernel key retention service refused (\(String(cString: strerror(errno))))"
    }
}

/// Keeps small secrets between processes for a while. The kernel's user keyring
/// in apictl; a dictionary in unit tests, so sessions can be tested without one.
public protocol SecretKeeping: Sendable {
    func read(_ name: String) -> [UInt8]?
    /// `lifetime`: whole seconds, at least one.
    func write(_ name: String, _ payload: [UInt8], lifetime: TimeInterval)
    /// True when there was something to forget.
    func forget(_ name: String) -> Bool
    func holds(_ name: String) -> Bool
    /// The names held that begin with `prefix`: what apictl keeps, whichever config wrote it.
    func names(withPrefix prefix: String) -> [String]
}

extension SecretKeeping {
    public func holds(_ name: String) -> Bool { read(name) != nil }
}

/// The user keyring of the Linux kernel: readable only by this user's processes,
/// entries expire by themselves.
public struct KernelKeyring: SecretKeeping {
    public init() {}

    public func read(_ name: String) -> [UInt8]? {
        let serial = apictl_kernel_key_find(name)
        guard serial > 0 else { return nil }
        let length = apictl_kernel_key_read(serial, nil, 0)
        guard length > 0, length <= 1 << 20 else { return nil }
        var payload = [UInt8](repeating: 0, count: length)
        let read = apictl_kernel_key_read(serial, &payload, payload.count)
        guard read == length else { return nil }
        return payload
    }

    public func write(_ name: String, _ payload: [UInt8], lifetime: TimeInterval) {
        let serial = apictl_kernel_key_add(name, payload, payload.count)
        guard serial > 0 else { return }
        _ = apictl_kernel_key_set_private(serial)
        _ = apictl_kernel_key_set_timeout(serial, UInt32(lifetime))
    }

    public func forget(_ name: String) -> Bool {
        let serial = apictl_kernel_key_find(name)
        return serial > 0 && apictl_kernel_key_unlink(serial) == 0
    }

    public func holds(_ name: String) -> Bool { apictl_kernel_key_find(name) > 0 }

    public func names(withPrefix prefix: String) -> [String] {
        var serials = [Int32](repeating: 0, count: 1024)
        let count = apictl_kernel_keyring_list(&serials, serials.count)
        guard count > 0 else { return [] }
        return serials.prefix(min(count, serials.count)).compactMap { serial in
            var text = [CChar](repeating: 0, count: 512)
            let length = apictl_kernel_key_describe(serial, &text, text.count)
            guard length > 0, length <= text.count else { return nil }
            let described = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // "user;uid;gid;perm;description": the description may itself hold ';'.
            let fields = described.split(separator: ";", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0] == "user", fields[4].hasPrefix(prefix) else { return nil }
            return String(fields[4])
        }
    }
}
