/// Where a request of this profile would find its credential, in `CredentialSession.resolve`'s
/// order, found without running a token command, exchanging a CI token or reading a store:
/// for `doctor`, `profile list` and `request --dry-run`, which must not do any of those.
public enum PlannedCredential: Sendable {
    /// APICTL_TOKEN or the profile's token_env: already at hand.
    case environment(ResolvedCredential)
    /// The profile's token command, not run.
    case command(CredentialSource)
    /// A CI job's identity found in the environment, not exchanged.
    case ci(CredentialSource)
    /// Nothing before the store answers: the credential store would be read.
    case store

    public static func plan(profile: ResolvedProfile, environment: [String: String]) -> PlannedCredential {
        if let credential = EnvironmentCredentials.resolve(profile: profile, environment: environment) { return .environment(credential) }
        if let argv = profile.tokenCommand { return .command(TokenCommandSource.source(argv)) }
        if let ci = profile.ci, let identity = CIIdentitySource.find(ci, environment: environment) {
            return .ci(.ci(identity: identity.description, exchange: ci.style))
        }
        return .store
    }
}
