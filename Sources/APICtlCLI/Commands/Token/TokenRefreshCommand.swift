import APICtlCore
import FoundationEssentials

/// `apictl token refresh`: renews any refreshable stored credential now (an OAuth 2.0
/// token through the refresh grant or the API's own refresh endpoint, a `[pair]`
/// through `pair.refresh`), under the same cross-process lock as the automatic
/// refresh before a request.
enum TokenRefreshCommand {
    static let spec = CommandSpec(
        name: "refresh",
        summary: "Renew the stored OAuth 2.0 token or token pair now",
        discussion: """
        Requests renew an expiring token by themselves; this does it on demand. An OAuth
        2.0 token is refreshed at the profile's oauth.refresh_url when set, else its token
        endpoint; a [pair] at pair.refresh (the refresh token in the body, or as the
        Bearer credential with refresh_with = "bearer"). A rotated refresh token is
        stored before the new access token is used.
        """,
        options: NoOptions.self,
        examples: ["apictl token refresh -p techdocs"],
        run: run
    )

    static func run(_ options: NoOptions, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (config, profile) = try context.requireProfile()
        if let variable = EnvironmentCredentials.resolve(profile: profile, environment: context.environment)?.source {
            throw APICtlError.auth("the token comes from the \(variable), which apictl cannot renew",
                                   hint: "unset it to refresh the stored token")
        }
        let parts = try context.sessionParts(config: config)
        let selection = try parts.stores.open(reading: nil)
        let key = profile.credentialKey
        guard let stored = try selection.store.load(key) else {
            throw APICtlError.auth("no stored credential for \(key)", hint: "run 'apictl login \(profile.selectionFlags)'")
        }
        guard CredentialRefresher.renews(stored), CredentialRefresher.canRenew(stored, for: profile) else {
            throw APICtlError.auth("the stored credential of \(key) is an API key, not an OAuth 2.0 token or a token pair; it has nothing to refresh",
                                   hint: "to replace a key, use 'apictl token rotate -p \(profile.name)'")
        }
        guard CredentialRefresher.canRenewItself(stored, for: profile) else {
            throw APICtlError.auth("the stored token of \(key) has no refresh token (or the profile no endpoint to send it to); it has nothing to refresh",
                                   hint: "run 'apictl login \(profile.selectionFlags)' for a new one")
        }
        let refresher = parts.refresher(for: profile, store: selection.store)
        let fresh = try refresher.refresh(stored, force: true)
        var message = "Refreshed the token of \(key)"
        if let expiry = fresh.expiresAt { message += "; it expires in \(humanDuration(expiry.timeIntervalSince(context.now())))" }
        if fresh.refreshToken != stored.refreshToken && fresh.refreshToken != nil { message += " (the refresh token was rotated)" }
        context.stderr.write(message + "\n")
        return 0
    }
}
