import APICtlCore

/// `apictl login --proxy`: stores the user and password a proxy asks for (407), as a key is
/// stored. They go to the proxy only (Proxy-Authorization on the CONNECT), and only once it asks.
enum ProxyLogin {
    struct Options {
        let proxy: Bool
        let user: String?

        init(_ declare: OptionBinding) {
            proxy = declare.flag("proxy", nil, help: "Store the user and password the profile's proxy asks for (407)")
            user = declare.value("proxy-user", nil, "USER", help: "With --proxy: the proxy user (else asked on the terminal)")
        }
    }

    static func run(_ options: Options, _ context: CommandContext, config: ConfigFile, profile: ResolvedProfile,
                    verify: Bool) throws(APICtlError) -> Int32 {
        guard let proxy = try ProxySettings(environment: context.environment).taking(profile).checkedProxy(for: profile.base) else {
            throw .config("profile '\(profile.name)' goes to \(profile.base.origin) without a proxy, so there is none to log in to",
                          hint: "set one with 'apictl profile set \(profile.name) --proxy http://HOST:PORT', or https_proxy")
        }
        let shownProxy = APIClient.withoutUserInfo(proxy)
        guard let user = options.user ?? TerminalInput.readLine(prompt: "User for the proxy \(shownProxy): ") else {
            throw .usage("no proxy user was given and there is no terminal to ask on", hint: "pass --proxy-user USER")
        }
        guard !user.isEmpty, user.utf8.count <= 256, !user.contains(":"),
              !user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .usage("the proxy user must be a name without ':' or control characters")
        }
        let password = try readPassword(context, proxy: shownProxy)
        let login = ProxyCredential(user: user, password: password)
        if verify { try check(login, proxy: proxy, profile: profile, context) }
        let selection = try context.openStore(config: config)
        let ownProxy = profile.environment.flatMap { config.profiles[profile.name]?.environments?[$0]?.connection.proxy } != nil
        let key = (ownProxy ? profile.credentialKey : ConnectionSecrets.sharedKey(profile)).proxyLogin
        var record = Credential(token: password, kind: "proxy", createdAt: context.now())
        record.name = user
        record.origin = ConnectionSecrets.proxyIdentity(proxy)   // given to this proxy only
        try selection.store.save(record, for: key)
        context.stderr.write("stored the login of \(TerminalText.escapingControls(user)) for the proxy \(shownProxy) of \(key.profile) "
                             + "in the \(selection.store.source); it is sent to the proxy only, once it asks\n")
        return 0
    }

    private static func readPassword(_ context: CommandContext, proxy: String) throws(APICtlError) -> String {
        var password: String
        if !context.stdinIsTerminal {
            let bytes = context.readStandardInput()
            guard bytes.count <= 4096, let text = String(validating: bytes, as: UTF8.self) else {
                throw .usage("the proxy password on stdin is not UTF-8 text of at most 4 KiB")
            }
            password = text
            while password.last?.isNewline == true { password.removeLast() }
        } else {
            guard let typed = TerminalInput.readSecret(prompt: "Password for the proxy \(proxy): ") else {
                throw .usage("no proxy password was given")
            }
            password = typed
        }
        // A control character would be cut or mangled on its way into Proxy-Authorization.
        guard !password.isEmpty, !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .usage("give the proxy password as one line of text, without control characters")
        }
        return password
    }

    /// A HEAD to the profile's base URL through the proxy with the login: refused by the proxy (407), nothing is stored.
    private static func check(_ login: ProxyCredential, proxy: String, profile: ResolvedProfile,
                              _ context: CommandContext) throws(APICtlError) {
        var request = HTTPRequest(method: "HEAD", url: profile.baseURL, timeout: 15, caCertPath: context.globals.caCert ?? profile.caCert)
        request.proxy = proxy
        request.proxyCredential = login
        let transport = try context.openTransport()
        let shown = APIClient.withoutUserInfo(proxy)
        do throws(TransportError) {
            let head = try transport.send(request, to: BufferingConsumer())
            if head.status == 407 { throw TransportError.proxyAuthentication("\(shown) answered 407") }
        } catch .proxyAuthentication {
            throw .auth("the proxy \(shown) refused this user and password; nothing was stored")
        } catch .tls, .certificateRefused {
            return   // the tunnel was made: the proxy took the login; what lies behind it is another matter
        } catch {
            var failure = APICtlError.network(error, url: profile.baseURL)
            failure.message = "the login could not be tried on the proxy \(shown): \(failure.message); nothing was stored"
            failure.hint = "check the proxy, or store it untried with --no-verify"
            throw failure
        }
    }
}
