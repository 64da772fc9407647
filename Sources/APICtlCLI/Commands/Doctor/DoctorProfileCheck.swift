import APICtlCore
import FoundationEssentials

/// One row per profile (and environment) for `apictl doctor`: where its credential would
/// come from, found without running a command or exchanging a CI token, and whether its
/// base URL answers.
struct DoctorProfileCheck {
    let context: CommandContext
    let selection: StoreSelection?
    let passphraseAtHand: Bool
    /// nil with --offline.
    let transport: Transport?
    /// The profile a command run here would use: its rows check the account chosen for it.
    var selected: ResolvedProfile?

    func rows(name: String, config: ProfileConfig) -> [DoctorRow] {
        let named: [String?] = (config.environments ?? [:]).keys.sorted()
        return (named.isEmpty ? [nil] : named).map { row(name: name, config: config, environment: $0) }
    }

    func row(name: String, config: ProfileConfig, environment: String?) -> DoctorRow {
        var label = environment.map { "\(name) -e \($0)" } ?? name
        var profile: ResolvedProfile
        do {
            profile = try ResolvedProfile.resolve(name: name, config: config, requestedEnvironment: environment,
                                                  configPath: context.configLocation.configFile)
        } catch {
            return DoctorRow(label: label, value: error.message, problem: error.exitCode)
        }
        if let selected, selected.name == name, !selected.credentialKey.isDefaultAccount {
            profile.account = selected.account
            label += " -a \(selected.account)"
        }
        var findings: [Finding] = []
        var certificate: ClientCertificate?
        if profile.connection.clientCert != nil {   // a certificate that cannot be used is the first thing to fix
            let (finding, read) = clientCertificate(of: profile)
            findings.append(finding)
            certificate = read
        }
        findings.insert(credential(of: profile), at: profile.connection.clientCert != nil && certificate == nil ? 1 : 0)
        if let transport, findings.allSatisfy({ $0.problem != .configuration }) {
            findings.append(connectivity(profile, certificate: certificate, transport: transport))
        }
        return DoctorRow(label: label, value: findings.map(\.text).joined(separator: "; "),
                         problem: findings.lazy.compactMap(\.problem).first)
    }

    typealias Finding = (text: String, problem: ExitCode?)

    func credential(of profile: ResolvedProfile) -> Finding {
        switch PlannedCredential.plan(profile: profile, environment: context.environment) {
        case .environment(let credential): return ("credential from \(credential.source)", nil)
        case .command(let source): return ("credential from \(source) (not run)", nil)
        case .ci(let source): return ("credential from \(source) (not exchanged)", nil)
        case .store: return stored(for: profile)
        }
    }

    private func stored(for profile: ResolvedProfile) -> Finding {
        guard let selection else { return ("no credential store to look in", .credentialStore) }
        let key = profile.credentialKey
        if selection.fallbackReason != nil, KeyringLedger(dataDirectory: context.configLocation.dataDirectory).contains(key) {
            return ("credential in the Secret Service keyring, which cannot be reached", .credentialStore)
        }
        if let fileStore = selection.store as? EncryptedFileStore, fileStore.exists, !passphraseAtHand {
            return ("credential not checked: the file needs its passphrase", .credentialStore)
        }
        do {
            guard try selection.store.loadLatest(key) != nil else {
                // Mutual TLS alone: the certificate identifies the caller, and requests go without a credential.
                if profile.certificateIsTheIdentity { return ("no credential: the client certificate is the identity", nil) }
                return ("no credential (run 'apictl login \(profile.selectionFlags)')", .authentication)
            }
            return ("credential in the \(selection.store.source)", nil)
        } catch {
            return (error.message, error.exitCode)
        }
    }

    /// The certificate read and checked as a request would (an encrypted key's passphrase may be asked for).
    func clientCertificate(of profile: ResolvedProfile) -> (Finding, ClientCertificate?) {
        do {
            guard let certificate = try context.connectionSecrets.certificate(for: profile) else { return (("no client certificate", nil), nil) }
            let shown = "client certificate " + ClientCertificateReport.summary(certificate, now: context.now())
            if certificate.daysLeft(at: context.now()) != nil { return ((shown + ": renew it soon", nil), certificate) }
            return ((shown, nil), certificate)
        } catch {
            return ((error.message, error.exitCode), nil)
        }
    }

    /// A HEAD to the base URL, through the proxy (with its stored login, should it ask) and with
    /// the certificate a request would take.
    func connectivity(_ profile: ResolvedProfile, certificate: ClientCertificate?, transport: Transport) -> Finding {
        let started = Date()
        var request = HTTPRequest(method: "HEAD", url: profile.baseURL, timeout: 5, caCertPath: context.globals.caCert ?? profile.caCert)
        request.clientCertificate = certificate
        do {
            request.proxy = try ProxySettings(environment: context.environment).taking(profile).checkedProxy(for: profile.base) ?? ""
        } catch {
            return (error.message, error.exitCode)
        }
        do throws(TransportError) {
            var head: HTTPResponseHead
            do throws(TransportError) {
                head = try transport.send(request, to: BufferingConsumer())
            } catch .proxyAuthentication(let detail) {
                guard let proxy = request.proxy, let login = try? context.connectionSecrets.proxyLogin(for: profile, proxy: proxy) else {
                    throw TransportError.proxyAuthentication(detail)
                }
                request.proxyCredential = login
                head = try transport.send(request, to: BufferingConsumer())
            }
            let ms = (Date().timeIntervalSince(started) * 1000).saturatingInt
            return ("\(profile.base.origin) answers (HTTP \(head.status), \(ms) ms)", nil)
        } catch {
            let failure = APICtlError.network(error, url: profile.baseURL)
            return (failure.message, failure.exitCode)
        }
    }
}
