import FoundationEssentials
import Glibc

/// What the client did on the wire, for `-v`. Values are already redacted.
public enum WireEvent: Sendable {
    /// `bodyBytes` is nil for a body streamed from a pipe, whose size is not known.
    /// `certificate`: the subject and file of the client certificate presented, if any.
    case request(method: String, url: String, headers: [(String, String)], bodyBytes: Int64?, proxy: String?, certificate: String? = nil)
    case response(HTTPResponseHead, redactedHeaders: [(String, String)])
    case redirect(from: String, to: String, credentialsDropped: Bool)
}

/// Sends requests for one profile: attaches the credential only to the
/// profile's own origin, follows redirects itself so that every credential
/// (Authorization, a custom key header, cookies, a key in the query) is dropped
/// when a redirect leaves that origin.
public final class APIClient {
    public let transport: Transport
    public let profile: ResolvedProfile?
    public private(set) var credential: ResolvedCredential?
    public private(set) var redactor: Redactor
    /// How this client behaves for the whole run: built once per command (CommandContext).
    public let settings: ClientSettings
    /// Asked once per request when the API answers 401 (the session's one
    /// re-authorisation policy); a credential it returns is used for one retry.
    public var reauthorize: ((ResolvedCredential) throws(APICtlError) -> ResolvedCredential?)?
    /// The rate-limit figures of the last response that had any.
    public private(set) var lastRateLimit: RateLimitStatus?
    /// Whether the last request's final hop carried the profile's credential: what its 401 is about.
    public private(set) var lastCarriedCredential = false
    /// The status of the last answer that began (any hop of any attempt); nil when none did.
    public private(set) var lastStatus: Int?
    /// Set while a stored refresh token goes to a token endpoint: each hop that may have carried
    /// it is a line of the audit record, as the profile's credential's are (and none when the
    /// request never left), with the line a signal leaves while the answer is awaited.
    public var renewalAudit: RenewalAudit?
    /// How many times the last `send` put its request on the wire (retries and a renewed credential's retry included).
    public private(set) var attempts = 0
    /// The proxy's user and password, from the store once that proxy answered 407: given to it alone.
    private var proxyLogin: (proxy: String, login: ProxyCredential)?

    public var retryPolicy: RetryPolicy { settings.retryPolicy }
    public var now: @Sendable () -> Date { settings.now }
    public var sleep: @Sendable (Double) -> Void { settings.sleep }
    public var onRetry: (@Sendable (RetryNotice) -> Void)? { settings.onRetry }

    public init(transport: Transport, profile: ResolvedProfile?, credential: ResolvedCredential?,
                settings: ClientSettings = ClientSettings()) {
        self.transport = transport
        self.profile = profile
        self.credential = credential
        self.settings = settings
        self.redactor = Self.redactor(hiding: [credential], profile: profile)
    }

    private static func redactor(hiding credentials: [ResolvedCredential?], profile: ResolvedProfile?) -> Redactor {
        Redactor(secrets: credentials.compactMap { $0?.credential }.flatMap(\.secrets), auth: profile?.auth)
    }

    /// A client on the same transport and settings, carrying `credential` and no re-authorisation:
    /// for a call that must be made with another key (a key revoking itself).
    public func sibling(credential: ResolvedCredential) -> APIClient {
        APIClient(transport: transport, profile: profile, credential: credential, settings: settings)
    }

    /// Uses `replacement` from now on (a refreshed token); output hides it and the one it replaced.
    public func use(_ replacement: ResolvedCredential) {
        redactor = Self.redactor(hiding: [replacement, credential], profile: profile)
        credential = replacement
    }

    /// Sends `request`, retrying what the policy allows: 429 always (the server did
    /// not act on it), 5xx and network failures for idempotent methods. Waits as
    /// the server says (Retry-After, X-RateLimit-Reset, RateLimit) or backs off,
    /// never longer in total than the policy's maxWait.
    public func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(APICtlError) -> HTTPResponseHead {
        lastStatus = nil
        // One key for every attempt of this request: that is what makes retrying it safe.
        let request = withIdempotencyKey(request)
        let keyed = idempotencyHeader.map { request.headers.contains($0) } ?? false
        var waited = 0.0
        var attempt = 0
        var reauthorized = false
        var lastAnswer: HTTPResponseHead?
        attempts = 0
        while true {
            attempts += 1
            let outcome: Result<HTTPResponseHead, APICtlError>
            var reason: String?
            var hint: (seconds: Double, basis: String)?
            let attemptRequest = try attemptRequest(for: request, keyed: keyed)
            do {
                let head = try sendFollowingRedirects(attemptRequest, to: consumer)
                lastAnswer = head
                outcome = .success(head)
                let limits = RateLimitStatus.parse(head.headers, now: now())
                if !limits.isEmpty { lastRateLimit = limits }
                reason = retryPolicy.reason(status: head.status, method: request.method, keyed: keyed)
                if reason != nil { hint = Self.serverWait(limits, now: now()) }
            } catch {
                // Never sent: the rate-limit budget would hold it past --max-wait. A retry held back
                // leaves the answer that asked for the wait (its body is still the consumer's) as the answer.
                if case .heldBack? = error.transport {
                    attempts -= 1
                    if let lastAnswer { return lastAnswer }
                }
                outcome = .failure(error.apiError)
                if let transport = error.transport { reason = retryPolicy.reason(for: transport, method: request.method, keyed: keyed) }
            }
            // The refused answer stays with the consumer (its body is what the user sees)
            // unless a renewed credential is there to retry with.
            if case .success(let head) = outcome, head.status == 401, !reauthorized, let reauthorize, let current = credential {
                reauthorized = true
                if request.canResend, let replacement = try reauthorize(current), consumer.restart() {
                    use(replacement)
                    continue
                }
            }
            // A body read from a pipe is gone once sent: such a request is never retried.
            guard let reason, attempt < retryPolicy.maxRetries, request.canResend else { return try outcome.get() }
            let wait = hint ?? (retryPolicy.backoff(attempt: attempt), "backoff")
            // Giving up keeps the last answer whole (its body and message are what the user sees),
            // so the consumer is restarted only for a retry that will happen.
            if let deadline = settings.deadline, now().addingTimeInterval(wait.seconds) >= deadline { return try outcome.get() }
            if waited + wait.seconds > retryPolicy.maxWait { return try outcome.get() }
            guard consumer.restart() else { return try outcome.get() }
            attempt += 1
            onRetry?(RetryNotice(reason: reason, seconds: wait.seconds, basis: wait.basis, attempt: attempt, of: retryPolicy.maxRetries))
            // In a batch the transport's rate-limit budget holds a 429's retry until the server's
            // reset (for every request to that origin): the wait still counts, it is not made twice.
            if !(settings.budgetHoldsRateLimits && lastAnswer?.status == 429) { sleep(wait.seconds) }
            waited += wait.seconds
        }
    }

    /// One attempt of `request`: its time limits, its body from the start, and a connection of its
    /// own when it must not be repeated (libcurl sends a request again, unasked, when a reused
    /// connection turns out closed).
    private func attemptRequest(for request: HTTPRequest, keyed: Bool) throws(APICtlError) -> HTTPRequest {
        var attempt = request
        attempt.stallTimeout = settings.stallTimeout
        attempt.freshConnection = !keyed && !RetryPolicy.idempotentMethods.contains(request.method)
        if let deadline = settings.deadline {
            let left = deadline.timeIntervalSince(now())
            guard left > 0 else { throw Self.outOfTime(request, redactor: redactor) }
            attempt.timeout = min(request.timeout ?? left, left)
        }
        _ = attempt.rewind()
        return attempt
    }

    /// The line when `--timeout` is used up before an attempt could start.
    static func outOfTime(_ request: HTTPRequest, redactor: Redactor) -> APICtlError {
        let origin = URLParts.parse(request.url)?.origin.description ?? redactor.url(request.url)
        return APICtlError(.network, "gave up on \(origin): --timeout was used up", hint: "raise --timeout or try again")
    }

    /// How long the server asked us to wait, and which header said so.
    static func serverWait(_ limits: RateLimitStatus, now: Date) -> (Double, String)? {
        if let retryAfter = limits.retryAfter { return (retryAfter, "Retry-After") }
        if let reset = limits.resetAt, limits.remaining == 0 || limits.remaining == nil {
            return (max(0, reset.timeIntervalSince(now)), "rate-limit reset")
        }
        return nil
    }

    private func sendFollowingRedirects(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(SendError) -> HTTPResponseHead {
        var current = request
        var userHeadersTrusted = true
        // A chain another origin starts never earns the credential: that origin would choose
        // which request the API gets with it (a 307 keeps a DELETE).
        let credentialed = profile.map { URLParts.parse(request.url)?.origin == $0.base.origin } ?? false
        for _ in 0...settings.maxRedirects {
            let outgoing: HTTPRequest
            do {
                outgoing = try authorize(current, keepUserCredentials: userHeadersTrusted, attachCredential: credentialed)
            } catch {
                throw SendError(apiError: error)
            }
            let shownWith = redactor.adding(outgoing.secrets)
            report(outgoing, redactor: shownWith)
            lastCarriedCredential = outgoing.carriesProfileCredential
            let (hop, pending) = hopConsumer(outgoing, consumer, redactor: shownWith)
            guard let head = try sendHop(outgoing, to: hop, pending: pending, redactor: shownWith) else { continue }
            if let observer = settings.observer {   // -v only: masking is no work for a request nobody watches
                var shownHead = head
                shownHead.reason = shownWith.text(head.reason)
                observer(.response(shownHead, redactedHeaders: head.headers.map { ($0.name, shownWith.header($0.name, $0.value)) }))
            }
            guard head.isRedirect, let location = head.headers["Location"] else { return head }
            guard let from = URLParts.parse(current.url), let next = from.resolve(location), let nextParts = URLParts.parse(next) else {
                throw SendError(apiError: APICtlError(.httpError, "the server redirected to an invalid location '\(redactor.text(location))'"))
            }
            // The origin includes the scheme, so an https -> http downgrade on the same host leaves it too.
            let leaves = nextParts.origin != from.origin
            if leaves && current.carriesSecrets {
                // A token endpoint has no business elsewhere; a 307/308 would resend the body's secrets there.
                throw SendError(apiError: APICtlError(.httpError, "\(from.origin) redirected a request carrying credentials to "
                                                      + "\(nextParts.origin); refusing to follow it, and nothing was sent there",
                                                      hint: "configure the endpoint's final URL if the move is genuine"))
            }
            if leaves { userHeadersTrusted = false }
            settings.observer?(.redirect(from: redactor.url(current.url), to: redactor.url(next), credentialsDropped: leaves))
            if current.bodyStream != nil && [307, 308].contains(head.status) && !current.rewind() {
                throw SendError(apiError: APICtlError(.httpError, "the server redirected (\(head.status)) a request whose body came from a pipe, "
                                                      + "which cannot be sent again", hint: "send the body from a file: -d @FILE"))
            }
            current.url = next
            if head.status == 303 || ((head.status == 301 || head.status == 302) && current.method == "POST") {
                current.method = current.method == "HEAD" ? "HEAD" : "GET"
                current.body = nil
                current.bodyStream = nil
                current.headers.remove("Content-Type")
                current.headers.remove("Content-Length")
            }
        }
        throw SendError(apiError: APICtlError(.httpError, "too many redirects (more than \(settings.maxRedirects))"))
    }

    /// One hop on the wire. nil when the proxy asked for credentials (407) and the store holds a
    /// proxy login: the hop goes again with it.
    private func sendHop(_ outgoing: HTTPRequest, to hop: RedirectAwareConsumer, pending: PendingAuditLine?,
                         redactor shownWith: Redactor) throws(SendError) -> HTTPResponseHead? {
        let head: HTTPResponseHead
        do throws(TransportError) {
            head = try transport.send(outgoing, to: hop)
            pending?.clear()
        } catch {
            pending?.clear()
            if case .proxyAuthentication = error, useStoredProxyLogin(for: outgoing) { return nil }
            if !hop.began, error.mayHaveSent { noteAnswer(outgoing, status: nil, redactor: shownWith) }
            var apiError = APICtlError.network(error, url: redactor.url(outgoing.url))
            if case .proxyAuthentication = error, let owner = profile ?? settings.proxyLoginProfile {
                apiError.hint = ProxySettings.hasUserInfo(outgoing.proxy ?? "") ? "the proxy refused the user and password in its URL"
                    : outgoing.proxyCredential != nil ? "the stored proxy login was refused: store the right one with 'apictl login --proxy \(owner.selectionFlags)'"
                    : "store the proxy's user and password with 'apictl login --proxy \(owner.selectionFlags)'"
            }
            throw SendError(apiError: apiError, transport: error)
        }
        // A proxy's 407 to a request it forwards (plain http, no tunnel): its body was held back,
        // and the user gets its status alone when no stored login answers it.
        if hop.heldProxyRefusal {
            if useStoredProxyLogin(for: outgoing) { return nil }
            do { try hop.final.begin(head) } catch { throw SendError(apiError: error) }
        }
        return head
    }

    /// Whether the proxy that asked (407) for `outgoing`, which carried no login, gets one now: the
    /// one stored for that proxy. The hop then goes again with it.
    private func useStoredProxyLogin(for outgoing: HTTPRequest) -> Bool {
        guard outgoing.proxyCredential == nil, let owner = profile ?? settings.proxyLoginProfile, let proxy = outgoing.proxy, !proxy.isEmpty,
              let login = try? settings.connection?.proxyLogin(for: owner, proxy: proxy) else { return false }
        proxyLogin = (proxy, login)
        return true
    }

    /// The login a proxy asked for earlier in this client's life, for that same proxy only.
    private func proxyLogin(for proxy: String?) -> ProxyCredential? {
        guard let proxyLogin, let proxy, !proxy.isEmpty, proxy == proxyLogin.proxy else { return nil }
        return proxyLogin.login
    }

    /// The consumer of one hop: it notes the answer as it begins, and until then holds the audit
    /// line a signal ending the process would write (the credential has left either way).
    private func hopConsumer(_ outgoing: HTTPRequest, _ consumer: ResponseConsumer,
                             redactor: Redactor) -> (RedirectAwareConsumer, PendingAuditLine?) {
        let pending = outgoing.carriesProfileCredential ? settings.audit?.pending(outgoing, credential: credential, redactor: redactor, at: now())
            : renewalAudit.flatMap { settings.audit?.pendingRenewal(at: outgoing.url, $0, at: now()) }
        // A forwarding proxy's 407 is held back while a stored login may answer it.
        let mayAnswer407 = !(outgoing.proxy ?? "").isEmpty && outgoing.proxyCredential == nil
        let hop = RedirectAwareConsumer(final: consumer, holdingProxyRefusal: mayAnswer407) { [self] head in
            pending?.clear()
            noteAnswer(outgoing, status: head.status, redactor: redactor)
        }
        return (hop, pending)
    }

    /// An answer began (or, with nil, a failure after sending): `lastStatus`, and each time the
    /// credential went out, one line in the audit record, so a body cut short by `| head` still leaves it.
    private func noteAnswer(_ outgoing: HTTPRequest, status: Int?, redactor: Redactor) {
        lastStatus = status
        guard let audit = settings.audit else { return }
        if outgoing.carriesProfileCredential {
            audit.record(outgoing, status: status, credential: credential, redactor: redactor, at: now())
        } else if let renewalAudit {
            audit.recordRenewal(at: outgoing.url, renewalAudit, status: status, time: now())
        }
    }

    /// A failed attempt: what to tell the user, and the transport failure behind it, if any.
    struct SendError: Error {
        var apiError: APICtlError
        var transport: TransportError?
    }

    /// Convenience for small responses.
    public func fetch(_ request: HTTPRequest) throws(APICtlError) -> HTTPResponse {
        let buffer = BufferingConsumer()
        let head = try send(request, to: buffer)
        return HTTPResponse(head: head, body: buffer.body)
    }

    /// The request exactly as `send` would put it on the wire first (profile headers,
    /// credential, Accept), for `--dry-run` and `--curl`; nothing is sent.
    public func prepared(_ request: HTTPRequest) throws(APICtlError) -> HTTPRequest {
        try authorize(withIdempotencyKey(request), keepUserCredentials: true)
    }

    /// The profile's `idempotency_header`, for the methods it makes safe to retry.
    private var idempotencyHeader: String? { profile?.idempotencyHeader }
    static let keyedMethods: Set<String> = ["POST", "PATCH"]

    /// A POST or PATCH to a profile that names an idempotency header gets a fresh random key
    /// in it, unless the user gave one (-H wins).
    func withIdempotencyKey(_ request: HTTPRequest) -> HTTPRequest {
        guard let header = idempotencyHeader, Self.keyedMethods.contains(request.method.uppercased()),
              !request.headers.contains(header) else { return request }
        var keyed = request
        keyed.headers.add(header, UUID().uuidString.lowercased())
        return keyed
    }

    /// Attaches the profile's headers and the credential when the URL is on the
    /// profile's origin; strips user-given credentials once a redirect left it.
    func authorize(_ request: HTTPRequest, keepUserCredentials: Bool, attachCredential attach: Bool = true) throws(APICtlError) -> HTTPRequest {
        var out = request
        if let target = URLParts.parse(request.url) {
            out.proxy = try settings.proxies.taking(profile).checkedProxy(for: target) ?? ""
            if out.proxyCredential == nil { out.proxyCredential = proxyLogin(for: out.proxy) }
            if request.carriesSecrets { try checkSecretsMayGo(to: target, proxy: out.proxy, what: "credentials") }
        }
        out = try attachCredential(out, keepUserCredentials: keepUserCredentials, attach: attach)
        if let caCertOverride = settings.caCertOverride { out.caCertPath = caCertOverride }
        // libcurl would open a FIFO there and wait for a writer forever.
        if let ca = out.caCertPath, !FileBytes.isRegularFile(ca) {
            throw APICtlError.config("the CA bundle \(ca) is not a readable regular file", hint: "check ca_cert of the profile, or --cacert")
        }
        if !out.headers.contains("Accept") { out.headers.add("Accept", "application/json, */*;q=0.5") }
        return out
    }

    private func attachCredential(_ request: HTTPRequest, keepUserCredentials: Bool, attach: Bool) throws(APICtlError) -> HTTPRequest {
        var out = request
        guard let target = URLParts.parse(request.url) else {
            throw APICtlError.usage("invalid URL '\(redactor.url(request.url))'", hint: "use a path like /v1/me or a full https:// URL")
        }
        // A credential header given as bytes that are not text could neither be redacted nor
        // replace the profile's own: there is no such credential, so there is no such header.
        if let raw = request.rawHeaders.first(where: { Self.rawHeaderCarriesCredential($0, keyHeader: profile?.auth.headerName) }) {
            let name = String(decoding: raw.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)
            throw APICtlError.usage("the \(name) header holds bytes that are not UTF-8 text; a credential is text",
                                    hint: "give the header's value as text")
        }
        if !keepUserCredentials { out = withoutCredentials(out) }
        guard let profile, target.origin == profile.base.origin else { return out }
        for (name, value) in profile.headers where !out.headers.contains(name) { out.headers.add(name, value) }
        if out.caCertPath == nil { out.caCertPath = profile.caCert }
        if out.clientCertificate == nil { out.clientCertificate = try settings.connection?.certificate(for: profile) }
        guard attach, let credential, !out.headers.contains(profile.auth.headerName ?? "") else { return out }
        try checkSecretsMayGo(to: target, proxy: out.proxy, what: "a credential")
        try CertificateBinding.check(credential.credential, presenting: out.clientCertificate, profile: profile)
        let secret = credential.credential.token
        switch profile.auth {
        case .query(let name):
            out.url = URLParts.removingQueryParameter(name, from: out.url)   // one copy, never two
            let separator = out.url.contains("?") ? "&" : "?"
            out.url += separator + PercentEncoding.encodeQueryComponent(name) + "=" + PercentEncoding.encodeQueryComponent(secret)
        default:
            if let header = profile.auth.headerName, let value = profile.auth.headerValue(for: secret) {
                out.headers.add(header, value)
            }
        }
        out.carriesProfileCredential = true
        return out
    }

    static func rawHeaderCarriesCredential(_ line: [UInt8], keyHeader: String?) -> Bool {
        HTTPHeaders.carriesCredential(String(decoding: line.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self), keyHeader: keyHeader)
    }

    /// A secret goes over plain http only to this machine, and never through a plain-http
    /// proxy, which would read it.
    private func checkSecretsMayGo(to target: URLParts, proxy: String?, what: String) throws(APICtlError) {
        guard target.scheme == "http" else { return }
        if !target.isLoopback {
            throw APICtlError.config("refusing to send \(what) over plain http to \(target.host)",
                                     hint: profile.map { "use an https:// base URL for profile '\($0.name)'" } ?? "use an https:// URL")
        }
        if let proxy, !proxy.isEmpty {
            throw APICtlError.config("refusing to send \(what) over plain http through the proxy \(redactor.url(Self.withoutUserInfo(proxy))): "
                                     + "the proxy would read it",
                                     hint: "add \(target.host) to NO_PROXY, or use an https:// URL")
        }
    }

    /// `request` with every credential a user or the profile put in it removed: what may
    /// follow a redirect or a next-page link to another origin.
    public func withoutCredentials(_ request: HTTPRequest) -> HTTPRequest {
        var out = request
        out.rawHeaders = []   // bytes apictl cannot read are not trusted to another origin either
        out.clientCertificate = nil   // presented to the profile's origin only
        out.headers.removeCredentials(keyHeader: profile?.auth.headerName)
        // A Location that repeats the key in its query (…?api_key=K → https://www.host/…?api_key=K)
        // must not carry it to the new origin either.
        if case .query(let name)? = profile?.auth { out.url = URLParts.removingQueryParameter(name, from: out.url) }
        return out
    }

    private func report(_ request: HTTPRequest, redactor: Redactor) {
        guard let observer = settings.observer else { return }
        observer(.request(method: request.method, url: redactor.url(request.url),
                          headers: request.headers.map { ($0.name, redactor.header($0.name, $0.value)) },
                          bodyBytes: request.bodySize,
                          proxy: request.proxy.flatMap { $0.isEmpty ? nil : Self.withoutUserInfo($0) },
                          certificate: request.clientCertificate.map { "\($0.subject) (\($0.origin))" }))
    }

    /// A proxy URL without its `user:password@`, for messages and `-v`.
    public static func withoutUserInfo(_ proxy: String) -> String {
        guard let schemeEnd = proxy.firstRange(ofText: "://") else { return proxy }
        let rest = proxy[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return proxy }
        return String(proxy[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
    }
}

/// Passes a response through to the caller's consumer unless it is a redirect
/// the client is about to follow, whose body nobody wants.
private final class RedirectAwareConsumer: ResponseConsumer {
    let final: ResponseConsumer
    var discarding = false
    /// An answer began: what `began` is told, once per answer.
    private let onBegin: (HTTPResponseHead) -> Void
    private(set) var began = false

    /// Whether a 407 is held back (its body discarded) for the client to answer with a stored login.
    private let holdingProxyRefusal: Bool
    /// A 407 was held back: the client answers it, or gives the user its status alone.
    private(set) var heldProxyRefusal = false

    init(final: ResponseConsumer, holdingProxyRefusal: Bool = false, onBegin: @escaping (HTTPResponseHead) -> Void = { _ in }) {
        self.final = final
        self.holdingProxyRefusal = holdingProxyRefusal
        self.onBegin = onBegin
    }

    func begin(_ head: HTTPResponseHead) throws(APICtlError) {
        began = true
        onBegin(head)
        heldProxyRefusal = holdingProxyRefusal && head.status == 407
        discarding = (head.isRedirect && head.headers["Location"] != nil) || heldProxyRefusal
        if !discarding { try final.begin(head) }
    }

    func restart() -> Bool { final.restart() }

    func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        if !discarding { try final.append(chunk) }
    }
}
