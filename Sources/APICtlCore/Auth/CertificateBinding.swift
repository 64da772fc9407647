/// RFC 8705 §3: a token bound to a client certificate is useless without it, and a server
/// that checks the binding would refuse it; apictl refuses first, before the token leaves.
public enum CertificateBinding {
    /// Throws (exit 3) when `credential` is bound to another certificate than `presenting`.
    public static func check(_ credential: Credential, presenting certificate: ClientCertificate?,
                             profile: ResolvedProfile) throws(APICtlError) {
        guard let bound = credential.boundCertificate, bound != certificate?.thumbprint else { return }
        let presented = certificate.map { "presents another (\($0.origin), x5t#S256 \($0.thumbprint))" } ?? "presents none"
        throw APICtlError.config("the token of profile '\(profile.name)' is bound to the client certificate with x5t#S256 \(bound), "
                                 + "but the profile \(presented); refusing to send it",
                                 hint: "point client_cert back at that certificate, or log in again with 'apictl login \(profile.selectionFlags)"
                                     + (credential.grant == "client_credentials" ? " --client-credentials'" : "'"))
    }
}
