import APICtlCore
import FoundationEssentials
import Glibc

/// Writes bytes to a file descriptor; stdout and stderr are two of these.
/// The first failed write is remembered (disk full, a closed pipe), so the run
/// can end with an exit code that says the output is incomplete.
public final class OutputStream: @unchecked Sendable {
    let fd: Int32
    public let isTerminal: Bool
    /// The errno of the first write that failed; later writes are not attempted.
    public private(set) var failure: Int32?
    /// Why output meant for the user went missing (a failed write, a pager that failed):
    /// the run ends with exit 10 and this line rather than claim success.
    public private(set) var lost: APICtlError?
    /// Set while a pager reads this stream: a pager the user quits early is no failure,
    /// the rest of the output simply has no reader.
    var paged = false
    /// Bytes the pager has been handed so far.
    private(set) var pagedBytes = 0
    /// What the pager was handed, while it all still fits in the pipe: a pager that ends
    /// without reading any of it has it shown on the terminal instead (`Pager.finish`).
    private(set) var unconfirmed: [UInt8] = []
    /// How much the pipe to the pager holds; past that, a write returned only once the pager read.
    var pipeCapacity = 0
    /// Asked when the pager is gone before it read a byte: true when it put the terminal
    /// back in its place, so the write goes there instead.
    var pagerGoneBeforeReading: (() -> Bool)?
    private var readerQuit = false
    /// Nothing more written here will be read: a write failed, or the user quit the pager.
    /// Work that only makes output (the next page, the filter's next result) stops.
    public var hasNoReader: Bool { failure != nil || readerQuit }
    /// Bytes not written because the pager had quit: nobody saw them.
    private(set) var droppedBytes = 0

    public init(fd: Int32, isTerminal: Bool) {
        self.fd = fd
        self.isTerminal = isTerminal
    }

    /// The terminal's width in columns; nil when this is not a terminal, so piped
    /// output is never cut to fit a screen.
    public var columns: Int? {
        guard isTerminal else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        guard !readerQuit else { droppedBytes += buffer.count; return }
        var (written, error) = FileBytes.writeCounting(fd, buffer)
        if paged { note(UnsafeRawBufferPointer(rebasing: buffer[..<written])) }
        if error == EPIPE && paged && pagedBytes == 0, pagerGoneBeforeReading?() == true {
            error = FileBytes.writeAll(fd, buffer)
        }
        if error == EPIPE && paged {
            readerQuit = true   // the user quit the pager: the rest has no reader, and that is fine
            droppedBytes += buffer.count - written
        } else if let error {
            failure = error
            if lost == nil { lost = Self.failure(error) }
        }
    }

    private func note(_ handed: UnsafeRawBufferPointer) {
        pagedBytes += handed.count
        if pagedBytes <= pipeCapacity { unconfirmed.append(contentsOf: handed) } else { unconfirmed = [] }
    }

    /// The pager is gone and the terminal back: stop keeping what it was handed, and write again.
    func forgetPaged() {
        unconfirmed = []
        readerQuit = false
    }

    /// Output that went somewhere the user did not see it: `line` is what to say instead.
    func markLost(_ line: APICtlError) {
        if lost == nil { lost = line }
    }

    /// The line and exit code for stdout's failed write.
    static func failure(_ errorNumber: Int32) -> APICtlError {
        APICtlError(.outputFailed, "cannot write to stdout: \(String(cString: strerror(errorNumber)))",
                    hint: "the output is incomplete")
    }
}

extension APICtlError {
    /// libcurl's rare start-up failure, as the user hears it.
    static func clientStart(_ error: TransportError) -> APICtlError {
        APICtlError(.network, "could not start the HTTP client: \(error.detail)")
    }
}

/// The options every command takes, wherever they are on the line.
struct GlobalFlags: CommandOptions {
    let profile: String?
    let environment: String?
    let account: String?
    let config: String?
    let cacert: String?
    let verbose: Bool
    let noColor: Bool
    let help: Bool
    let version: Bool

    init(_ declare: OptionBinding) {
        profile = declare.value("profile", "p", "NAME", help: "Profile to use", completion: .profiles, env: "APICTL_PROFILE")
        environment = declare.value("env", "e", "ENV", help: "Environment within the profile (e.g. sandbox, production)",
                                    completion: .environments, env: "APICTL_ENV")
        account = declare.value("account", "a", "LABEL", help: "Which of the profile's stored logins to use (see 'apictl account list')",
                                completion: .accounts, env: "APICTL_ACCOUNT")
        config = declare.value("config", nil, "PATH", help: "Config file", completion: .files, env: "APICTL_CONFIG")
        cacert = declare.value("cacert", nil, "FILE", help: "Trust this PEM bundle of CA certificates (verification stays on)",
                               completion: .files)
        verbose = declare.flag("verbose", "v", help: "Show request and response headers on stderr, secrets redacted")
        noColor = declare.flag("no-color", nil, help: "Never colour output", env: "NO_COLOR")
        help = declare.flag("help", "h", help: "Show help for a command")
        version = declare.flag("version", nil, help: "Print apictl's version")
    }
}

/// The global options as a run applies them: the flags, with the environment variables that
/// stand in for them.
public struct GlobalOptions: Sendable {
    /// -p, else APICTL_PROFILE, with which of them chose.
    public var chosenProfile: Chosen?
    public var chosenEnvironment: Chosen?
    public var chosenAccount: Chosen?
    public var profile: String? { chosenProfile?.name }
    public var environment: String? { chosenEnvironment?.name }
    public var configPath: String?
    /// `--cacert FILE`: a PEM bundle trusted for this run, over the profile's `ca_cert`.
    public var caCert: String?
    public var verbose: Bool
    public var color: Bool

    static let specs: [OptionSpec] = OptionBinding.declarations(of: GlobalFlags.self).options

    init(_ flags: GlobalFlags, environment: [String: String], stdoutIsTerminal: Bool) {
        func chosen(_ flag: String?, _ name: String, _ variable: String) -> Chosen? {
            if let flag { return Chosen(flag, .flag(name)) }
            return environment[variable].flatMap { $0.isEmpty ? nil : Chosen($0, .environmentVariable(variable)) }
        }
        chosenProfile = chosen(flags.profile, "-p", "APICTL_PROFILE")
        chosenEnvironment = chosen(flags.environment, "-e", "APICTL_ENV")
        chosenAccount = chosen(flags.account, "-a", "APICTL_ACCOUNT")
        configPath = flags.config
        caCert = flags.cacert
        verbose = flags.verbose
        color = stdoutIsTerminal && !flags.noColor && environment["NO_COLOR"].map(\.isEmpty) ?? true
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
    /// Stdin up to `limit` bytes, and more than `limit` back when there was more: what a command
    /// reads only a little of (a key) stops reading `/dev/zero` there.
    public let readStandardInputUpTo: @Sendable (_ limit: Int) -> [UInt8]
    /// The descriptor `-d @-` streams a body from; nil reads `readStandardInput` whole instead.
    public let standardInput: Int32?
    /// argv's bytes as the process got them (without the program name): what a value that is
    /// not UTF-8 really was.
    public let rawArguments: [[UInt8]]
    public let now: @Sendable () -> Date
    public let makeTransport: @Sendable () throws(TransportError) -> Transport
    /// A transport for each of `batch`'s workers; nil: libcurl's multi interface, shared by all of them.
    public let makeWorkerTransport: (@Sendable () throws(TransportError) -> Transport)?
    /// The credential store for a config; nil: the one the config and environment choose.
    let makeStores: ((ConfigFile) -> any CredentialStoreOpening)?
    let keeper: any SecretKeeping
    let runner: any ProcessRunning
    public internal(set) var globals: GlobalOptions
    /// Where a project's `.apictl.toml` is looked for, up to the user's home; nil: nowhere.
    let workingDirectory: String?
    /// The config as this run loaded it, for what children may inherit.
    private var loadedConfig: ConfigFile?
    private var configWarned = false
    /// Where this run's search for a project's `.apictl.toml` ended.
    private var projectSearch: ProjectSearch?
    /// Each profile's active account (`account use`), read once a run and only when nothing else chose one.
    private lazy var activeAccounts = AccountState(stateDirectory: configLocation.stateDirectory).active
    /// Where this run's uses of a stored credential are recorded, once a profile is selected.
    private(set) lazy var audit = AuditTrail(log: AuditLog(stateDirectory: configLocation.stateDirectory))
    /// The selected profile: its `proxy` (or its environment's) is taken over the proxy variables,
    /// and its stored proxy login given when the proxy asks, by every client of the run.
    private var selectedProfile: ResolvedProfile?
    /// Client certificates and proxy logins, read from files and the store on first use.
    private(set) lazy var connectionSecrets = makeConnectionSecrets()

    /// `makeStores`, `keeper` and `runner` default to the real store, the kernel keyring
    /// and real processes; unit tests hand in fakes.
    public init(environment: [String: String], stdout: OutputStream, stderr: OutputStream, stdinIsTerminal: Bool,
                readStandardInput: @escaping @Sendable () -> [UInt8], now: @escaping @Sendable () -> Date,
                makeTransport: @escaping @Sendable () throws(TransportError) -> Transport,
                makeStores: ((ConfigFile) -> any CredentialStoreOpening)? = nil,
                keeper: any SecretKeeping = KernelKeyring(), runner: any ProcessRunning = ProcessRunner(),
                standardInput: Int32? = nil, rawArguments: [[UInt8]] = [],
                makeWorkerTransport: (@Sendable () throws(TransportError) -> Transport)? = nil, workingDirectory: String? = nil,
                readStandardInputUpTo: (@Sendable (_ limit: Int) -> [UInt8])? = nil) {
        self.makeWorkerTransport = makeWorkerTransport
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.rawArguments = rawArguments
        self.makeStores = makeStores
        self.keeper = keeper
        self.runner = runner
        self.environment = environment
        self.stdout = stdout
        self.stderr = stderr
        self.stdinIsTerminal = stdinIsTerminal
        self.readStandardInput = readStandardInput
        self.readStandardInputUpTo = readStandardInputUpTo ?? { limit in Array(readStandardInput().prefix(limit + 1)) }
        self.now = now
        self.makeTransport = makeTransport
        self.globals = GlobalOptions(GlobalFlags(OptionBinding.empty), environment: environment, stdoutIsTerminal: stdout.isTerminal)
    }

    public var configLocation: ConfigLocation {
        ConfigLocation.resolve(explicitPath: globals.configPath, environment: environment)
    }

    public var configStore: ConfigStore { ConfigStore(configLocation) }

    public func warn(_ message: String) { stderr.write("apictl: \(message)\n") }

    /// What a child (the pager, a browser, the OpenAPI helper) may inherit: the environment
    /// without any variable the config names as holding a secret, in any profile.
    var childEnvironment: ChildEnvironment {
        if loadedConfig == nil { loadedConfig = try? configStore.load() }
        return ChildEnvironment(environment, config: loadedConfig)
    }

    /// A transport, with libcurl's rare start-up failure turned into a user-facing error.
    func openTransport() throws(APICtlError) -> Transport {
        do { return try makeTransport() } catch { throw .clientStart(error) }
    }

    /// The config, and the profile -p / APICTL_PROFILE / `.apictl.toml` / default_profile selects (if any),
    /// with its environment and account chosen.
    func selectProfile() throws(APICtlError) -> (ConfigFile, ResolvedProfile?) {
        let config = try loadConfig()
        let profile = try ProfileSelection.resolve(config: config, request: try selectionRequest(), configPath: configLocation.configFile)
        noteSelection(config: config, profile: profile)
        return (config, profile)
    }

    /// Like `selectProfile`, for commands that act on one profile: none selected is an error that says how to pick one.
    func requireProfile() throws(APICtlError) -> (ConfigFile, ResolvedProfile) {
        let config = try loadConfig()
        let profile = try ProfileSelection.require(config: config, request: try selectionRequest(), configPath: configLocation.configFile)
        noteSelection(config: config, profile: profile)
        return (config, profile)
    }

    /// What chooses the profile, environment and account: the flags and variables, the nearest
    /// `.apictl.toml`, the active accounts.
    func selectionRequest() throws(APICtlError) -> SelectionRequest {
        try checkAccountChoice()
        return SelectionRequest(profile: globals.chosenProfile, environment: globals.chosenEnvironment, account: globals.chosenAccount,
                                project: try projectFile(), activeAccount: { [self] in activeAccounts[$0] })
    }

    /// The account -a or APICTL_ACCOUNT names must be a name: exit 2 from the flag, 3 from the variable.
    func checkAccountChoice() throws(APICtlError) {
        guard let account = globals.chosenAccount, !ProfileName.isValid(account.name) else { return }
        let message = "account label '\(TerminalText.escapingControls(account.name))' (\(account.origin.explanation ?? "")) is not valid"
        throw APICtlError(account.origin == .flag("-a") ? .usage : .configuration, message, hint: ProfileName.rule)
    }

    /// Notes a stored login (and who it is, when known) for `account list` and completion;
    /// a state file that cannot be written costs a warning, never the login.
    func rememberAccount(_ key: CredentialKey, identity: String?) {
        do { try AccountState.update(stateDirectory: configLocation.stateDirectory) { $0.remember(key, identity: identity) } } catch {
            warn("could not note the account: \(error.message)")
        }
    }

    /// The project's `.apictl.toml`, looked for once a run (files passed over are warned of
    /// once); not at all when flags or variables choose the profile, environment and account.
    func projectFile() throws(APICtlError) -> ProjectFile? {
        if let projectSearch { return projectSearch.file }
        guard let workingDirectory, globals.chosenProfile == nil || globals.chosenEnvironment == nil || globals.chosenAccount == nil else {
            return nil
        }
        let search = try ProjectFile.find(from: workingDirectory, home: environment["HOME"])
        for ignored in search.ignored { warn("note: \(ignored)") }
        projectSearch = search
        return search.file
    }

    /// The audit trail records `profile`'s uses from here on, unless the config says `audit = false`.
    /// The run's profile: what its uses of a credential are recorded for, and the proxy every
    /// client of the run takes (token endpoints included) when the profile names one.
    private func noteSelection(config: ConfigFile, profile: ResolvedProfile?) {
        audit.begin(config.audit == false ? nil : profile)
        selectedProfile = profile
    }

    /// The config file, parsed once a run, its unknown keys and any trust problem warned of:
    /// every command that reads it says so, the ones that only list or show it too.
    func loadConfig() throws(APICtlError) -> ConfigFile {
        let store = configStore
        // Parsed once a run (a child's environment may have needed it already), warned of once.
        let config: ConfigFile
        if let loadedConfig { config = loadedConfig } else { config = try store.load() }
        loadedConfig = config
        guard !configWarned else { return config }
        configWarned = true
        for unknown in config.unknownKeys { warn("\(store.path): \(unknown)") }
        if let problem = store.trustProblem { warn(problem) }
        return config
    }

    /// Rewrites the config file; a rewrite cannot keep comments, so where the user's went is said.
    /// A file others control is refused for rewrites; one whose own mode lets others write is
    /// rewritten (keeping its mode), and warned of as every command that reads it warns.
    func saveConfig(_ config: ConfigFile) throws(APICtlError) {
        let store = configStore
        if let copy = try store.save(config) {
            warn("note: the rewrite cannot keep comments; the file as it was, yours included, is in \(copy)")
        }
        if !configWarned, let problem = store.trustProblem { warn(problem) }
        configWarned = true
    }

    /// The credential session of the selected profile, if any; what it has to say is said on stderr.
    func openSession(settings: ClientSettings? = nil) throws(APICtlError) -> CredentialSession {
        let (config, profile) = try selectProfile()
        return try openSession(profile: profile, config: config, settings: settings)
    }

    /// The credential session of the one profile a command acts on.
    func openProfileSession(settings: ClientSettings? = nil) throws(APICtlError) -> (CredentialSession, ResolvedProfile) {
        let (config, profile) = try requireProfile()
        return (try openSession(profile: profile, config: config, settings: settings), profile)
    }

    private func openSession(profile: ResolvedProfile?, config: ConfigFile,
                             settings: ClientSettings? = nil) throws(APICtlError) -> CredentialSession {
        let session = try CredentialSession.open(profile: profile, parts: try sessionParts(config: config, settings: settings))
        for notice in session.notices { warn(notice) }
        // An account asked for by name that holds nothing is a typo or a missing login, not a
        // reason to send the request without a credential.
        if let profile, profile.choice.account != .implied {
            try checkChosenAccount(profile, session.credential)
        }
        return session
    }

    /// An account chosen by name must be the one that answers: one that holds nothing is exit 4,
    /// and one a token from elsewhere stands in for is said.
    private func checkChosenAccount(_ profile: ResolvedProfile, _ credential: ResolvedCredential?) throws(APICtlError) {
        let chosen = "account '\(profile.account)'" + (profile.choice.account.explanation.map { " (\(TerminalText.escapingControls($0)))" } ?? "")
        guard let credential else {
            let known = AccountState(stateDirectory: configLocation.stateDirectory).labels(of: profile.name)
            throw APICtlError.auth("no credential for profile '\(profile.name)', \(chosen)",
                                   hint: known.isEmpty ? "log in to it with 'apictl login \(profile.selectionFlags)'"
                                       : "its accounts: \(known.joined(separator: ", ")); or log in with 'apictl login \(profile.selectionFlags)'")
        }
        if !credential.source.isStoredLogin {
            warn("note: \(chosen) is not used: the credential comes from \(credential.source)")
        }
    }

    /// The real parts: the process environment, libcurl, the kernel keyring, the configured store.
    func sessionParts(config: ConfigFile, settings: ClientSettings? = nil) throws(APICtlError) -> SessionParts {
        SessionParts(environment: environment, now: now, config: config, dataDirectory: configLocation.dataDirectory,
                     stores: stores(config: config), transport: try openTransport(), keeper: keeper, runner: runner,
                     clientSettings: settings ?? clientSettings())
    }

    /// How every client of this run behaves, built here only: `-v` and retry notices on
    /// stderr, `--cacert`, the proxy variables and the clock; a command that takes them
    /// (`request`) adds its retry policy, `--timeout` deadline and `--stall-timeout`.
    func clientSettings(retryPolicy: RetryPolicy = RetryPolicy(), deadline: Date? = nil,
                        stallTimeout: Double = HTTPRequest.defaultStallTimeout) -> ClientSettings {
        let stderr = self.stderr
        var observer: (@Sendable (WireEvent) -> Void)?
        if globals.verbose { observer = { event in stderr.write(VerboseLog.lines(for: event)) } }
        var proxies = ProxySettings(environment: environment)
        proxies.profileProxy = selectedProfile?.connection.proxy
        var settings = ClientSettings(observer: observer, onRetry: { notice in stderr.write(RetryOptions.describe(notice)) },
                                      caCertOverride: globals.caCert, proxies: proxies,
                                      retryPolicy: retryPolicy, deadline: deadline, stallTimeout: stallTimeout, now: now)
        settings.audit = audit
        settings.connection = connectionSecrets
        settings.proxyLoginProfile = selectedProfile
        return settings
    }

    private func makeConnectionSecrets() -> ConnectionSecrets {
        let config = loadedConfig ?? ConfigFile()   // read by the time a profile is chosen
        let stores = self.stores(config: config)
        return ConnectionSecrets(environment: environment,
                                 readStore: { key throws(APICtlError) in try stores.open(reading: key).store.load(key) },
                                 askPassphrase: { prompt in TerminalInput.readSecret(prompt: prompt) },
                                 cacheLifetime: (try? DerivedKeyCache.lifetime(config: config, environment: environment)) ?? 0,
                                 keeper: keeper, now: now)
    }

    func makeClient(transport: Transport, profile: ResolvedProfile?, credential: ResolvedCredential?) -> APIClient {
        APIClient(transport: transport, profile: profile, credential: credential, settings: clientSettings())
    }

    /// Refresh locks and rotation journals of the profile's selected environment.
    func stateFiles(for profile: ResolvedProfile) -> ProfileStateFiles {
        ProfileStateFiles(dataDirectory: configLocation.dataDirectory, profile: profile)
    }

    /// The credential store chosen by APICTL_CREDENTIAL_STORE or the config.
    func stores(config: ConfigFile) -> any CredentialStoreOpening {
        if let makeStores { return makeStores(config) }
        let environment = self.environment
        return ConfiguredStores(config: config, environment: environment, dataDirectory: configLocation.dataDirectory,
                                passphrase: TerminalInput.passphrase(environment: environment))
    }

    func openStore(config: ConfigFile) throws(APICtlError) -> StoreSelection {
        try stores(config: config).open(reading: nil)
    }
}
