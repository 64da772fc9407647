import FoundationEssentials
import Glibc

/// When to try a request again, and how long to wait first.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt; 0 disables retrying.
    public var maxRetries: Int = 3
    /// The most time spent waiting across all retries of one request, in seconds.
    public var maxWait: Double = 60
    /// Retry 5xx and network failures for non-idempotent methods too.
    public var retryAll = false
    /// First backoff step in seconds; doubles each attempt, with jitter on top.
    public var baseDelay: Double = 0.5

    public init() {}

    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]

    /// Why a response or failure may be retried, or nil when it must not be.
    /// `keyed`: the request carries an idempotency key, so the server acts on it once however
    /// often it is sent: a POST or PATCH is then retried as a GET is.
    public func reason(status: Int, method: String, keyed: Bool = false) -> String? {
        if status == 429 { return "rate limited (429)" }
        guard [408, 500, 502, 503, 504].contains(status) else { return nil }
        return mayRetryUnsafe(method, keyed: keyed) ? "server error (\(status))" : nil
    }

    public func reason(for error: TransportError, method: String, keyed: Bool = false) -> String? {
        switch error {
        // A refused connection is answered at once and will be refused again: not worth a retry.
        case .timeout, .protocolFailure:
            return mayRetryUnsafe(method, keyed: keyed) ? "network failure" : nil
        default:
            return nil
        }
    }

    private func mayRetryUnsafe(_ method: String, keyed: Bool) -> Bool {
        retryAll || keyed || Self.idempotentMethods.contains(method)
    }

    /// Exponential backoff that always waits: base * 2^attempt plus up to half as much again
    /// at random, so the first wait is 0.5-0.75 s and concurrent clients spread out.
    public func backoff(attempt: Int) -> Double {
        let step = baseDelay * pow(2, Double(min(attempt, 10)))
        return step + Double.random(in: 0...(step / 2))
    }
}

/// A wait the client is about to make, reported so the CLI can say so on stderr.
public struct RetryNotice: Sendable {
    public var reason: String
    public var seconds: Double
    /// "Retry-After", "X-RateLimit-Reset", "RateLimit" or "backoff".
    public var basis: String
    public var attempt: Int
    public var of: Int
}
