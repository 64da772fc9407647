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

    /// Only the profile's own `proxy` ("" goes direct).
    public init(profileProxy: String) {
        self.init(http: nil, https: nil, all: nil, noProxy: [])
        self.profileProxy = profileProxy
    }

    public init(environment: [String: String]) {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.trimmingWhitespace().isEmpty }?.trimmingWhitespace()
        }
        self.init(http: value("http_proxy"), https: value("https_proxy", "HTTPS_PROXY"), all: value("all_proxy", "ALL_PROXY"),
                  noProxy: (value("no_proxy", "NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingSpaces() }
                      .filter { !$0.isEmpty })
    }

    /// The proxy URL for a request to `target`, or nil to go direct.
    public func proxy(for target: URLParts) -> String? {
        if let profileProxy { return profileProxy.isEmpty ? nil : Self.url(profileProxy) }
        guard let chosen = (target.scheme == "https" ? https : http) ?? all else { return nil }
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

    /// A proxy as libcurl takes it: a scheme-less one is http://; nil for a scheme libcurl would not proxy with.
    public static func url(_ text: String) -> String? {
        guard let schemeEnd = text.firstRange(ofText: "://") else { return text.isEmpty ? nil : "http://" + text }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard ["http", "https", "socks4", "socks4a", "socks5", "socks5h"].contains(scheme),
              schemeEnd.upperBound < text.endIndex else { return nil }
        return text
    }
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
