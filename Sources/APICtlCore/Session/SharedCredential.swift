/// The one credential every request of a batch sends, from one session: renewed once for
/// all of them when the API refuses it, and given up on for all of them when renewal fails.
public final class SharedCredential: @unchecked Sendable {
    private let session: CredentialSession
    private let monitor = Monitor()
    private var refused = false

    public init(_ session: CredentialSession) { self.session = session }

    public var profile: ResolvedProfile? { session.profile }

    /// The credential to send now: a renewal by any worker is taken by all.
    public var current: ResolvedCredential? { monitor.locked { session.credential } }

    /// A worker's 401 to `rejected`: the credential another worker already renewed it to, a
    /// renewal made once under the lock, or nil when none can be had (and none is tried again).
    public func renew(_ rejected: ResolvedCredential) throws(APICtlError) -> ResolvedCredential? {
        try monitor.locked { () throws(APICtlError) -> ResolvedCredential? in
            if let current = session.credential, current.credential.token != rejected.credential.token { return current }
            guard !refused, let reauthorize = session.client.reauthorize else { return nil }
            do throws(APICtlError) {
                guard let replacement = try reauthorize(rejected) else { refused = true; return nil }
                session.client.use(replacement)
                return replacement
            } catch {
                refused = true
                throw error
            }
        }
    }

    public func failureContext(for request: HTTPRequest) -> FailureContext {
        monitor.locked { session.failureContext(for: request) }
    }
}
