import APICtlCore
import FoundationEssentials

/// `apictl login --ci`: the profile's `ci` exchange on demand, in a CI job, to
/// check the set-up and warm the kernel-keyring copy the job's later steps use.
/// Nothing is written to the credential store.
enum CILogin {
    static func run(_ context: CommandContext, profile: ResolvedProfile) throws(APICtlError) -> Int32 {
        guard let ci = profile.ci else {
            throw .config("profile '\(profile.name)' has no [profiles.\(profile.name).ci] table",
                          hint: "add one as docs/ci.md shows: exchange, audience, token_url")
        }
        guard let identity = CIIdentitySource.find(ci, environment: context.environment) else {
            throw CIIdentitySource.absence(ci, environment: context.environment)
        }
        let http = context.makeClient(transport: try context.openTransport(), profile: nil, credential: nil)
        let now = context.now()
        let resolved = try CICredentialSource.obtain(profile: profile, ci: ci, identity: identity, environment: context.environment,
                                                     files: context.stateFiles(for: profile), http: http, now: now, useKept: false)
        let kept = CICredentialSource.keptToken(profile: profile.name, environment: profile.environment).isHeld
        var message = "Exchanged the \(identity.description) for an access token of \(profile.name)"
        if let env = profile.environment { message += " (\(env))" }
        message += " by \(ci.style)"
        if let expiry = resolved.credential.expiresAt { message += "; it expires in \(humanDuration(expiry.timeIntervalSince(now)))" }
        message += kept ? "; kept in the kernel keyring for this job's later commands" : "; not kept (no kernel keyring, or no expiry)"
        context.stderr.write(message + "; nothing stored\n")
        return 0
    }
}
