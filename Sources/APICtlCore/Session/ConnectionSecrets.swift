import FoundationEssentials
import Glibc

/// What a profile's connection presents besides its credential: the client certificate with
/// its key, and the proxy's user and password. Each is read on first use and kept for the run,
/// so a profile without them, or a command that never sends, pays nothing.
public final class ConnectionSecrets: @unchecked Sendable {
    /// Reads a stored record (the client key, the proxy login); nil when none is stored.
    public typealias StoreReader = (CredentialKey) throws(APICtlError) -> Credential?
    /// Asks for a passphrase on the terminal; nil when there is none to ask on.
    public typealias PassphrasePrompt = (String) -> String?

    private let environment: [String: String]
    private let readStore: StoreReader
    private let askPassphrase: PassphrasePrompt
    /// How long a key decrypted with a typed passphrase stays in the kernel keyring (0: not kept).
    private let cacheLifetime: TimeInterval
    private let keeper: any SecretKeeping
    private let now: @Sendable () -> Date
    private let monitor = Monitor()
    private var certificates: [CredentialKey: ClientCertificate] = [:]
    /// The stored proxy logins read so far, nil for none stored: each is matched to the asking proxy every time.
    private var storedProxyLogins: [CredentialKey: Credential?] = [:]

    public init(environment: [String: String], readStore: @escaping StoreReader, askPassphrase: @escaping PassphrasePrompt,
                cacheLifetime: TimeInterval, keeper: any SecretKeeping = KernelKeyring(), now: @escaping @Sendable () -> Date) {
        self.environment = environment
        self.readStore = readStore
        self.askPassphrase = askPassphrase
        self.cacheLifetime = cacheLifetime
        self.keeper = keeper
        self.now = now
    }

    /// The profile's client certificate with its key, checked and not expired; nil when it has none.
    public func certificate(for profile: ResolvedProfile) throws(APICtlError) -> ClientCertificate? {
        guard let path = profile.connection.clientCert else { return nil }
        let key = profile.credentialKey.clientKey
        return try monitor.locked { () throws(APICtlError) -> ClientCertificate in
            if let known = certificates[key] { return known }
            let certificate = try load(path, profile: profile)
            if certificate.chainLength > ClientCertificate.longestChain {
                throw APICtlError.config("the client certificate file \(path) holds \(certificate.chainLength) certificates, "
                                         + "more than the \(ClientCertificate.longestChain) a client presents",
                                         hint: "keep the certificate and its intermediates only; the CA's own stay with the server")
            }
            if let problem = certificate.validityProblem(at: now()) {
                throw APICtlError.config("the client certificate \(path) (\(certificate.subject)) \(problem)",
                                         hint: "renew it, then point client_cert of profile '\(profile.name)' at the new one")
            }
            certificates[key] = certificate
            return certificate
        }
    }

    /// The proxy's user and password stored for the profile (`login --proxy`) when they were stored
    /// for `proxy` itself: a login is given to no other proxy, whatever the config or the variables
    /// now point at. nil when none are.
    public func proxyLogin(for profile: ResolvedProfile, proxy: String) throws(APICtlError) -> ProxyCredential? {
        let key = profile.credentialKey.proxyLogin
        let stored = try monitor.locked { () throws(APICtlError) -> Credential? in
            if let known = storedProxyLogins[key] { return known }
            let read = try readOwnOrShared(profile, \.proxyLogin)
            storedProxyLogins[key] = .some(read)   // none stored is remembered too
            return read
        }
        guard let stored, let user = stored.name, stored.origin == Self.proxyIdentity(proxy) else { return nil }
        return ProxyCredential(user: user, password: stored.token)
    }

    /// The certificate at `path` with its key: `client_key`, else the certificate file's own, else
    /// the one `credentials import-key` stored. Expiry is the caller's to judge.
    public func load(_ path: String, profile: ResolvedProfile) throws(APICtlError) -> ClientCertificate {
        let certificateBytes = try Self.read(path, what: "client certificate", profile: profile)
        let keyPath = profile.connection.clientKey
        let keyBytes = try keyPath.map { path throws(APICtlError) in try Self.read(path, what: "client key", profile: profile) }
        var passphrase = profile.connection.clientKeyPassphraseEnv.flatMap { environment[$0] }
        let cache = KernelKey("apictl:client-key:" + Base64URL.encode(SHA256.hash(certificateBytes + (keyBytes ?? []))),
                              in: keeper)
        var typed = false
        for attempt in 0..<3 {
            do {
                let certificate = try ClientCertificate.read(certificate: certificateBytes, key: keyBytes, passphrase: passphrase, origin: path)
                if typed, cacheLifetime > 0 { cache.write(certificate.keyPEM, lifetime: cacheLifetime) }
                return certificate
            } catch .noKey where keyPath == nil {
                return try withStoredKey(certificateBytes, path: path, profile: profile)
            } catch let problem where [.needsPassphrase, .wrongPassphrase].contains(problem) && (passphrase == nil || typed) {
                if attempt == 0, let kept = cache.read(),
                   let certificate = try? ClientCertificate.read(certificate: certificateBytes, key: kept, passphrase: nil, origin: path) {
                    return certificate
                }
                let prompt = attempt == 0 ? "Passphrase for the client key of profile '\(profile.name)': " : "Wrong passphrase; try again: "
                guard let answer = askPassphrase(prompt) else { throw Self.needsPassphrase(profile) }
                passphrase = answer
                typed = true
            } catch {
                throw Self.explain(error, path: path, keyPath: keyPath, profile: profile)
            }
        }
        throw Self.explain(.wrongPassphrase, path: path, keyPath: keyPath, profile: profile)
    }

    private func withStoredKey(_ certificateBytes: [UInt8], path: String, profile: ResolvedProfile) throws(APICtlError) -> ClientCertificate {
        guard let stored = try readOwnOrShared(profile, \.clientKey) else {
            throw APICtlError.config("the client certificate \(path) of profile '\(profile.name)' has no private key",
                                     hint: "set client_key, or keep the key in the credential store: 'apictl credentials import-key \(profile.selectionFlags) --cert \(path) --key KEY'")
        }
        do {
            return try ClientCertificate.read(certificate: certificateBytes, key: Array(stored.token.utf8), passphrase: nil, origin: path)
        } catch {
            throw Self.explain(error, path: path, keyPath: "kept in the credential store", profile: profile)
        }
    }

    /// What a proxy login is stored for: the proxy's scheme, host and port as libcurl connects to them
    /// (without a port: 443 for https, else libcurl's 1080), whatever user:password the URL holds.
    public static func proxyIdentity(_ proxy: String) -> String {
        let full = ProxySettings.url(proxy) ?? proxy
        guard let schemeEnd = full.firstRange(ofText: "://") else { return full.lowercased() }
        let scheme = full[..<schemeEnd.lowerBound].lowercased()
        let authority = String(full[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        guard let (host, port) = ProxySettings.hostAndPort(authority) else { return full.lowercased() }
        return "\(scheme)://\(host):\(port ?? (scheme == "https" ? 443 : 1080))"
    }

    /// The environment's own record, else the profile's (one every environment shares).
    private func readOwnOrShared(_ profile: ResolvedProfile, _ kind: KeyPath<CredentialKey, CredentialKey>) throws(APICtlError) -> Credential? {
        let own = profile.credentialKey[keyPath: kind]
        let shared = Self.sharedKey(profile)[keyPath: kind]
        if let found = try readStore(own) { return found }
        return own == shared ? nil : try readStore(shared)
    }

    /// Where a profile keeps what its environments share: its client key, its proxy login.
    public static func sharedKey(_ profile: ResolvedProfile) -> CredentialKey { CredentialKey(profile: profile.name, environment: nil) }

    static func read(_ path: String, what: String, profile: ResolvedProfile) throws(APICtlError) -> [UInt8] {
        guard let bytes = FileBytes.regularFileContents(of: path, limit: 1 << 20) else {
            let why = errno == EINVAL ? "it is not a regular file" : String(cString: strerror(errno))
            throw APICtlError.config("cannot read the \(what) \(path) of profile '\(profile.name)': \(why)",
                                     hint: "check the path and that you may read it")
        }
        guard bytes.count <= 1 << 20 else {
            throw APICtlError.config("the \(what) \(path) of profile '\(profile.name)' is larger than 1 MiB, more than any certificate or key")
        }
        return bytes
    }

    static func needsPassphrase(_ profile: ResolvedProfile) -> APICtlError {
        if let variable = profile.connection.clientKeyPassphraseEnv {
            return .config("the client key of profile '\(profile.name)' is encrypted, and \(variable) (client_key_passphrase_env) is not set",
                           hint: "export \(variable) with its passphrase")
        }
        return APICtlError.config("the client key of profile '\(profile.name)' is encrypted and there is no terminal to ask its passphrase on",
                           hint: "set client_key_passphrase_env to a variable holding it, or 'apictl credentials import-key'")
    }

    /// `keyPath`: the key's file, or where else it is ("kept in the credential store").
    static func explain(_ problem: ClientCertificate.Problem, path: String, keyPath: String?, profile: ResolvedProfile) -> APICtlError {
        let key = keyPath ?? path
        switch problem {
        case .certificateUnreadable:
            return .config("\(path) (client_cert of profile '\(profile.name)') holds no certificate apictl can read",
                           hint: "give a PEM certificate or a PKCS#12 file")
        case .keyUnreadable:
            return .config("\(key) holds no private key apictl can read", hint: "give the certificate's key as PEM")
        case .needsPassphrase:
            return needsPassphrase(profile)
        case .wrongPassphrase:
            return .config("the passphrase for \(key) is wrong",
                           hint: profile.connection.clientKeyPassphraseEnv.map { "check \($0), the variable client_key_passphrase_env names" }
                               ?? "type it again")
        case .keyMismatch:
            return .config("the private key \(key) is not the key of the client certificate \(path)",
                           hint: "set client_key to the certificate's own key ('apictl profile set \(profile.name) --client-key FILE'), "
                               + "or import it: 'apictl credentials import-key \(profile.selectionFlags) --cert \(path) --key FILE'")
        case .unsupportedKey:
            return .config("the private key \(key) is of a kind TLS would refuse or leave unsent",
                           hint: "use an RSA key of 2048 bits or more, an EC key on P-256, P-384 or P-521, or Ed25519")
        case .noKey:
            return .config("the client certificate \(path) of profile '\(profile.name)' has no private key",
                           hint: "set client_key, or 'apictl credentials import-key'")
        }
    }
}
