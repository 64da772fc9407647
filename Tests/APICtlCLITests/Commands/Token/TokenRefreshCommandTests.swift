@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl token refresh`: renews a stored OAuth 2.0 token or `[pair]` access token now.
final class TokenRefreshCommandTests: XCTestCase {
    static let tdKey = CredentialKey(profile: "td", environment: nil)
    static let jwtKey = CredentialKey(profile: "jwt", environment: nil)

    /// An OAuth 2.0 token that is still good for an hour: a refresh now is forced.
    func oauthHarness() throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.oauth)
        var stored = Credential(token: "access-1", kind: "oauth2", refreshToken: "refresh-1",
                                expiresAt: harness.now.addingTimeInterval(3600), scopes: ["read"])
        stored.tokenURL = "https://api.td.test/oauth/token"
        harness.store.records[Self.tdKey] = CommandHarness.bound(stored, to: "https://api.td.test")
        return harness
    }

    func testAnOAuthTokenIsRefreshedAtTheTokenEndpointAndTheRotatedRefreshTokenStored() throws {
        let harness = try oauthHarness()
        harness.transport.on("POST /oauth/token") { _ in
            .init(200, #"{"access_token":"access-2","token_type":"Bearer","expires_in":7200,"refresh_token":"refresh-2"}"#)
        }
        let run = harness.run("token", "refresh", "-p", "td")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "Refreshed the token of td; it expires in 2h (the refresh token was rotated)\n")
        XCTAssertEqual(run.stdout, "")
        let sent = try XCTUnwrap(harness.transport.requests("POST /oauth/token").first)
        XCTAssertEqual(sent.url, "https://api.td.test/oauth/token")
        XCTAssertEqual(sent.headers["Content-Type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(Set(CommandHarness.textBody(sent).split(separator: "&").map(String.init)),
                       ["grant_type=refresh_token", "refresh_token=refresh-1", "client_id=cli-app"])
        XCTAssertNil(sent.headers["Authorization"], "a public client sends no credential of its own")
        let stored = try XCTUnwrap(harness.store.records[Self.tdKey])
        XCTAssertEqual(stored.token, "access-2")
        XCTAssertEqual(stored.refreshToken, "refresh-2")
        XCTAssertEqual(stored.expiresAt, harness.now.addingTimeInterval(7200))
        XCTAssertEqual(stored.scopes, ["read"], "an answer without scopes keeps the old ones")
    }

    /// An unsigned JWT with these claims.
    static func jwt(_ claims: String) -> String {
        [#"{"alg":"none","typ":"JWT"}"#, claims]
            .map { Data($0.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") }
            .joined(separator: ".") + ".sig"
    }

    func testAPairIsRefreshedAtPairRefreshWithTheRefreshTokenInTheBody() throws {
        let harness = try CommandHarness(config: CommandHarness.pair)
        let stored = Credential(token: "access-1", kind: "pair", refreshToken: "refresh-1", expiresAt: harness.now.addingTimeInterval(300))
        harness.store.records[Self.jwtKey] = CommandHarness.bound(stored, to: "https://api.pair.test")
        // simplejwt answers a new access JWT; without pair.expires_in its exp says when it expires.
        let access = Self.jwt(#"{"token_type":"access","exp":1800000600}"#)
        harness.transport.on("POST /api/token/refresh/") { _ in .init(200, #"{"access":"\#(access)"}"#) }
        let run = harness.run("token", "refresh", "-p", "jwt")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "Refreshed the token of jwt; it expires in 10m\n", "an unrotated refresh token is not said to be rotated")
        XCTAssertFalse(run.stderr.contains(access) || run.stderr.contains("refresh-1"), run.stderr)
        let sent = try XCTUnwrap(harness.transport.requests("POST /api/token/refresh/").first)
        XCTAssertEqual(sent.url, "https://api.pair.test/api/token/refresh/")
        XCTAssertEqual(try CommandHarness.jsonBody(sent), ["refresh": "refresh-1"] as NSDictionary)
        let renewed = try XCTUnwrap(harness.store.records[Self.jwtKey])
        XCTAssertEqual(renewed.token, access)
        XCTAssertEqual(renewed.refreshToken, "refresh-1", "an answer without a refresh token keeps the old one")
        XCTAssertEqual(renewed.expiresAt, harness.now.addingTimeInterval(600))
    }

    func testARefreshTheProviderRefusesIsAnAuthenticationErrorAndKeepsTheStoredToken() throws {
        let harness = try oauthHarness()
        harness.transport.on("POST /oauth/token") { _ in
            .init(400, #"{"error":"invalid_grant","error_description":"The refresh token has expired"}"#)
        }
        let run = harness.run("token", "refresh", "-p", "td")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: ") && run.stderr.contains("invalid_grant"), run.stderr)
        XCTAssertFalse(run.stderr.contains("refresh-1") || run.stderr.contains("access-1"), run.stderr)
        XCTAssertEqual(harness.store.records[Self.tdKey]?.token, "access-1")
        XCTAssertEqual(harness.store.records[Self.tdKey]?.refreshToken, "refresh-1")
    }

    func testAStoredAPIKeyHasNothingToRefresh() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        harness.store.records[CommandHarness.dzKey] = CommandHarness.bound(Credential(token: "stored-key", tokenID: "k1"))
        let run = harness.run("token", "refresh", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stderr, "apictl: the stored credential of dz is an API key, not an OAuth 2.0 token or a token pair; "
                       + "it has nothing to refresh (to replace a key, use 'apictl token rotate -p dz')\n")
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertEqual(harness.store.records[CommandHarness.dzKey]?.token, "stored-key")
    }

    func testATokenFromTheEnvironmentIsNotRefreshedAndTheStoreNotTouched() throws {
        let harness = try oauthHarness()
        harness.environment["APICTL_TOKEN"] = "env-token"
        let run = harness.run("token", "refresh", "-p", "td")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue)
        XCTAssertEqual(run.stderr, "apictl: the token comes from the environment variable APICTL_TOKEN, which apictl cannot renew "
                       + "(unset it to refresh the stored token)\n")
        XCTAssertFalse(run.stderr.contains("env-token"))
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertEqual(harness.store.records[Self.tdKey]?.token, "access-1")
    }
}
