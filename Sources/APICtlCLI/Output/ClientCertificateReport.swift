import APICtlCore
import FoundationEssentials

/// How `whoami` and `doctor` show a profile's client certificate and a token's binding to one.
enum ClientCertificateReport {
    /// "CN=alice (/path/alice.pem), expires 2027-01-06T10:00:00Z (in 29d23h)".
    static func summary(_ certificate: ClientCertificate, now: Date) -> String {
        let left = certificate.notAfter.timeIntervalSince(now)
        let when = left >= 0 ? "in \(humanDuration(left))" : "expired \(humanDuration(left)) ago"
        return "\(certificate.subject) (\(certificate.origin)), expires \(Timestamp.iso8601(certificate.notAfter)) (\(when))"
    }

    /// The warning 14 days ahead of expiry; nil before then.
    static func expiryWarning(_ certificate: ClientCertificate, profile: ResolvedProfile, now: Date) -> String? {
        guard let days = certificate.daysLeft(at: now) else { return nil }
        let when = days == 0 ? "today" : "in \(days) day\(days == 1 ? "" : "s")"
        return "the client certificate \(certificate.origin) (\(certificate.subject)) expires \(when), "
            + "\(Timestamp.iso8601(certificate.notAfter)); renew it and point client_cert of profile '\(profile.name)' at the new one"
    }

    /// "x5t#S256 ABC…, the configured certificate" for a bound token; nil for one bound to none.
    static func binding(_ credential: Credential, certificate: ClientCertificate?) -> String? {
        guard let bound = credential.boundCertificate else { return nil }
        return "x5t#S256 \(bound)" + (bound == certificate?.thumbprint ? ", the configured certificate" : ", NOT the configured certificate")
    }

    static func json(_ certificate: ClientCertificate) -> JSONValue {
        .object(["path": .string(certificate.origin), "subject": .string(certificate.subject), "issuer": .string(certificate.issuer),
                 "not_before": .string(Timestamp.iso8601(certificate.notBefore)),
                 "not_after": .string(Timestamp.iso8601(certificate.notAfter)),
                 "x5t#S256": .string(certificate.thumbprint), "self_signed": .bool(certificate.selfSigned)])
    }
}
