import CLibSecret
import Foundation

/// Whether the Secret Service can be used, and if not, exactly why. Each case
/// is answered in well under a second, without autolaunching a bus.
public enum KeyringStatus: Sendable, Equatable {
    case available
    case noBus(String)
    case noService
    case locked
    case unresponsive(String)
    case failed(String)

    public var isUsable: Bool { self == .available }

    /// Whether `auto` should fall back to the encrypted file: only when there is
    /// no keyring at all. A locked or hung keyring is reported, not bypassed.
    public var allowsFallback: Bool {
        switch self {
        case .noBus, .noService: return true
        default: return false
        }
    }

    public var explanation: String {
        switch self {
        case .available: return "the Secret Service keyring is available"
        case .noBus(let why): return "no D-Bus session bus (\(why))"
        case .noService: return "the session bus has no Secret Service (org.freedesktop.secrets); is gnome-keyring or KeePassXC running?"
        case .locked: return "the keyring's default collection is locked; unlock it (e.g. log in to the desktop, or 'gnome-keyring-daemon --unlock')"
        case .unresponsive(let why): return "the Secret Service is not responding (\(why))"
        case .failed(let why): return "the keyring failed: \(why)"
        }
    }
}

public enum KeyringProbe {
    static let callTimeoutMilliseconds: Int32 = 400

    /// The session bus address GIO would use, or nil when it would have to autolaunch one.
    static func busAddress(environment: [String: String]) -> String? {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty { return address }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            var info = stat()
            if stat(runtime + "/bus", &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK { return "unix:path=\(runtime)/bus" }
        }
        return nil
    }

    public static func check(environment: [String: String]) -> KeyringStatus {
        guard let address = busAddress(environment: environment) else {
            return .noBus("DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus")
        }
        var error: UnsafeMutablePointer<GError>?
        let cancel = Deadline(milliseconds: Int(callTimeoutMilliseconds))
        guard let bus = apictl_bus_connect(address, cancel.cancellable, &error) else {
            cancel.finish()
            return .noBus("cannot connect to \(address): \(GLibError.take(&error).message)")
        }
        cancel.finish()
        defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
        let owned = apictl_bus_name_has_owner(bus, "org.freedesktop.secrets", callTimeoutMilliseconds, &error)
        if owned < 0 { return .unresponsive("the bus did not answer: \(GLibError.take(&error).message)") }
        if owned == 0 {
            let activatable = apictl_bus_name_activatable(bus, "org.freedesktop.secrets", callTimeoutMilliseconds, &error)
            if activatable < 0 { return .unresponsive("the bus did not answer: \(GLibError.take(&error).message)") }
            // An activatable service is started by the first libsecret call.
            return activatable == 1 ? .available : .noService
        }
        let locked = apictl_default_collection_locked(bus, callTimeoutMilliseconds, &error)
        switch locked {
        case 0: return .available
        case 1: return .locked
        default:
            let failure = GLibError.take(&error)
            if failure.isTimeout { return .unresponsive("no answer within \(callTimeoutMilliseconds) ms") }
            if failure.message.contains("does not exist") || failure.message.contains("No such") {
                return .failed("there is no default keyring collection: \(failure.message)")
            }
            return .failed(failure.message)
        }
    }
}

/// A GError's domain, code and message, taken out and freed.
struct GLibError: Sendable {
    var domain: String
    var code: Int32
    var message: String

    static func take(_ error: inout UnsafeMutablePointer<GError>?) -> GLibError {
        guard let e = error else { return GLibError(domain: "", code: 0, message: "unknown error") }
        let domain = g_quark_to_string(e.pointee.domain).map { String(cString: $0) } ?? ""
        let result = GLibError(domain: domain, code: e.pointee.code, message: e.pointee.message.map { String(cString: $0) } ?? "unknown error")
        g_error_free(e)
        error = nil
        return result
    }

    var isTimeout: Bool { domain == "g-io-error-quark" && (code == 24 || code == 19) }
    var isCancelled: Bool { domain == "g-io-error-quark" && code == 19 }
}

/// A GCancellable that cancels itself after a delay, bounding a blocking GIO call.
final class Deadline: @unchecked Sendable {
    let cancellable: UnsafeMutablePointer<GCancellable>
    private let lock = NSLock()
    private var finished = false

    init(milliseconds: Int) {
        cancellable = g_cancellable_new()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            lock.lock()
            defer { lock.unlock() }
            if !finished { g_cancellable_cancel(cancellable) }
        }
    }

    func finish() {
        lock.lock()
        finished = true
        lock.unlock()
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(cancellable)) }
}
