/// The exit codes users script against (docs/exit-codes.md). Stable: never renumber.
public enum ExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    case httpError = 1
    case usage = 2
    case configuration = 3
    case authentication = 4
    case permission = 5
    case rateLimited = 6
    case serverError = 7
    case network = 8
    case credentialStore = 9
    /// The output could not be written: stdout (disk full, a closed pipe) or `-o FILE`. curl's 23.
    case outputFailed = 10
    /// A `--jq` filter failed at run time (or the body it was given is not JSON).
    case filterFailed = 11
    case interrupted = 130

    /// What a final HTTP status means for the exit code.
    public static func forStatus(_ status: Int) -> ExitCode {
        switch status {
        case 200..<400: return .success
        case 401, 407: return .authentication   // 407: a proxy that wants credentials
        case 403: return .permission
        case 429: return .rateLimited
        case 500..<600: return .serverError
        default: return .httpError
        }
    }
}

/// Every failure the core reports: a message the user can act on, an optional
/// hint, and the exit code it maps to. Never carries a secret.
public struct APICtlError: Error, Sendable, Equatable {
    public var exitCode: ExitCode
    public var message: String
    public var hint: String?

    public init(_ exitCode: ExitCode, _ message: String, hint: String? = nil) {
        self.exitCode = exitCode
        self.message = message
        self.hint = hint
    }

    public static func usage(_ message: String, hint: String? = nil) -> APICtlError { .init(.usage, message, hint: hint) }
    public static func config(_ message: String, hint: String? = nil) -> APICtlError { .init(.configuration, message, hint: hint) }
    public static func auth(_ message: String, hint: String? = nil) -> APICtlError { .init(.authentication, message, hint: hint) }
    public static func store(_ message: String, hint: String? = nil) -> APICtlError { .init(.credentialStore, message, hint: hint) }

    public static func network(_ error: TransportError, url: String) -> APICtlError {
        let origin = URLParts.parse(url)?.origin.description ?? url
        switch error {
        case .invalidURL(let d): return .usage("invalid URL '\(url)': \(d)")
        case .resolve: return .init(.network, "could not resolve host for \(origin)", hint: "check the base URL and your network")
        case .connect: return .init(.network, "could not connect to \(origin)", hint: "is the server running and the port right?")
        case .timeout(let d): return .init(.network, "timed out talking to \(origin): \(d)", hint: "raise --timeout or try again")
        case .tls(let d): return .init(.network, "TLS failure with \(origin): \(d)", hint: "for a private CA, set ca_cert in the profile or pass --cacert")
        case .certificateRefused(let d) where d == TransportError.noCertificateGiven:
            return .init(.authentication, "\(origin) asks for a TLS client certificate, and none was presented",
                         hint: "set client_cert (and client_key) of the profile (docs/configuration.md)")
        case .certificateRefused(let d):
            return .init(.authentication, "\(origin) refused the TLS client certificate (\(d))",
                         hint: "it wants a certificate it trusts: client_cert and client_key of the profile (docs/configuration.md)")
        case .proxyAuthentication(let d):
            return .init(.authentication, "the proxy \(d) to the CONNECT for \(origin)",
                         hint: "store the proxy's user and password with 'apictl login --proxy -p PROFILE'")
        case .proxyUnreachable(let d):
            return .init(.network, "could not reach the proxy \(d) on the way to \(origin)", hint: "check the profile's proxy, or https_proxy and no_proxy")
        case .protocolFailure(let d): return .init(.network, "connection to \(origin) failed: \(d)")
        case .consumer(let error), .heldBack(let error): return error
        case .other(let d): return .init(.network, "request to \(origin) failed: \(d)")
        }
    }

    /// The one stderr line: "apictl: message (hint)". Messages quote argv, config
    /// values and servers' words; their control characters are shown escaped, so a
    /// CR or an ESC sequence can neither split the line nor repaint the terminal.
    public var line: String {
        let text = hint.map { $0.isEmpty ? message : "\(message) (\($0))" } ?? message
        return "apictl: " + TerminalText.escapingControls(text)
    }
}
