import FoundationEssentials

/// The few parts of an absolute http(s) URL that security decisions depend on.
/// Hand-parsed so that the rule "credentials go only to the profile's origin"
/// does not hinge on a general URL library's leniency.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path, query and fragment as written, starting with "/" (or empty).
    public var rest: String

    public struct Origin: Sendable, Equatable, CustomStringConvertible {
        public var scheme: String
        public var host: String
        public var port: Int
        public var description: String {
            let defaultPort = scheme == "https" ? 443 : 80
            return port == defaultPort ? "\(scheme)://\(host)" : "\(scheme)://\(host):\(port)"
        }
    }

    public var origin: Origin { Origin(scheme: scheme, host: host, port: port) }

    public var path: String {
        let end = rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        return String(rest[..<end])
    }

    /// Loopback hosts are the only ones plain http may carry a credential to.
    /// Real loopback only: an IPv4 literal in 127.0.0.0/8, the IPv6 literal ::1, or
    /// `localhost` and `*.localhost`, which libcurl answers itself without DNS. A DNS
    /// name that merely starts with "127." (127.attacker.example) is not loopback.
    public var isLoopback: Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "[::1]" || host == "[0:0:0:0:0:0:0:1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            (1...3).contains(octet.count) && octet.allSatisfy { ("0"..."9").contains($0) } && (Int(octet) ?? 256) <= 255
        }
    }

    /// True for "http://..." and "https://..."; a path whose query holds a URL is not absolute.
    public static func isAbsolute(_ text: String) -> Bool {
        let lower = text.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    public static func parse(_ text: String) -> URLParts? {
        guard let schemeEnd = text.firstRange(ofText: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let portText = authority[authority.index(after: colon)...]
            if !portText.isEmpty {
                guard let p = Int(portText), (1...65535).contains(p) else { return nil }
                port = p
            }
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else { return nil }
        return URLParts(scheme: scheme, host: host.lowercased(), port: port, rest: String(afterScheme[authorityEnd...]))
    }

    /// `url` without any query parameter named `name` (a key carried in the query),
    /// the rest of the query as it was.
    public static func removingQueryParameter(_ name: String, from url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let fragmentStart = url[question...].firstIndex(of: "#") ?? url.endIndex
        let query = url[url.index(after: question)..<fragmentStart]
        let kept = query.split(separator: "&", omittingEmptySubsequences: false).filter { pair in
            let key = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return (PercentEncoding.decode(key.replacingAll("+", with: " ")) ?? key) != name
        }
        let base = String(url[..<question])
        let rest = kept.isEmpty ? "" : "?" + kept.joined(separator: "&")
        return base + rest + url[fragmentStart...]
    }

    /// Resolves a redirect's Location against this URL.
    public func resolve(_ location: String) -> String? {
        if URLParts.parse(location) != nil { return location }
        let originText = "\(scheme)://\(host):\(port)"
        if location.hasPrefix("//") { return "\(scheme):\(location)" }
        if location.hasPrefix("/") { return originText + location }
        let currentPath = path
        let directory = currentPath.lastIndex(of: "/").map { String(currentPath[...$0]) } ?? "/"
        return originText + directory + location
    }
}

/// Percent-encoding for query components (RFC 3986 unreserved characters pass).
public enum PercentEncoding {
    public static func encodeQueryComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// "%2F" back to "/"; nil when an escape is malformed or the bytes are not UTF-8.
    public static func decode(_ text: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexDigitValue), let low = iterator.next().flatMap(hexDigitValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    public static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { encodeQueryComponent($0.0) + "=" + encodeQueryComponent($0.1) }.joined(separator: "&")
    }
}
