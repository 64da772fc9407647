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

    /// The proxy URL for a request to `target`, or nil to go direct.
    public func proxy(for target: URLParts) -> String? {
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
}
