import FoundationEssentials
import Glibc

/// One rate-limit budget per origin, shared by every request a batch has in flight: what
/// any response says (`X-RateLimit-*`, `RateLimit`, `Retry-After`) holds back every request
/// to that origin until the reset, instead of each worker finding the limit with a 429 of
/// its own. `--rate` paces starts from the client side as well.
public final class RateLimitBudget: @unchecked Sendable {
    private struct Window {
        var limit: Int?
        /// Requests the window still allows, counting down as they start; nil: not known yet.
        var remaining: Int?
        var resetAt: Date?
        /// A Retry-After (or a 429 without one) holds everything back until then.
        var pausedUntil: Date?
        var inFlight = 0
    }

    private let monitor = Monitor()
    private var windows: [String: Window] = [:]
    /// Seconds between starts for `--rate`; nil: as fast as the budget allows.
    private let interval: Double?
    private var nextStart: Date?
    private let now: @Sendable () -> Date
    /// A 429 that says nothing of when to come back holds the origin back this long.
    static let silentRefusalPause = 1.0

    public init(ratePerSecond: Double?, now: @escaping @Sendable () -> Date) {
        interval = ratePerSecond.map { 1 / $0 }
        self.now = now
    }

    /// Blocks until a request to `origin` may start, and counts it as started.
    public func acquire(_ origin: String) {
        while true {
            let wait: Double = monitor.locked {
                let time = now()
                let wait = waitLocked(origin, at: time)
                if wait <= 0 {
                    windows[origin, default: Window()].remaining? -= 1
                    windows[origin, default: Window()].inFlight += 1
                    if let interval { nextStart = max(time, nextStart ?? time).addingTimeInterval(interval) }
                }
                return wait
            }
            if wait <= 0 { return }
            ClientSettings.realSleep(min(wait, 0.5))
        }
    }

    /// Seconds until a request to `origin` may start (0: now).
    public func wait(_ origin: String) -> Double {
        monitor.locked { waitLocked(origin, at: now()) }
    }

    private func waitLocked(_ origin: String, at time: Date) -> Double {
        var window = windows[origin] ?? Window()
        if let reset = window.resetAt, time >= reset {
            // A new window allows the whole limit again; its reset comes with its first answer.
            window.resetAt = nil
            window.remaining = window.limit
        }
        windows[origin] = window
        var until: Date?
        if let paused = window.pausedUntil, paused > time {
            until = paused
        } else if let remaining = window.remaining, remaining <= 0, let reset = window.resetAt {
            until = reset
        } else if let nextStart, nextStart > time {
            until = nextStart
        }
        return until.map { $0.timeIntervalSince(time) } ?? 0
    }

    /// What the answer to a request `acquire` let start said of the budget; nil: no answer came.
    public func observe(_ origin: String, _ head: HTTPResponseHead?) {
        monitor.locked {
            let time = now()
            var window = windows[origin] ?? Window()
            window.inFlight = max(0, window.inFlight - 1)
            defer { windows[origin] = window }
            guard let head else { return }
            let status = RateLimitStatus.parse(head.headers, now: time)
            if let limit = status.limit { window.limit = limit }
            if let retryAfter = status.retryAfter, head.status == 429 || head.status == 503 {
                window.pausedUntil = max(window.pausedUntil ?? time, time.addingTimeInterval(retryAfter))
            } else if head.status == 429 {
                let reset = status.resetAt.flatMap { $0 > time ? $0 : nil }
                window.pausedUntil = reset ?? time.addingTimeInterval(Self.silentRefusalPause)
            }
            // An answer about a window that has already passed says nothing of this one.
            guard let remaining = status.remaining, status.resetAt.map({ $0 > time }) ?? true else { return }
            if let reset = status.resetAt { window.resetAt = reset }
            if head.status == 429 { window.remaining = 0; return }
            // The first figure seen: the server counted this request, maybe not the others in
            // flight. After that the count kept here is exact for this client alone, and a
            // lower figure from the server means others spend the same budget.
            window.remaining = window.remaining.map { min($0, remaining) } ?? remaining - window.inFlight
        }
    }
}

/// A transport whose every request (retries and redirects included) waits for its origin's
/// budget first and reports the answer to it after.
public final class BudgetedTransport: Transport {
    private let inner: Transport
    private let budget: RateLimitBudget

    public init(_ inner: Transport, budget: RateLimitBudget) {
        self.inner = inner
        self.budget = budget
    }

    public func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(TransportError) -> HTTPResponseHead {
        let origin = URLParts.parse(request.url)?.origin.description ?? request.url
        budget.acquire(origin)
        do {
            let head = try inner.send(request, to: consumer)
            budget.observe(origin, head)
            return head
        } catch {
            budget.observe(origin, nil)
            throw error
        }
    }
}
