import FoundationEssentials

/// What a response said about rate limits, whichever standard spelling it used:
/// `X-RateLimit-*` (reset as epoch seconds or as seconds from now), `Retry-After`
/// (seconds or HTTP date), the IETF draft's one `RateLimit` field and `RateLimit-Policy`,
/// or its earlier separate `RateLimit-Limit` / `-Remaining` / `-Reset` fields.
public struct RateLimitStatus: Sendable, Equatable {
    public var limit: Int?
    public var remaining: Int?
    public var resetAt: Date?
    public var retryAfter: TimeInterval?

    public var isEmpty: Bool { limit == nil && remaining == nil && resetAt == nil && retryAfter == nil }

    /// Epoch values below this are read as "seconds from now" (deltas).
    static let epochThreshold: Double = 1_000_000_000

    public static func parse(_ headers: HTTPHeaders, now: Date) -> RateLimitStatus {
        var status = RateLimitStatus()
        for prefix in ["X-RateLimit-", "RateLimit-"] where status.limit == nil && status.remaining == nil {
            status.limit = headers[prefix + "Limit"].flatMap(leadingCount)
            status.remaining = headers[prefix + "Remaining"].flatMap(leadingCount)
            status.resetAt = headers[prefix + "Reset"].flatMap { reset($0, now: now) }
        }
        if let ietf = headers["RateLimit"] {
            // draft-ietf-httpapi-ratelimit-headers: `"default";r=0;t=30` or `limit=10, remaining=0, reset=30`
            let params = parameters(ietf)
            if let r = params["r"] ?? params["remaining"], let v = count(r) { status.remaining = v }
            if let t = params["t"] ?? params["reset"], let v = Double(t), v.isFinite, v >= 0, v < 1e11 {
                status.resetAt = now.addingTimeInterval(v)
            }
            if let l = params["limit"], let v = count(l) { status.limit = v }
        }
        if status.limit == nil, let policy = headers["RateLimit-Policy"] {
            // `"default";q=100;w=60`, or the earlier drafts' `100;w=60`
            status.limit = parameters(policy)["q"].flatMap(count) ?? leadingCount(policy)
        }
        if let retry = headers["Retry-After"]?.trimmingSpaces() {
            if let seconds = Double(retry), seconds.isFinite {
                status.retryAfter = max(0, seconds)
            } else if let date = Timestamp.httpDate(retry) {
                status.retryAfter = max(0, date.timeIntervalSince(now))
            }
        }
        return status
    }

    /// A reset given as epoch seconds, or (below the threshold, as the IETF fields give it) seconds from now.
    private static func reset(_ text: String, now: Date) -> Date? {
        guard let reset = Double(text.trimmingSpaces()), reset.isFinite, reset >= 0, reset < 1e11 else { return nil }
        return reset >= epochThreshold ? Date(timeIntervalSince1970: reset) : now.addingTimeInterval(reset)
    }

    /// The count before any policy that follows it (`10, 10;w=1`).
    private static func leadingCount(_ text: String) -> Int? {
        count(String(text.prefix { $0 != "," && $0 != ";" }))
    }

    /// Seconds the server asked us to wait, if it said.
    public func waitHint(now: Date) -> TimeInterval? {
        if let retryAfter { return retryAfter }
        if let resetAt { return max(0, resetAt.timeIntervalSince(now)) }
        return nil
    }

    /// A count of requests: a whole number, never negative (a server saying -1 said nothing usable).
    private static func count(_ text: String) -> Int? {
        Int(text.trimmingSpaces()).flatMap { $0 >= 0 ? $0 : nil }
    }

    private static func parameters(_ value: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in value.split(whereSeparator: { $0 == ";" || $0 == "," }) {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            if kv.count == 2 { out[kv[0].lowercased()] = kv[1].trimming { $0 == "\"" } }
        }
        return out
    }
}
