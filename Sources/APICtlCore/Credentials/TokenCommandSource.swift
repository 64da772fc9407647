import FoundationEssentials

/// A profile's `token_command`: a password manager or vault CLI (`op read`,
/// `pass show`, `vault kv get`) asked for the token. Its answer is plain text
/// (the first line), JSON `{"token"|"access_token", "expires_at"|"expires_in"}`,
/// or a Kubernetes ExecCredential. An answer that says when it expires is kept
/// in the kernel keyring until 60 s before then, and a plain one for
/// `token_command_cache`, so later processes skip the command.
public enum TokenCommandSource {
    /// Kept answers are dropped this long before they expire.
    static let margin: TimeInterval = 60

    /// `environment`: what the command may inherit (no secret of apictl's).
    public static func resolve(profile: ResolvedProfile, environment: ChildEnvironment, now: Date,
                               useKept: Bool = true, keeper: any SecretKeeping = KernelKeyring(),
                               runner: any ProcessRunning = ProcessRunner()) throws(APICtlError) -> ResolvedCredential? {
        guard let argv = profile.tokenCommand else { return nil }
        let source = Self.source(argv)
        let kept = keptAnswer(profile, in: keeper)
        let binding = Self.binding(argv, profile: profile)
        if useKept, let record = kept.readRecord(boundTo: binding) {
            if record.expiresAt.map({ $0.timeIntervalSince(now) > margin }) ?? true {
                return ResolvedCredential(credential: record, source: source)
            }
        }
        var childEnvironment = environment
        childEnvironment.set("APICTL_PROFILE", profile.name)
        childEnvironment.set("APICTL_ENV", profile.environment ?? "")
        let outcome: ProcessRunner.Outcome
        do { outcome = try runner.run(argv, environment: childEnvironment, timeout: profile.tokenCommandTimeout) } catch {
            guard case .cannotStart(let reason) = error else { throw failure(argv, "could not be started") }
            throw failure(argv, "could not be started: \(reason)")
        }
        let lastLine = String(decoding: outcome.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init)
        if outcome.timedOut {
            throw failure(argv, "did not answer within \(humanDuration(profile.tokenCommandTimeout))")
        }
        guard outcome.status == 0 else {
            throw failure(argv, "failed (exit \(outcome.status))" + (lastLine.map { ": \(HTTPFailure.oneLine($0))" } ?? ""))
        }
        let credential = try read(outcome.stdout, argv: argv, now: now)
        if let expiry = credential.expiresAt {
            kept.writeRecord(credential, boundTo: binding, lifetime: expiry.timeIntervalSince(now) - margin)
        } else if profile.tokenCommandCache > 0 {
            kept.writeRecord(credential, boundTo: binding, lifetime: profile.tokenCommandCache)
        }
        return ResolvedCredential(credential: credential, source: source)
    }

    /// A kept answer serves only the command that printed it, for the origin it was asked for:
    /// another config whose profile of the same name runs another command runs its own.
    static func binding(_ argv: [String], profile: ResolvedProfile) -> String {
        argv.map(JSONValue.quoted).joined(separator: " ") + " for " + profile.credentialOrigin
    }

    /// The kept answer of a profile's command, for a 401 and `credentials lock`.
    public static func keptAnswer(_ profile: ResolvedProfile, in keeper: any SecretKeeping = KernelKeyring()) -> KernelKey {
        keptAnswer(profile: profile.name, environment: profile.environment, in: keeper)
    }

    public static func keptAnswer(profile: String, environment: String?,
                                  in keeper: any SecretKeeping = KernelKeyring()) -> KernelKey {
        // The command is the profile's, whatever account is chosen: accounts are stored logins.
        ProfileStateFiles.kernelKey("token-command", key: CredentialKey(profile: profile, environment: environment), in: keeper)
    }

    static func read(_ output: [UInt8], argv: [String], now: Date) throws(APICtlError) -> Credential {
        let text = String(decoding: output, as: UTF8.self).trimmingWhitespace()
        guard !text.isEmpty else { throw failure(argv, "printed nothing") }
        guard text.hasPrefix("{") else {
            // Lines end at LF (or CR LF): a U+2028 inside the key is the key's, and refused as such, not an end of line.
            let first = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map { String($0).trimmingWhitespace() } ?? ""
            return Credential(token: first, kind: JWT.decode(first) != nil ? "jwt" : "api_key")
        }
        guard let object = JSONValue(parsing: Array(text.utf8))?.objectValue else { throw failure(argv, "printed JSON that does not parse") }
        let fields: [String: JSONValue]
        let expiryText: String?
        if object["kind"]?.stringValue == "ExecCredential" {
            guard let status = object["status"]?.objectValue else { throw failure(argv, "printed an ExecCredential without a token") }
            fields = status
            expiryText = status["expirationTimestamp"]?.stringValue
        } else {
            fields = object
            expiryText = object["expires_at"]?.stringValue
        }
        guard let token = (fields["token"] ?? fields["access_token"])?.stringValue, !token.isEmpty else {
            throw failure(argv, object["kind"] != nil ? "printed an ExecCredential without a token" : "printed JSON without a token")
        }
        var expiry: Date?
        if let expiryText {
            guard let date = Timestamp.rfc3339(expiryText) else { throw failure(argv, "gave an expiry that is not a date: '\(expiryText)'") }
            expiry = date
        } else if let seconds = fields["expires_in"].flatMap({ $0.doubleValue ?? $0.stringValue.flatMap(Double.init) }) {
            guard seconds.isFinite, seconds > 0, seconds <= DurationText.longest else {
                throw failure(argv, "gave an expires_in that is not a lifetime")
            }
            expiry = now.addingTimeInterval(seconds)
        }
        if let expiry, expiry <= now { throw failure(argv, "gave a token that has already expired") }
        return Credential(token: token, kind: JWT.decode(token) != nil ? "jwt" : "api_key", expiresAt: expiry)
    }

    /// The command's words, never its output: what whoami and doctor show.
    public static func source(_ argv: [String]) -> CredentialSource { .command(words: words(argv)) }

    static func words(_ argv: [String]) -> String {
        argv.count == 3 && argv[0] == "/bin/sh" && argv[1] == "-c" ? argv[2] : argv.joined(separator: " ")
    }

    static func failure(_ argv: [String], _ what: String) -> APICtlError {
        .store("the token command `\(words(argv))` \(what)", hint: "check it by running it yourself")
    }
}
