import CLibSecret
import FoundationEssentials
import Glibc

/// Whether the Secret Service can be used, and if not, exactly why. Each case
/// is answered in well under a second, without autolaunching a bus.
public enum KeyringStatus: Sendable, Equatable {
    case available
    case noBus(String)
    case noService
    /// The bus could start a Secret Service (D-Bus activation), but none runs: apictl never starts one.
    case notRunning
    /// libsecret itself is not installed.
    case noLibrary(String)
    case locked
    case unresponsive(String)
    case failed(String)

    public var isUsable: Bool { self == .available }

    /// Whether `auto` should fall back to the encrypted file: only when there is
    /// no keyring at all. A locked or hung keyring is reported, not bypassed.
    public var allowsFallback: Bool {
        switch self {
        case .noBus, .noService, .noLibrary: return true
        default: return false
        }
    }

    public var explanation: String {
        switch self {
        case .available: return "the Secret Service keyring is available"
        case .noBus(let why): return "no D-Bus session bus (\(why))"
        case .noService: return "the session bus has no Secret Service (org.freedesktop.secrets); is gnome-keyring or KeePassXC running?"
        case .notRunning:
            return "the Secret Service keyring is not running (org.freedesktop.secrets has no owner on the session bus); "
                + "apictl does not start it: start your keyring (e.g. 'gnome-keyring-daemon --start --components=secrets') "
                + "or choose the encrypted file with APICTL_CREDENTIAL_STORE=file"
        case .noLibrary(let why): return "no keyring support: \(why)"
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
        if let missing = apictl_keyring_load() { return .noLibrary(String(cString: missing)) }
        var status = apictl_status()
        let cancel = Deadline(milliseconds: Int(callTimeoutMilliseconds))
        let bus = apictl_bus_connect(address, cancel.cancellable, &status)
        cancel.finish()
        guard let bus, status.failed == 0 else {
            return .noBus("cannot connect to \(address): \(GLibError(status).message)")
        }
        let owned = apictl_bus_name_has_owner(bus, "org.freedesktop.secrets", callTimeoutMilliseconds, &status)
        if owned < 0 { return .unresponsive("the bus did not answer: \(GLibError(status).message)") }
        if owned == 0 {
            let activatable = apictl_bus_name_activatable(bus, "org.freedesktop.secrets", callTimeoutMilliseconds, &status)
            if activatable < 0 { return .unresponsive("the bus did not answer: \(GLibError(status).message)") }
            // libsecret's first call would start an activatable service: a keyring that died (with the
            // credentials it holds) is reported, not restarted behind the user's back.
            return activatable == 1 ? .notRunning : .noService
        }
        // A keyring making its default collection (its first use, several logins at once) names it
        // in the alias a moment before the collection answers: asked again, it is there.
        for attempt in 1...3 {
            switch apictl_default_collection_locked(bus, callTimeoutMilliseconds, &status) {
            case 0: return .available
            case 1: return .locked
            default:
                let failure = GLibError(status)
                if failure.isTimeout { return .unresponsive("no answer within \(callTimeoutMilliseconds) ms") }
                guard failure.message.containsText("does not exist") || failure.message.containsText("No such") else {
                    return .failed(failure.message)
                }
                if attempt == 3 { return .failed("there is no default keyring collection: \(failure.message)") }
                status = apictl_status()
                usleep(100_000)
            }
        }
        return .failed("there is no default keyring collection")
    }
}

/// A GError's domain, code and message, as copied out by the shim.
struct GLibError: Sendable {
    var domain: String
    var code: Int32
    var message: String

    init(_ status: apictl_status) {
        var status = status
        domain = withUnsafeBytes(of: &status.domain) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        message = withUnsafeBytes(of: &status.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        code = status.code
    }

    var isTimeout: Bool { domain == "g-io-error-quark" && (code == 24 || code == 19) }
}

/// Bounds a blocking GIO call: its cancellable is cancelled when the time runs out.
final class Deadline {
    private var deadline: OpaquePointer?

    init(milliseconds: Int) {
        deadline = apictl_deadline_start(Int32(clamping: milliseconds))
    }

    var cancellable: UnsafeMutableRawPointer? { apictl_deadline_cancellable(deadline) }

    func finish() {
        apictl_deadline_finish(deadline)
        deadline = nil
    }

    deinit { apictl_deadline_finish(deadline) }
}
