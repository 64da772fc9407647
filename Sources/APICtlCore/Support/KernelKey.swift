import CKernelKeyring
import FoundationEssentials
import Glibc

/// One "user" key in the kernel's user keyring, readable only by this user's
/// processes, that expires by itself: how apictl keeps a secret between
/// processes without writing it to disk. Every call quietly does nothing where
/// the kernel refuses (some containers' seccomp profiles).
public struct KernelKey: Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }

    public func read() -> [UInt8]? {
        let serial = apictl_kernel_key_find(description)
        guard serial > 0 else { return nil }
        let length = apictl_kernel_key_read(serial, nil, 0)
        guard length > 0, length <= 1 << 20 else { return nil }
        var payload = [UInt8](repeating: 0, count: length)
        let read = apictl_kernel_key_read(serial, &payload, payload.count)
        guard read == length else { return nil }
        return payload
    }

    /// Kept for `lifetime` seconds (at least one, at most a year).
    public func write(_ payload: [UInt8], lifetime: TimeInterval) {
        let serial = apictl_kernel_key_add(description, payload, payload.count)
        guard serial > 0 else { return }
        _ = apictl_kernel_key_set_private(serial)
        _ = apictl_kernel_key_set_timeout(serial, UInt32(max(1, min(lifetime.rounded(.up), 366 * 86400))))
    }

    /// True when a key was there to forget.
    @discardableResult
    public func forget() -> Bool {
        let serial = apictl_kernel_key_find(description)
        return serial > 0 && apictl_kernel_key_unlink(serial) == 0
    }

    public var isHeld: Bool { apictl_kernel_key_find(description) > 0 }

    /// nil when the kernel keyring can be used; else why not, for `doctor`.
    public static func unavailableReason() -> String? {
        if apictl_kernel_key_find("apictl:probe") > 0 || errno == ENOKEY { return nil }
        return "the kernel key retention service refused (\(String(cString: strerror(errno))))"
    }
}
