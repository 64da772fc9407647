import APICtlCore
import FoundationEssentials

/// `-v` output, curl-style: `>` for what was sent, `<` for what came back.
enum VerboseLog {
    static func lines(for event: WireEvent) -> String {
        switch event {
        case .request(let method, let url, let headers, let bodyBytes, let proxy):
            var out = proxy.map { "* via proxy \($0)\n" } ?? ""
            out += "> \(method) \(url)\n"
            for (name, value) in headers { out += "> \(name): \(value)\n" }
            if let bodyBytes, bodyBytes > 0 { out += "> (body: \(bodyBytes) bytes)\n" }
            if bodyBytes == nil { out += "> (body: streamed from a pipe)\n" }
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
            return "* following redirect to \(to)"
                + (dropped ? " (another origin: credentials dropped: Authorization, the key header, cookies, the key query parameter)" : "") + "\n"
        }
    }
}
