import FoundationEssentials
import Glibc

/// One rate-limit budget per origin, shared by every request a batch has in flight: what
/// any response says (`X-RateLimit-*`, `RateLimit`, `Retry-After`) holds back every request
/// to that origin until the reset, instead of each worker finding the limit with a 429 of
/// its own. The first request to an origin goes alone, so the limit is known before the
/// others start; `--rate` paces starts from the client side as well.
public final class RateLimitBudget: @unchecked Sendable {
    private struct Window {
        var limit: Int?
        /// Requests the window still allows, counting down as they start; nil: not known yet.
        var remaining: Int?
        var resetAt: Date?
        /// A Retry-After (or a 429 without one) holds everything back until then.
        var pausedUntil: Date?
        var inFlight = 0
        var answered = false
        var firstStart: Date?
        /// The last wait told to the user, so one pause is told once.
        var toldUntil: Date?
    }

    /// A wait the server asked for and how it said so; `told` once per pause when long.
    public struct Pause: Sendable {
        public var origin: String
        public var seconds: Double
        public var basis: String
        /// Longer than --max-wait: the requests it holds fail (exit 6) rather than wait.
        public var beyondMaxWait: Bool
    }

    private let monitor = Monitor()
    private var windows: [String: Window] = [:]
    /// Seconds between starts for `--rate`; nil: as fast as the budget allows.
    private let interval: Double?
    private var nextStart: Date?
    private let maxWait: Double
    private let now: @Sendable () -> Date
    private let told: @Sendable (Pause) -> Void
    /// A 429 that says nothing of when to come back holds the origin back this long.
    static let silentRefusalPause = 1.0
    /// How long the first request to an origin goes alone, waiting for the figures its answer brings.
    static let firstAnswerPatience = 0.5
    /// Pauses at least this long are told (a CI log should say why nothing moves).
    static let toldPause = 5.0
    private static let poll = 0.01

    /// `maxWait`: the longest a request waits for the budget in all (`--max-wait`); a server
    /// asking for more fails the request (exit 6) rather than hold the batch for it.
    public init(ratePerSecond: Double?, maxWait: Double, now: @escaping @Sendable () -> Date,
                told: @escaping @Sendable (Pause) -> Void = { _ in }) {
        interval = ratePerSecond.map { 1 / $0 }
        self.maxWait = maxWait
        self.now = now
        self.told = told
    }

    /// Blocks until a request to `origin` may start, and counts it as started.
    public func acquire(_ origin: String) throws(APICtlError) {
        var waited = 0.0
        while true {
            let (wait, basis): (Double, String?) = monitor.locked {
                let time = now()
                let (wait, basis) = waitLocked(origin, at: time)
                if wait <= 0 {
                    windows[origin, default: Window()].remaining? -= 1
                    windows[origin, default: Window()].inFlight += 1
                    if windows[origin]?.firstStart == nil { windows[origin]?.firstStart = time }
                    if let interval { nextStart = max(time, nextStart ?? time).addingTimeInterval(interval) }
                }
                return (wait, basis)
            }
            if wait <= 0 { return }
            if let basis, waited + wait > maxWait {
                throw APICtlError(.rateLimited, "\(origin) asks to wait \(wait.rounded(.up).saturatingInt)s (\(basis)), more than --max-wait allows",
                                  hint: "raise --max-wait to wait for it, or run the batch later")
            }
            let step = min(wait, 0.5)
            ClientSettings.realSleep(step)
            waited += step
        }
    }

    /// Seconds until a request to `origin` may start (0: now).
    public func wait(_ origin: String) -> Double {
        monitor.locked { waitLocked(origin, at: now()).0 }
    }

    /// How long to wait, and the server's word for it when the server asked (nil: the budget's own pacing).
    private func waitLocked(_ origin: String, at time: Date) -> (Double, String?) {
        var window = windows[origin] ?? Window()
        if let reset = window.resetAt, time >= reset {
            // A new window allows the whole limit again; its reset comes with its first answer.
            window.resetAt = nil
            window.remaining = window.limit
        }
        windows[origin] = window
        if let paused = window.pausedUntil, paused > time { return (paused.timeIntervalSince(time), "Retry-After") }
        if let remaining = window.remaining, remaining <= 0 {
            if let reset = window.resetAt { return (reset.timeIntervalSince(time), "rate-limit reset") }
            // Spent, and no reset known yet: the answers in flight will say when; with none, one goes to ask.
            if window.inFlight > 0 { return (Self.poll, nil) }
        }
        if !window.answered, window.inFlight > 0, let first = window.firstStart,
           time.timeIntervalSince(first) < Self.firstAnswerPatience {
            return (Self.poll, nil)
        }
        if let nextStart, nextStart > time { return (nextStart.timeIntervalSince(time), nil) }
        return (0, nil)
    }

    /// What the answer to a request `acquire` let start said of the budget; nil: no answer came.
    public func observe(_ origin: String, _ head: HTTPResponseHead?) {
        monitor.locked {
            let time = now()
            var window = windows[origin] ?? Window()
            window.inFlight = max(0, window.inFlight - 1)
            defer { windows[origin] = window }
            guard let head else { return }
            window.answered = true
            let status = RateLimitStatus.parse(head.headers, now: time)
            if let limit = status.limit { window.limit = limit }
            // An answer with no figures, while the window looked spent with no reset known: it was not spent.
            if status.isEmpty, head.status != 429, window.resetAt == nil, (window.remaining ?? 1) <= 0 { window.remaining = nil }
            if let retryAfter = status.retryAfter, head.status == 429 || head.status == 503 {
                window.pausedUntil = max(window.pausedUntil ?? time, time.addingTimeInterval(retryAfter))
                tell(origin, &window, until: window.pausedUntil, basis: "Retry-After", at: time)
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
            if remaining == 0 { tell(origin, &window, until: window.resetAt, basis: "rate-limit reset", at: time) }
        }
    }

    private func tell(_ origin: String, _ window: inout Window, until: Date?, basis: String, at time: Date) {
        guard let until, until.timeIntervalSince(time) >= Self.toldPause,
              window.toldUntil.map({ until.timeIntervalSince($0) >= 1 }) ?? true else { return }
        window.toldUntil = until
        let seconds = until.timeIntervalSince(time)
        told(Pause(origin: origin, seconds: seconds, basis: basis, beyondMaxWait: seconds > maxWait))
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
        do { try budget.acquire(origin) } catch { throw .heldBack(error) }
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
