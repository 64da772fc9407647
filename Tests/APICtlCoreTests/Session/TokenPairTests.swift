@testable import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `[pair]` profiles with a fake transport: the form-encoded OAuth 2.0 password grant,
/// and a refresh that carries the refresh token as its Bearer credential.
final class TokenPairTests: XCTestCase {
    static let config = """
    [profiles.legacy]
    auth = "bearer"
    base_url = "https://api.pair.test/v1"
    [profiles.legacy.pair]
    obtain = "POST /oauth/token"
    obtain_format = "form"
    obtain_body = { grant_type = "password", username = "{username}", password = "{password}", client_id = "cli" }
    refresh = "POST /auth/refresh"
    refresh_with = "bearer"
    access = "/access_token"
    refresh_token = "/refresh_token"
    expires_in = "/expires_in"
    """

    func testAPasswordGrantObtainsAndABearerRefreshRenews() throws {
        let f = try SessionFixture(Self.config)
        let profile = try f.profile("legacy")
        f.transport.on("POST /v1/oauth/token") { request in
            XCTAssertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded")
            let body = String(decoding: request.body ?? [], as: UTF8.self)
            XCTAssertEqual(body, "client_id=cli&grant_type=password&password=p%40ss%20word&username=alice")
            return .init(200, #"{"access_token":"a1","refresh_token":"r1","expires_in":60}"#)
        }
        f.transport.on("POST /v1/auth/refresh") { request in
            XCTAssertEqual(request.headers["Authorization"], "Bearer r1")
            XCTAssertNil(request.body)
            return .init(200, #"{"access_token":"a2","expires_in":60}"#)
        }
        let client = TokenPairClient(profile: profile, pair: try XCTUnwrap(profile.pair), http: f.parts.client(profile: nil, credential: nil))
        let obtained = try client.obtain(username: "alice", password: "p@ss word", token: nil, now: f.now)
        XCTAssertEqual(obtained.token, "a1")
        XCTAssertEqual(obtained.refreshToken, "r1")
        XCTAssertEqual(obtained.expiresAt, f.now.addingTimeInterval(60))
        XCTAssertEqual(obtained.kind, "pair")
        let renewed = try client.refresh(obtained, now: f.now)
        XCTAssertEqual(renewed.token, "a2")
        XCTAssertEqual(renewed.refreshToken, "r1", "a refresh answer without a new refresh token keeps the old one")
    }

    /// A pair API with no refresh endpoint still logs in: its access token lives until it expires.
    func testAPairWithoutARefreshEndpointObtains() throws {
        let f = try SessionFixture("""
        [profiles.short]
        auth = "bearer"
        base_url = "https://api.pair.test/v1"
        [profiles.short.pair]
        obtain = "POST /token/"
        """)
        let profile = try f.profile("short")
        f.transport.on("POST /v1/token/") { _ in .init(200, #"{"access":"a1"}"#) }
        let client = TokenPairClient(profile: profile, pair: try XCTUnwrap(profile.pair), http: f.parts.client(profile: nil, credential: nil))
        let obtained = try client.obtain(username: "alice", password: "pw", token: nil, now: f.now)
        XCTAssertEqual(obtained.token, "a1")
        // Where it came from is recorded (a refresh token may go back there only); no refresh endpoint is.
        XCTAssertEqual(obtained.tokenURL, "https://api.pair.test/v1/token/")
        XCTAssertNil(obtained.refreshURL)
    }

    func testADueStoredPairIsRenewedByTheSession() throws {
        let f = try SessionFixture(Self.config)
        var stored = Credential(token: "old", kind: "pair", refreshToken: "r1", expiresAt: f.now.addingTimeInterval(10))
        stored.origin = "https://api.pair.test"
        f.store.records[f.key("legacy")] = stored
        f.transport.on("POST /v1/auth/refresh") { _ in .init(200, #"{"access_token":"fresh","refresh_token":"r2","expires_in":60}"#) }
        let session = try CredentialSession.open(profile: try f.profile("legacy"), parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "fresh")
        XCTAssertEqual(f.store.records[f.key("legacy")]?.refreshToken, "r2", "the rotated refresh token is stored")
    }
}
