import CAuditSignal
import FoundationEssentials

/// What a client needs to add its credential's uses to the audit record: the log, and the
/// profile, environment and account the run chose, with what chose the profile. One per run,
/// made before the profile is known (clients may be set up first), so it records nothing until
/// `begin`; `batch`'s workers share it.
public final class AuditTrail: @unchecked Sendable {
    public let log: AuditLog
    private let monitor = Monitor()
    private var profile: ResolvedProfile?
    private var firstFailure: AuditFailure?

    public init(log: AuditLog) {
        self.log = log
    }

    /// Records uses of `profile`'s credential from now on; nil records none (`audit = false`).
    public func begin(_ profile: ResolvedProfile?) {
        monitor.locked { self.profile = profile }
    }

    /// The first line that could not be written, for one warning at the end of the run.
    public var failure: AuditFailure? { monitor.locked { firstFailure } }

    /// Notes that `credential` was sent with `request`, answered with `status` (nil: no answer).
    /// Only stored and commanded credentials are recorded: a token from the environment is
    /// the caller's to account for. `redactor` hides whatever secret the path itself carries.
    func record(_ request: HTTPRequest, status: Int?, credential: ResolvedCredential?, redactor: Redactor, at time: Date) {
        guard let credential else { return }
        append(request.method, request.url, status: status, secret: credential.credential.token, tokenID: credential.credential.tokenID,
               source: credential.source, redactor: redactor, at: time)
    }

    /// Notes that a stored refresh token went to a token endpoint to renew the credential
    /// (`status` nil: no answer). The line names the refresh token by its hash.
    func recordRenewal(at url: String, _ renewal: RenewalAudit, status: Int?, time: Date) {
        append("POST", url, status: status, secret: renewal.refreshToken, tokenID: renewal.tokenID, source: renewal.source,
               redactor: Redactor(secrets: [renewal.refreshToken]), at: time)
    }

    /// The line `request` leaves if the process is ended before its answer begins (status null),
    /// held for a signal handler; nil when nothing is recorded for it. Cleared when the answer begins.
    func pending(_ request: HTTPRequest, credential: ResolvedCredential?, redactor: Redactor, at time: Date) -> PendingAuditLine? {
        guard let credential else { return nil }
        return pending(entry(request.method, request.url, status: nil, secret: credential.credential.token,
                             tokenID: credential.credential.tokenID, source: credential.source, redactor: redactor, at: time))
    }

    /// `pending` for a refresh token on its way to a token endpoint.
    func pendingRenewal(at url: String, _ renewal: RenewalAudit, at time: Date) -> PendingAuditLine? {
        pending(entry("POST", url, status: nil, secret: renewal.refreshToken, tokenID: renewal.tokenID, source: renewal.source,
                      redactor: Redactor(secrets: [renewal.refreshToken]), at: time))
    }

    private func pending(_ entry: AuditEntry?) -> PendingAuditLine? {
        guard let entry else { return nil }
        // The handler can only open the file: its folder is made now.
        guard (try? AtomicFile.makePrivateDirectory(PathText.directory(of: log.path))) != nil else { return nil }
        let line = entry.line
        let slot = line.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { apictl_audit_pending_put(log.path, $0.baseAddress, $0.count) }
        }
        return slot >= 0 ? PendingAuditLine(slot: slot) : nil
    }

    private func append(_ method: String, _ url: String, status: Int?, secret: String, tokenID: String?, source: CredentialSource,
                        redactor: Redactor, at time: Date) {
        guard let entry = entry(method, url, status: status, secret: secret, tokenID: tokenID, source: source, redactor: redactor, at: time)
        else { return }
        do { try log.append(entry) } catch {
            monitor.locked { if firstFailure == nil { firstFailure = error } }
        }
    }

    private func entry(_ method: String, _ url: String, status: Int?, secret: String, tokenID: String?, source: CredentialSource,
                       redactor: Redactor, at time: Date) -> AuditEntry? {
        if case .environment = source { return nil }   // the caller's to account for
        guard let profile = monitor.locked({ self.profile }), let parts = URLParts.parse(url) else { return nil }
        return AuditEntry(time: time, profile: profile.name, environment: profile.environment,
                          account: source.isStoredLogin ? profile.account : nil,
                          fingerprint: AuditEntry.fingerprint(of: secret), tokenID: tokenID, source: source.name, method: method,
                          origin: AuditEntry.printable(parts.origin.description),
                          path: AuditEntry.printable(redactor.text(AuditEntry.recordedPath(of: parts))), status: status,
                          chosenBy: profile.choice.profile.auditName)
    }
}

/// A stored refresh token on its way to a token endpoint, as the audit record names it.
public struct RenewalAudit: Sendable {
    public let refreshToken: String
    public let tokenID: String?
    public let source: CredentialSource

    public init(refreshToken: String, tokenID: String?, source: CredentialSource) {
        self.refreshToken = refreshToken
        self.tokenID = tokenID
        self.source = source
    }
}

/// A line of the audit record held for the signal handler while a request is on its way;
/// `clear` (once the answer begins, or the request failed) drops it, however often it is called
/// and from whichever thread.
final class PendingAuditLine: @unchecked Sendable {
    private let monitor = Monitor()
    private var slot: Int32?

    init(slot: Int32) { self.slot = slot }

    func clear() {
        monitor.locked {
            if let slot { apictl_audit_pending_clear(slot) }
            slot = nil
        }
    }
}
