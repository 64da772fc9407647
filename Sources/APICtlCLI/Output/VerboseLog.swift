import APICtlCore
import FoundationEssentials

/// `-v` output, curl-style: `>` for what was sent, `<` for what came back. A server's
/// header values and reason are its words: an ESC in them is shown, never acted on.
enum VerboseLog {
    static func lines(for event: WireEvent) -> String {
        let shown = TerminalText.escapingControls
        switch event {
        case .request(let method, let url, let headers, let bodyBytes, let proxy, let certificate):
            var out = proxy.map { "* via proxy \(shown($0))\n" } ?? ""
            if let certificate { out += "* client certificate \(shown(certificate))\n" }
            out += "> \(method) \(shown(url))\n"
            for (name, value) in headers { out += "> \(shown(name)): \(shown(value))\n" }
            if let bodyBytes, bodyBytes > 0 { out += "> (body: \(bodyBytes) bytes)\n" }
            if bodyBytes == nil { out += "> (body: streamed from a pipe)\n" }
            return out + ">\n"
        case .response(let head, let headers):
            var out = "< \(shown(head.httpVersion)) \(head.status)\(head.reason.isEmpty ? "" : " " + shown(head.reason))\n"
            for (name, value) in headers { out += "< \(shown(name)): \(shown(value))\n" }
            out += "<\n"
            let limits = RateLimitStatus.parse(head.headers, now: Date())
            if let remaining = limits.remaining {
                out += "* rate limit: \(remaining)/\(limits.limit.map(String.init) ?? "?") remaining"
                if let reset = limits.resetAt { out += ", resets in \(humanDuration(reset.timeIntervalSinceNow))" }
                out += "\n"
            }
            return out
        case .redirect(_, let to, let dropped):
            return "* following redirect to \(shown(to))"
                + (dropped ? " (another origin: credentials dropped: Authorization, the key header, cookies, the key query parameter)" : "") + "\n"
        }
    }
}
