import APICtlCore
import FoundationEssentials

/// `apictl doctor`: what is configured, which credential store works and why
/// not, where each profile's credential comes from, and whether each base URL
/// answers. Exits with the code of the first problem it found.
enum DoctorCommand {
    static let spec = CommandSpec(
        name: "doctor",
        summary: "Diagnose the config, the credential stores and connectivity",
        options: Options.self,
        run: run
    )

    struct Options: CommandOptions {
        let offline: Bool
        init(_ declare: OptionBinding) { offline = declare.flag("offline", nil, help: "Skip the connectivity checks") }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        var problems: [ExitCode] = []
        func line(_ label: String, _ value: String, ok: Bool = true) {
            let mark = ok ? "ok " : "!! "
            context.stdout.write("\(mark)\(label):" + String(repeating: " ", count: max(1, 14 - label.count)) + value + "\n")
        }
        let location = context.configLocation
        let config: ConfigFile
        do {
            config = try context.configStore.load()
            let exists = FileBytes.exists(location.configFile)
            line("config", "\(location.configFile) (\(exists ? "\(config.profiles.count) profile(s)" : "not created yet"))")
        } catch {
            line("config", error.message, ok: false)
            return ExitCode.configuration.rawValue
        }

        // A store that could not be checked is a problem, even when `auto` falls back to the file.
        let fileChosen = (try? StoreSelection.choice(config: config, environment: context.environment)) == .file
        let keyring = KeyringProbe.check(environment: context.environment)
        if fileChosen {
            line("keyring", "not used (credential_store = file)")
        } else {
            line("keyring", keyring.explanation, ok: keyring.isUsable)
            if !keyring.isUsable { problems.append(.credentialStore) }
        }
        let cacheLifetime = (try? DerivedKeyCache.lifetime(config: config, environment: context.environment)) ?? 0
        let file = EncryptedFileStore(directory: location.dataDirectory, passphrase: TerminalInput.passphrase(environment: context.environment),
                                      cacheLifetime: cacheLifetime, consultCache: (context.environment["APICTL_PASSPHRASE"] ?? "").isEmpty)
        // A cached key opens the file as well as a passphrase does, without a prompt.
        let passphraseSet = TerminalInput.passphraseAtHand(environment: context.environment, file: file)
        if file.exists {
            if passphraseSet {
                do { line("file", "\(file.path): \(try file.keys().count) credential(s)") } catch {
                    line("file", "\(file.path): \(error.message)", ok: false)
                    problems.append(.credentialStore)
                }
            } else {
                line("file", "\(file.path) not checked: set APICTL_PASSPHRASE or APICTL_PASSPHRASE_FILE to check it", ok: false)
                problems.append(.credentialStore)
            }
        } else {
            line("file", "\(file.path) (not created yet)")
        }
        let kernelRefusal = KernelKey.unavailableReason()
        do {
            let lifetime = try DerivedKeyCache.lifetime(config: config, environment: context.environment)
            if lifetime == 0 {
                line("key cache", "off (passphrase_cache = 0)")
            } else if let reason = kernelRefusal {
                line("key cache", "off: \(reason); the passphrase is asked by every process", ok: false)
            } else {
                let cached = DerivedKeyCache(filePath: file.path, lifetime: lifetime, consult: true).isHeld
                line("key cache", "kernel user keyring, kept for \(humanDuration(lifetime)) after the passphrase is given"
                     + (cached ? "; a key is cached now ('apictl credentials lock' forgets it)" : "; nothing cached now"))
            }
        } catch {
            line("key cache", error.message, ok: false)
            problems.append(error.exitCode)
        }

        do {
            let lifetime = try KeyringCopies.lifetime(config: config, environment: context.environment)
            if lifetime == 0 {
                line("item copies", "off (keyring_cache = 0): every command reads the keyring through libsecret")
            } else if let reason = kernelRefusal {
                line("item copies", "off: \(reason); every command reads the keyring through libsecret", ok: false)
            } else if keyring.isUsable {
                line("item copies", "kernel user keyring, each item read or written kept for \(humanDuration(lifetime))"
                     + " ('apictl credentials lock' forgets them)")
            }
        } catch {
            line("item copies", error.message, ok: false)
            problems.append(error.exitCode)
        }

        // Token commands' answers and CI exchanges' tokens use the same kernel keyring.
        if config.profiles.values.contains(where: { $0.tokenCommand != nil || $0.ci != nil }) {
            if let reason = kernelRefusal {
                line("kept tokens", "off: \(reason); every process runs the token command or CI exchange again", ok: false)
            } else {
                line("kept tokens", "kernel user keyring: token command answers and CI tokens are kept until 60 s before they expire")
            }
        }

        var selection: StoreSelection?
        do {
            let choice = try StoreSelection.choice(config: config, environment: context.environment)
            selection = try context.openStore(config: config)
            let why = selection?.fallbackReason != nil ? " (no keyring, so the file)" : ""
            line("store", "\(choice.rawValue) -> \(selection?.store.source.description ?? "?")\(why)")
        } catch {
            line("store", error.message, ok: false)
            problems.append(error.exitCode)
        }

        let transport = options.offline ? nil : try? context.makeTransport()
        for name in config.profiles.keys.sorted() {
            guard let profileConfig = config.profiles[name] else { continue }
            let environments = (profileConfig.environments ?? [:]).keys.sorted()
            for environment in environments.isEmpty ? [nil] : environments.map(Optional.some) {
                let label = environment.map { "\(name) -e \($0)" } ?? name
                do {
                    let profile = try ResolvedProfile.resolve(name: name, config: profileConfig, requestedEnvironment: environment,
                                                              configPath: location.configFile)
                    var parts: [String] = []
                    var ok = true
                    let planned = PlannedCredential.plan(profile: profile, environment: context.environment)
                    if case .environment(let credential) = planned {
                        parts.append("credential from \(credential.source)")
                    } else if case .command(let source) = planned {
                        parts.append("credential from \(source) (not run)")
                    } else if case .ci(let source) = planned {
                        parts.append("credential from \(source) (not exchanged)")
                    } else if let store = selection?.store {
                        let key = CredentialKey(profile: name, environment: profile.environment)
                        if selection?.fallbackReason != nil, KeyringLedger(dataDirectory: location.dataDirectory).contains(key) {
                            parts.append("credential in the Secret Service keyring, which cannot be reached")
                            ok = false
                            problems.append(.credentialStore)
                        } else if let fileStore = store as? EncryptedFileStore, fileStore.exists, !passphraseSet {
                            parts.append("credential not checked: the file needs its passphrase")
                            ok = false
                            problems.append(.credentialStore)
                        } else {
                            do {
                                if try store.loadLatest(key) != nil {
                                    parts.append("credential in the \(store.source)")
                                } else {
                                    parts.append("no credential (run 'apictl login -p \(name)')")
                                    ok = false
                                    problems.append(.authentication)
                                }
                            } catch {
                                parts.append(error.message)
                                ok = false
                                problems.append(error.exitCode)
                            }
                        }
                    }
                    if let transport {
                        let reach = connectivity(profile, transport: transport, caCert: context.globals.caCert ?? profile.caCert)
                        parts.append(reach.text)
                        if !reach.ok { ok = false; problems.append(.network) }
                    }
                    line(label, parts.joined(separator: "; "), ok: ok)
                } catch {
                    line(label, error.message, ok: false)
                    problems.append(error.exitCode)
                }
            }
        }
        return problems.first?.rawValue ?? 0
    }

    static func connectivity(_ profile: ResolvedProfile, transport: Transport, caCert: String?) -> (ok: Bool, text: String) {
        let started = Date()
        let request = HTTPRequest(method: "HEAD", url: profile.baseURL, timeout: 5, caCertPath: caCert)
        do {
            let head = try transport.send(request, to: BufferingConsumer())
            let ms = (Date().timeIntervalSince(started) * 1000).saturatingInt
            return (true, "\(profile.base.origin) answers (HTTP \(head.status), \(ms) ms)")
        } catch {
            return (false, APICtlError.network(error, url: profile.baseURL).message)
        }
    }
}
