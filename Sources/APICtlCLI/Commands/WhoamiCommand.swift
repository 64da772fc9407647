import APICtlCore
import FoundationEssentials

/// `apictl whoami`: asks the API who the credential belongs to, and says where
/// the credential came from, its scopes, its expiry and the last rate-limit figures.
enum WhoamiCommand {
    static let spec = CommandSpec(
        name: "whoami",
        summary: "Show who the credential belongs to, its scopes, expiry and source",
        options: Options.self,
        examples: ["apictl whoami -p dzdesk", "apictl whoami --json | jq -r .identity.email"],
        run: run
    )

    struct Options: CommandOptions {
        let json: Bool
        init(_ declare: OptionBinding) { json = declare.flag("json", nil, help: "Print JSON") }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (session, profile) = try context.openProfileSession()
        guard let path = profile.whoamiPath else {
            throw APICtlError.config("profile '\(profile.name)' has no whoami path",
                                     hint: "set one with 'apictl profile set \(profile.name) --whoami /me'")
        }
        if session.credential == nil, profile.certificateIsTheIdentity {
            return try certificateOnly(options, context, session: session, profile: profile, path: path)
        }
        guard let credential = session.credential else {
            throw APICtlError.auth("no credential for profile '\(profile.name)'",
                                   hint: "run 'apictl login \(profile.selectionFlags)' or set APICTL_TOKEN\(profile.tokenEnv.map { " or \($0)" } ?? "")")
        }
        let request = try RequestBuilder.build(RequestDescription(method: "GET", target: path), profile: profile,
                                               input: .files(readStandardInput: context.readStandardInput))
        let response = try session.client.fetch(request)
        guard response.head.isSuccess else {
            throw HTTPFailure.error(for: response, context: session.failureContext)
        }
        let now = context.now()
        let identity = Identity.from(response.body, profile: profile)
        let claims = JWT.decode(credential.credential.token)
        // The expiry apictl renews by: from expires_in when the server sent one, not the JWT's own exp.
        let expiry = credential.credential.expiresAt ?? claims?.expiresAt
        // A server that answers with the key itself as the name does not get it printed or kept.
        let who = whoLine(identity, body: response.body, credential: credential, claims: claims, profile: profile)
            .map { session.client.redactor.text($0) }
        // Read (and checked) for the request just made: kept for the run, so this reads nothing again.
        let certificate = try context.connectionSecrets.certificate(for: profile)
        let report = Report(profile: profile, credential: credential, identity: identity, who: who, certificate: certificate,
                            scopes: identity.map(\.scopes).flatMap { $0.isEmpty ? nil : $0 } ?? claims?.scopes ?? credential.credential.scopes ?? [],
                            expiry: expiry, limits: RateLimitStatus.parse(response.headers, now: now), body: response.body, now: now)
        for warning in advice(credential, expiry: expiry, profile: profile, now: now) { context.warn(warning) }
        if let certificate, let warning = ClientCertificateReport.expiryWarning(certificate, profile: profile, now: now) {
            context.warn(warning)
        }
        if credential.source.isStoredLogin, let shown = identity?.shownName {
            context.rememberAccount(profile.credentialKey, identity: session.client.redactor.text(shown))
        }
        // whoami shows the server's answer: one that quotes the key back does not get it printed.
        context.stdout.write(session.client.redactor.text(options.json ? json(report) : text(report)))
        return 0
    }

    /// A profile whose client certificate alone identifies the caller (mutual TLS, no key or token).
    static func certificateOnly(_ options: Options, _ context: CommandContext, session: CredentialSession,
                                profile: ResolvedProfile, path: String) throws(APICtlError) -> Int32 {
        let request = try RequestBuilder.build(RequestDescription(method: "GET", target: path), profile: profile,
                                               input: .files(readStandardInput: context.readStandardInput))
        let response = try session.client.fetch(request)
        guard response.head.isSuccess else { throw HTTPFailure.error(for: response, context: session.failureContext) }
        let certificate = try context.connectionSecrets.certificate(for: profile)
        let now = context.now()
        if let certificate, let warning = ClientCertificateReport.expiryWarning(certificate, profile: profile, now: now) { context.warn(warning) }
        let who = Identity.from(response.body, profile: profile)?.shownName
        if options.json {
            var out: [String: JSONValue] = ["profile": .string(profile.name), "base_url": .string(profile.baseURL),
                                            "credential_source": .string("none: the client certificate"), "source": .string("none"),
                                            "who": JSONValue(who), "client_certificate": certificate.map(ClientCertificateReport.json) ?? .null]
            if let body = JSONValue(parsing: response.body) { out["response"] = body }
            context.stdout.write(JSONOutput.render(.object(out)))
            return 0
        }
        var lines = profile.choiceLines.map { ($0.label, $0.value) } + [("base URL", profile.baseURL)]
        if let who { lines.append(("identity", who)) }
        lines.append(("credential", "none: the client certificate identifies you"))
        if let certificate { lines.append(("client cert", ClientCertificateReport.summary(certificate, now: now))) }
        context.stdout.write(aligned(lines))
        return 0
    }

    /// What whoami found, for either of its two forms.
    struct Report {
        let profile: ResolvedProfile
        let credential: ResolvedCredential
        let identity: Identity?
        let who: String?
        let certificate: ClientCertificate?
        let scopes: [String]
        let expiry: Date?
        let limits: RateLimitStatus
        let body: [UInt8]
        let now: Date
    }

    static func json(_ report: Report) -> String {
        let source = report.credential.source
        var out: [String: JSONValue] = ["profile": .string(report.profile.name), "base_url": .string(report.profile.baseURL),
                                        "credential_source": .string(source.description), "scopes": JSONValue(report.scopes),
                                        "source": .string(source.name)]
        if let env = report.profile.environment { out["environment"] = .string(env) }
        out["account"] = .string(report.profile.account)
        let choice = report.profile.choice
        out["chosen_by"] = .object(["profile": .string(choice.profile.auditName), "environment": .string(choice.environment.auditName),
                                    "account": .string(choice.account.auditName)])
        if let body = JSONValue(parsing: report.body) { out["response"] = body }
        if let identity = report.identity {
            out["identity"] = .object(["id": JSONValue(identity.id), "name": JSONValue(identity.name),
                                       "email": JSONValue(identity.email), "role": JSONValue(identity.role)])
        }
        out["expires_at"] = JSONValue(report.expiry.map(Timestamp.iso8601))
        out["expires_in"] = JSONValue(report.expiry.map { $0.timeIntervalSince(report.now).rounded(.down).saturatingInt })
        out["key_id"] = JSONValue(report.credential.credential.tokenID)
        out["who"] = JSONValue(report.who)
        out["client_certificate"] = report.certificate.map(ClientCertificateReport.json) ?? .null
        out["certificate_binding"] = JSONValue(report.credential.credential.boundCertificate)
        if !report.limits.isEmpty {
            out["rate_limit"] = .object(["limit": JSONValue(report.limits.limit), "remaining": JSONValue(report.limits.remaining),
                                         "reset_at": JSONValue(report.limits.resetAt.map(Timestamp.iso8601))])
        }
        return JSONOutput.render(.object(out))
    }

    static func text(_ report: Report) -> String {
        var lines: [(String, String)] = []
        lines += report.profile.choiceLines.map { ($0.label, $0.value) }
        lines.append(("base URL", report.profile.baseURL))
        if let who = report.who { lines.append(("identity", who)) }
        lines.append(("credential", report.credential.source.description))
        if let certificate = report.certificate {
            lines.append(("client cert", ClientCertificateReport.summary(certificate, now: report.now)))
        }
        if let binding = ClientCertificateReport.binding(report.credential.credential, certificate: report.certificate) {
            lines.append(("bound to", binding))
        }
        lines.append(("scopes", report.scopes.isEmpty ? "(not reported)" : report.scopes.joined(separator: " ")))
        if let expiry = report.expiry {
            let delta = expiry.timeIntervalSince(report.now)
            let when = delta >= 0 ? "in \(humanDuration(delta))" : "expired \(humanDuration(delta)) ago"
            lines.append(("expires", "\(Timestamp.iso8601(expiry)) (\(when))"))
        } else {
            lines.append(("expires", "not known"))
        }
        let limits = report.limits
        if !limits.isEmpty {
            var text = "\(limits.remaining.map(String.init) ?? "?")/\(limits.limit.map(String.init) ?? "?") remaining"
            if let reset = limits.resetAt { text += ", resets in \(humanDuration(reset.timeIntervalSince(report.now)))" }
            lines.append(("rate limit", text))
        }
        return aligned(lines)
    }

    /// "label:  value" lines, the values in one column. Values are the server's words and the
    /// user's names: escaped, so none can repaint the terminal.
    static func aligned(_ lines: [(String, String)]) -> String {
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        return lines.map { key, value in key + ":" + String(repeating: " ", count: width - key.count) + TerminalText.escapingControls(value) + "\n" }
            .joined()
    }

    /// The name `login` gave (`Identity.shownName`), with what else the answer says of the
    /// caller; for a client-credentials token, the client it belongs to.
    static func whoLine(_ identity: Identity?, body: [UInt8], credential: ResolvedCredential, claims: JWTClaims?,
                        profile: ResolvedProfile) -> String? {
        if let chosen = identity?.chosen { return chosen }
        if let identity, let primary = identity.shownName {
            var who = primary
            if let name = identity.name, name != primary { who += " (\(name))" }
            if let email = identity.email, email != primary { who += " <\(email)>" }
            if let id = identity.id, id != primary { who += ", id \(id)" }
            if let role = identity.role { who += ", role \(role)" }
            return who
        }
        if credential.credential.grant == "client_credentials", let client = profile.oauth?.clientID {
            return "client \(client) (client credentials)"
        }
        return claims?.subject.map { $0 + " (from the JWT)" }
    }

    /// What to tell the user about the key's age and expiry, with a command that works for
    /// this profile: none for credentials that renew themselves; rotation only with a [tokens] table.
    static func advice(_ credential: ResolvedCredential, expiry: Date?, profile: ResolvedProfile, now: Date) -> [String] {
        // OAuth 2.0, token pairs and CI-exchanged tokens renew themselves, and a token command's
        // lives in a vault: only a key apictl holds needs a person to replace it.
        if CredentialRefresher.renews(credential.credential) || ["ci", "command"].contains(credential.source.name) { return [] }
        let replace = profile.tokens?.create != nil ? "rotate it with 'apictl token rotate -p \(profile.name)'"
            : credential.source.name == "environment" ? "replace the key in \(credential.source)"
            : "log in with a new key: 'apictl login \(profile.selectionFlags)'"
        var out: [String] = []
        if let expiry {
            let left = expiry.timeIntervalSince(now)
            // Within 7 days, as token list flags it 'expiring': a key a person must replace.
            if left <= 0 {
                out.append("this key expired \(humanDuration(left)) ago; \(replace)")
            } else if left < KeyAge.expiringWithin {
                out.append("this key expires in \(humanDuration(left)); \(replace)")
            }
        }
        if profile.tokens?.create != nil, let created = credential.credential.createdAt,
           now.timeIntervalSince(created) > KeyAge.rotateAfter(profile) {
            out.append("this key is older than \(humanDuration(KeyAge.rotateAfter(profile))); \(replace)")
        }
        return out
    }
}
