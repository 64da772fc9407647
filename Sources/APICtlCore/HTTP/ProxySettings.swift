/// The proxy a request goes through, decided by apictl from the variables libcurl
/// reads (`http_proxy`, `https_proxy`/`HTTPS_PROXY`, `all_proxy`/`ALL_PROXY`,
/// `no_proxy`/`NO_PROXY`) and then handed to libcurl explicitly, so the proxy that
/// `-v` names and the credential rules check is the one the request really takes.
/// As in curl, only the lower-case `http_proxy` counts (a CGI server sets
/// `HTTP_PROXY` from a request header).
public struct ProxySettings: Sendable, Equatable {
    public var http: String?
    public var https: String?
    public var all: String?
    /// Host names and suffixes that go direct; "*" means every host.
    public var noProxy: [String]
    /// The profile's own `proxy`, over the variables for every request of the run; "" goes direct.
    public var profileProxy: String?

    public static let none = ProxySettings(http: nil, https: nil, all: nil, noProxy: [])

    public init(http: String?, https: String?, all: String?, noProxy: [String]) {
        self.http = http
        self.https = https
        self.all = all
        self.noProxy = noProxy
    }

    public init(environment: [String: String]) {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.trimmingWhitespace().isEmpty }?.trimmingWhitespace()
        }
        self.init(http: value("http_proxy"), https: value("https_proxy", "HTTPS_PROXY"), all: value("all_proxy", "ALL_PROXY"),
                  noProxy: (value("no_proxy", "NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingSpaces() }
                      .filter { !$0.isEmpty })
    }

    /// The proxy URL for a request to `target`, or nil to go direct: the profile's own, else the
    /// variables'; `no_proxy` names hosts that go direct either way.
    public func proxy(for target: URLParts) -> String? {
        let configured = profileProxy.map { $0.isEmpty ? nil : $0 } ?? ((target.scheme == "https" ? https : http) ?? all)
        guard let chosen = configured else { return nil }
        for entry in noProxy {
            if entry == "*" { return nil }
            var suffix = entry.lowercased()
            if suffix.hasPrefix(".") { suffix.removeFirst() }
            // An entry may name a port-less host, a bracketed IPv6 literal or a bare one.
            let host = target.host.hasPrefix("[") ? String(target.host.dropFirst().dropLast()) : target.host
            if host == suffix || host.hasSuffix("." + suffix) || target.host == suffix { return nil }
        }
        return chosen.containsText("://") ? chosen : "http://" + chosen
    }

    /// These settings with `profile`'s own `proxy` (or its environment's) over the variables.
    public func taking(_ profile: ResolvedProfile?) -> ProxySettings {
        var settings = self
        if let own = profile?.connection.proxy { settings.profileProxy = own }
        return settings
    }

    /// `proxy(for:)`, refused (exit 3) when libcurl could not use it as written: it would go direct,
    /// or elsewhere, without a word.
    public func checkedProxy(for target: URLParts) throws(APICtlError) -> String? {
        guard let chosen = proxy(for: target) else { return nil }
        if let problem = Self.problem(chosen) {
            throw APICtlError.config("the proxy '\(APIClient.withoutUserInfo(chosen))' cannot be used: \(problem)",
                                     hint: "fix the profile's proxy or the https_proxy/http_proxy/all_proxy variable")
        }
        return chosen
    }

    /// A proxy as libcurl takes it: a scheme-less one is http://; nil for one it could not use as written.
    public static func url(_ text: String) -> String? { problem(text) == nil ? (text.containsText("://") ? text : "http://" + text) : nil }

    public static let schemes = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]

    /// Why `text` is no proxy URL libcurl would use as written (it would otherwise go direct, or
    /// elsewhere, without a word); nil when it is one.
    public static func problem(_ text: String) -> String? {
        let full = text.containsText("://") ? text : "http://" + text
        guard let schemeEnd = full.firstRange(ofText: "://") else { return "it is empty" }
        let scheme = full[..<schemeEnd.lowerBound].lowercased()
        guard schemes.contains(scheme) else { return "its scheme is not one of \(schemes.joined(separator: ", "))" }
        // Control characters, spaces and percent-encoded ones (%00-%1F, %7F, C1) in any part make libcurl drop the proxy.
        let decoded = PercentEncoding.decode(full) ?? full
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == " " }) else {
            return "it holds a space or a control character"
        }
        let rest = full[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard hostAndPort(String(authority)) != nil else {
            return "its host is not a name or an address, or its port is not one of 1-65535"
        }
        return nil
    }

    /// The host and the explicit port (nil: libcurl's default) of a proxy's `user:password@host:port`;
    /// nil for anything libcurl would refuse or read otherwise (an empty port, a second colon, a non-ASCII name).
    static func hostAndPort(_ authority: String) -> (host: String, port: Int?)? {
        let hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? authority
        var host = hostPort
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = String(hostPort[...close])
            let inside = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), inside.contains(":") else { return nil }
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.firstIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        }
        guard !host.isEmpty, host.hasPrefix("[") || host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
            return nil
        }
        guard let portText else { return (host.lowercased(), nil) }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65535).contains(port) else {
            return nil
        }
        return (host.lowercased(), port)
    }

    /// Whether the proxy URL carries a `user:password@` of its own.
    public static func hasUserInfo(_ proxy: String) -> Bool { APIClient.withoutUserInfo(proxy) != proxy }
}

/// What a proxy that answers 407 is given, from the store (`apictl login --proxy`).
public struct ProxyCredential: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}
