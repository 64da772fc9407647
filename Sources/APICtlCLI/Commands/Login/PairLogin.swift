import APICtlCore
import FoundationEssentials

/// `apictl login` on a profile with a `[pair]` table: a username and password (or a
/// short-lived token) bought into an access and refresh pair at the obtain endpoint,
/// verified against whoami, stored with its refresh token, and renewed by itself.
enum PairLogin {
    /// `login`'s options for a token pair.
    struct Options: CommandOptions {
        let username: String?
        let passwordStdin: Bool

        init(_ declare: OptionBinding) {
            username = declare.value("username", "u", "NAME", help: "Token pair: the user name (else asked on the terminal)")
            passwordStdin = declare.flag("password-stdin", nil, help: "Token pair: read the password from stdin")
        }
    }

    static func run(_ login: LoginCommand.Options, _ context: CommandContext, configFile: ConfigFile, profile: ResolvedProfile,
                    pair: PairConfig) throws(APICtlError) -> Int32 {
        var username: String?, password: String?, token: String?
        if pair.asksForToken {
            token = try LoginCommand.readToken(withToken: login.withToken, context, profile: profile)
        } else {
            let name: String
            if let given = login.pair.username { name = given } else { name = try askUsername(profile) }
            username = name
            password = try readPassword(fromStdin: login.pair.passwordStdin, context, username: name, profile: profile)
        }
        let http = context.makeClient(transport: try context.openTransport(), profile: nil, credential: nil)
        let client = TokenPairClient(profile: profile, pair: pair, http: http)
        var credential = try client.obtain(username: username, password: password, token: token, now: context.now())
        var who = username
        if !login.noVerify, profile.whoamiPath != nil {
            let identity = try LoginCommand.verify(credential, profile: profile, context)
            who = identity?.shownName ?? who
            if let scopes = identity?.scopes, !scopes.isEmpty { credential.scopes = scopes }
        }
        let selection = try context.openStore(config: configFile)
        let replaced = try selection.store.loadLatest(profile.credentialKey)
        var message = try LoginCommand.store(credential, who: who, noun: "token pair", profile: profile, config: configFile, context,
                                             in: selection)
        message += revokeReplaced(replaced, by: credential, client: client, pair: pair)
        // Only a pair with a refresh token renews itself; one without lives until it expires.
        if credential.refreshToken != nil && pair.refresh != nil {
            message += "; it renews itself"
        } else if let expiry = credential.expiresAt {
            message += "; it cannot renew itself and expires in \(humanDuration(expiry.timeIntervalSince(context.now())))"
        }
        context.stderr.write(message + "\n")
        return 0
    }

    /// A login over an earlier pair leaves that pair's refresh token live unless `pair.revoke` revokes it.
    static func revokeReplaced(_ replaced: Credential?, by fresh: Credential, client: TokenPairClient, pair: PairConfig) -> String {
        guard let replaced, replaced.kind == "pair", replaced.refreshToken != nil, replaced.refreshToken != fresh.refreshToken,
              pair.revoke != nil else { return "" }
        guard let status = try? client.revoke(replaced), (200..<300).contains(status) else {
            return "; revoking the replaced pair failed: its refresh token may still be active"
        }
        return "; the replaced pair was revoked"
    }

    static func askUsername(_ profile: ResolvedProfile) throws(APICtlError) -> String {
        guard let typed = TerminalInput.readLine(prompt: "Username for \(profile.name): ")?.trimmingWhitespace(), !typed.isEmpty else {
            throw .usage("no user name", hint: "pass --username NAME")
        }
        return typed
    }

    static func readPassword(fromStdin: Bool, _ context: CommandContext, username: String,
                             profile: ResolvedProfile) throws(APICtlError) -> String {
        if fromStdin {
            guard !context.stdinIsTerminal else {
                throw .usage("--password-stdin reads the password from stdin, which is a terminal", hint: "pipe it in, or leave the flag off to be asked")
            }
            let text = String(decoding: context.readStandardInput(), as: UTF8.self)
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw .usage("no password on stdin") }
            return line
        }
        guard let typed = TerminalInput.readSecret(prompt: "Password for \(username) at \(profile.name): "), !typed.isEmpty else {
            throw .usage("no terminal to ask for the password on", hint: "pipe it in with --password-stdin")
        }
        return typed
    }
}
