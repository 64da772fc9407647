import APICtlCore
import FoundationEssentials

/// `apictl whoami`: asks the API who the credential belongs to, and says where
/// the credential came from, its scopes, its expiry and the last rate-limit figures.
enum WhoamiCommand {
    static let spec = CommandSpec(
        name: "whoami",
        summary: "Show who the credential belongs to, its scopes, expiry and source",
        options: [.flag("json", nil, help: "Print JSON")],
        examples: ["apictl whoami -p dzdesk", "apictl whoami --json | jq -r .identity.email"],
        run: run
    )

    static func run(_ parsed: ParsedCommand, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (session, profile) = try context.openProfileSession()
        guard let path = profile.whoamiPath else {
            throw APICtlError.config("profile '\(profile.name)' has no whoami path",
                                     hint: "set one with 'apictl profile add \(profile.name) --force --whoami /me' (plus its other options)")
        }
        guard let credential = session.credential else {
            throw APICtlError.auth("no credential for profile '\(profile.name)'",
                                   hint: "run 'apictl login -p \(profile.name)' or set APICTL_TOKEN\(profile.tokenEnv.map { " or \($0)" } ?? "")")
        }
        let request = try RequestBuilder.build(RequestDescription(method: "GET", target: path), profile: profile,
                                               input: .files(readStandardInput: context.readStandardInput))
        let response = try session.client.fetch(request)
        guard response.head.isSuccess else {
            throw HTTPFailure.error(for: response, context: session.failureContext)
        }
        let now = context.now()
        let identity = Identity.from(response.body)
        let claims = JWT.decode(credential.credential.token)
        let scopes = identity.map(\.scopes).flatMap { $0.isEmpty ? nil : $0 } ?? claims?.scopes ?? credential.credential.scopes ?? []
        let expiry = claims?.expiresAt ?? credential.credential.expiresAt
        let limits = RateLimitStatus.parse(response.headers, now: now)
        let flags = KeyAge.flags(createdAt: credential.credential.createdAt, expiresAt: expiry, profile: profile, now: now)
        if flags.contains("rotate") {
            context.warn("this key is older than \(humanDuration(KeyAge.rotateAfter(profile))); rotate it with 'apictl token rotate -p \(profile.name)'")
        }
        // OAuth 2.0 and CI-exchanged tokens renew themselves, and a token command's
        // lives in a vault: only a key apictl holds needs a person to replace it.
        let renewsItself = credential.credential.kind == "oauth2" || ["ci", "command"].contains(credential.source.name)
        if flags.contains("expiring"), let expiry, expiry > now, !renewsItself {
            context.warn("this key expires in \(humanDuration(expiry.timeIntervalSince(now))); replace it with 'apictl token rotate -p \(profile.name)'")
        }

        if parsed.flag("json") {
            var out: [String: JSONValue] = ["profile": .string(profile.name), "base_url": .string(profile.baseURL),
                                            "credential_source": .string(credential.source.description), "scopes": JSONValue(scopes),
                                            "source": .string(credential.source.name)]
            if let env = profile.environment { out["environment"] = .string(env) }
            if let body = JSONValue(parsing: response.body) { out["response"] = body }
            if let identity {
                out["identity"] = .object(["id": JSONValue(identity.id), "name": JSONValue(identity.name),
                                           "email": JSONValue(identity.email), "role": JSONValue(identity.role)])
            }
            out["expires_at"] = JSONValue(expiry.map(Timestamp.iso8601))
            out["expires_in"] = JSONValue(expiry.map { $0.timeIntervalSince(now).rounded(.down).saturatingInt })
            out["key_id"] = JSONValue(credential.credential.tokenID)
            if !limits.isEmpty {
                out["rate_limit"] = .object(["limit": JSONValue(limits.limit), "remaining": JSONValue(limits.remaining),
                                             "reset_at": JSONValue(limits.resetAt.map(Timestamp.iso8601))])
            }
            context.stdout.write(JSONOutput.render(.object(out)))
            return 0
        }
        var lines: [(String, String)] = []
        lines.append(("profile", profile.name + (profile.environment.map { " (environment \($0))" } ?? "")))
        lines.append(("base URL", profile.baseURL))
        if let identity {
            var who = identity.id ?? identity.name ?? "?"
            if let name = identity.name, identity.id != nil { who += " (\(name))" }
            if let email = identity.email { who += " <\(email)>" }
            if let role = identity.role { who += ", role \(role)" }
            lines.append(("identity", who))
        } else if let subject = claims?.subject {
            lines.append(("identity", subject + " (from the JWT)"))
        }
        lines.append(("credential", credential.source.description))
        lines.append(("scopes", scopes.isEmpty ? "(not reported)" : scopes.joined(separator: " ")))
        if let expiry {
            let delta = expiry.timeIntervalSince(now)
            let when = delta >= 0 ? "in \(humanDuration(delta))" : "EXPIRED \(humanDuration(delta)) ago"
            lines.append(("expires", "\(Timestamp.iso8601(expiry)) (\(when))"))
        } else {
            lines.append(("expires", "not known"))
        }
        if !limits.isEmpty {
            var text = "\(limits.remaining.map(String.init) ?? "?")/\(limits.limit.map(String.init) ?? "?") remaining"
            if let reset = limits.resetAt { text += ", resets in \(humanDuration(reset.timeIntervalSince(now)))" }
            lines.append(("rate limit", text))
        }
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        for (key, value) in lines {
            context.stdout.write(key + ":" + String(repeating: " ", count: width - key.count) + value + "\n")
        }
        return 0
    }
}
