import APICtlCore
import FoundationEssentials
import Glibc

/// Writes bytes to a file descriptor; stdout and stderr are two of these.
public final class OutputStream: @unchecked Sendable {
    let fd: Int32
    public let isTerminal: Bool

    public init(fd: Int32, isTerminal: Bool) {
        self.fd = fd
        self.isTerminal = isTerminal
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

/// The global options every command understands.
public struct GlobalOptions: Sendable {
    public var profile: String?
    public var environment: String?
    public var configPath: String?
    /// `--cacert FILE`: a PEM bundle trusted for this run, over the profile's `ca_cert`.
    public var caCert: String?
    public var verbose: Bool
    public var color: Bool

    static let specs: [OptionSpec] = [
        .value("profile", "p", "NAME", help: "Profile to use", completion: .profiles, env: "APICTL_PROFILE"),
        .value("env", "e", "ENV", help: "Environment within the profile (e.g. sandbox, production)",
               completion: .environments, env: "APICTL_ENV"),
        .value("config", nil, "PATH", help: "Config file", completion: .files, env: "APICTL_CONFIG"),
        .value("cacert", nil, "FILE", help: "Trust this PEM bundle of CA certificates (verification stays on)", completion: .files),
        .flag("verbose", "v", help: "Show request and response headers on stderr, secrets redacted"),
        .flag("no-color", nil, help: "Never colour output", env: "NO_COLOR"),
        .flag("help", "h", help: "Show help for a command"),
        .flag("version", nil, help: "Print apictl's version"),
    ]

    init(parsed: ParsedCommand, environment: [String: String], stdoutIsTerminal: Bool) {
        profile = parsed.value("profile") ?? environment["APICTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        self.environment = parsed.value("env") ?? environment["APICTL_ENV"].flatMap { $0.isEmpty ? nil : $0 }
        configPath = parsed.value("config")
        caCert = parsed.value("cacert")
        verbose = parsed.flag("verbose")
        color = stdoutIsTerminal && !parsed.flag("no-color") && environment["NO_COLOR"].map(\.isEmpty) ?? true
            && environment["TERM"] != "dumb"
    }
}

/// Everything a command is handed: it reads no process state of its own, so
/// every command can run against fakes in unit tests and real parts in integration tests.
public final class CommandContext: @unchecked Sendable {
    public let environment: [String: String]
    public let stdout: OutputStream
    public let stderr: OutputStream
    public let stdinIsTerminal: Bool
    public let readStandardInput: @Sendable () -> [UInt8]
    public let now: @Sendable () -> Date
    public let makeTransport: @Sendable () throws(TransportError) -> Transport
    public internal(set) var globals: GlobalOptions

    public init(environment: [String: String], stdout: OutputStream, stderr: OutputStream, stdinIsTerminal: Bool,
                readStandardInput: @escaping @Sendable () -> [UInt8], now: @escaping @Sendable () -> Date,
                makeTransport: @escaping @Sendable () throws(TransportError) -> Transport) {
        self.environment = environment
        self.stdout = stdout
        self.stderr = stderr
        self.stdinIsTerminal = stdinIsTerminal
        self.readStandardInput = readStandardInput
        self.now = now
        self.makeTransport = makeTransport
        self.globals = GlobalOptions(parsed: ParsedCommand(path: [], spec: CommandSpec(name: "", summary: "")),
                                     environment: environment, stdoutIsTerminal: stdout.isTerminal)
    }

    public var configLocation: ConfigLocation {
        ConfigLocation.resolve(explicitPath: globals.configPath, environment: environment)
    }

    public var configStore: ConfigStore { ConfigStore(path: configLocation.configFile) }

    public func warn(_ message: String) { stderr.write("apictl: \(message)\n") }

    /// A transport, with libcurl's rare start-up failure turned into a user-facing error.
    func openTransport() throws(APICtlError) -> Transport {
        do { return try makeTransport() } catch { throw APICtlError(.network, "could not start the HTTP client: \(error.detail)") }
    }

    /// The config and the profile -p / APICTL_PROFILE / default_profile selects, with its environment chosen.
    func selectProfile(required: Bool) throws(APICtlError) -> (ConfigFile, ResolvedProfile?) {
        let location = configLocation
        let store = ConfigStore(path: location.configFile)
        let config = try store.load()
        if store.othersMayWrite {
            warn("\(location.configFile) can be changed by other users, who could send your credentials elsewhere (run 'chmod go-w \(location.configFile)')")
        }
        let profile = required
            ? try ProfileSelection.require(config: config, requested: globals.profile, environment: globals.environment,
                                           configPath: location.configFile)
            : try ProfileSelection.resolve(config: config, requested: globals.profile, environment: globals.environment,
                                           configPath: location.configFile)
        return (config, profile)
    }

    /// A client for the profile, wired for `-v` and retry notices on stderr.
    func makeClient(transport: Transport, profile: ResolvedProfile?, credential: ResolvedCredential?) -> APIClient {
        let client = APIClient(transport: transport, profile: profile, credential: credential)
        let stderr = self.stderr
        if globals.verbose {
            client.observer = { event in stderr.write(VerboseLog.lines(for: event)) }
        }
        client.onRetry = { notice in stderr.write(RetryOptions.describe(notice)) }
        client.now = now
        client.caCertOverride = globals.caCert
        return client
    }

    /// Refresh locks and rotation journals of the profile's selected environment.
    func stateFiles(for profile: ResolvedProfile) -> ProfileStateFiles {
        ProfileStateFiles(dataDirectory: configLocation.dataDirectory,
                          key: CredentialKey(profile: profile.name, environment: profile.environment))
    }

    /// The credential store chosen by APICTL_CREDENTIAL_STORE or the config.
    /// `reading`: the credential about to be loaded, so a kept keyring copy of it can answer at once.
    func openStore(config: ConfigFile, reading key: CredentialKey? = nil) throws(APICtlError) -> StoreSelection {
        try StoreSelection.open(choice: try StoreSelection.choice(config: config, environment: environment),
                                environment: environment, dataDirectory: configLocation.dataDirectory,
                                passphrase: TerminalInput.passphrase(environment: environment),
                                passphraseCache: try DerivedKeyCache.lifetime(config: config, environment: environment),
                                keyringCopies: KeyringCopies(environment: environment,
                                                             lifetime: try KeyringCopies.lifetime(config: config, environment: environment)),
                                reading: key)
    }
}
