import APICtlCore
import FoundationEssentials

/// What an API-calling command needs, assembled once from the context: the
/// config, the selected profile, the credential and a client wired for `-v`.
struct Session {
    let config: ConfigFile
    let profile: ResolvedProfile?
    let credential: ResolvedCredential?
    let client: APIClient
    let context: CommandContext

    static func open(_ context: CommandContext, profileRequired: Bool) throws(APICtlError) -> Session {
        let (config, profile) = try context.selectProfile(required: profileRequired)
        let credential = try CredentialResolver.resolve(profile: profile, environment: context.environment) { () throws(APICtlError) in
            try context.openStore(config: config)
        }
        let client = APIClient(transport: try context.openTransport(), profile: profile, credential: credential)
        let stderr = context.stderr
        if context.globals.verbose {
            client.observer = { event in stderr.write(VerboseLog.lines(for: event)) }
        }
        client.onRetry = { notice in stderr.write(RetryOptions.describe(notice)) }
        client.now = context.now
        return Session(config: config, profile: profile, credential: credential, client: client, context: context)
    }

    var failureContext: FailureContext {
        FailureContext(profile: profile, credential: credential, now: context.now())
    }
}

/// `-v` output, curl-style: `>` for what was sent, `<` for what came back.
enum VerboseLog {
    static func lines(for event: WireEvent) -> String {
        switch event {
        case .request(let method, let url, let headers, let bodyBytes):
            var out = "> \(method) \(url)\n"
            for (name, value) in headers { out += "> \(name): \(value)\n" }
            if bodyBytes > 0 { out += "> (body: \(bodyBytes) bytes)\n" }
            return out + ">\n"
        case .response(let head, let headers):
            var out = "< \(head.httpVersion) \(head.status)\(head.reason.isEmpty ? "" : " " + head.reason)\n"
            for (name, value) in headers { out += "< \(name): \(value)\n" }
            out += "<\n"
            let limits = RateLimitStatus.parse(head.headers, now: Date())
            if let remaining = limits.remaining {
                out += "* rate limit: \(remaining)/\(limits.limit.map(String.init) ?? "?") remaining"
                if let reset = limits.resetAt { out += ", resets in \(humanDuration(reset.timeIntervalSinceNow))" }
                out += "\n"
            }
            return out
        case .redirect(_, let to, let dropped):
            return "* following redirect to \(to)\(dropped ? " (another origin: credentials dropped)" : "")\n"
        }
    }
}
