@testable import APICtlCore
import Foundation
import XCTest

final class TokenGrantTests: XCTestCase {
    func parse(_ json: String) throws -> TokenGrant { try TokenGrant.parse(Array(json.utf8), from: "https://auth/token") }

    func testStandardAndStringExpiry() throws {
        let grant = try parse(#"{"access_token":"a","refresh_token":"r","expires_in":"3600","scope":"x y","token_type":"Bearer"}"#)
        XCTAssertEqual(grant.expiresIn, 3600)
        XCTAssertEqual(grant.scopes, ["x", "y"])
        XCTAssertEqual(grant.refreshToken, "r")
    }

    func testRefusals() {
        XCTAssertThrowsError(try parse("not json"))
        XCTAssertThrowsError(try parse(#"{"token_type":"Bearer"}"#))
        XCTAssertThrowsError(try parse(#"{"access_token":"a","expires_in":-1}"#))
        XCTAssertThrowsError(try parse(#"{"access_token":"a","expires_in":1e12}"#))
        XCTAssertThrowsError(try parse(#"{"access_token":"","expires_in":5}"#))
    }

    func testRefreshWithoutRefreshTokenKeepsTheOldOne() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var previous = Credential(token: "old", kind: "oauth2", refreshToken: "keep-me", scopes: ["s"])
        previous.tokenURL = "https://auth/token"
        let fresh = try parse(#"{"access_token":"new","expires_in":60}"#).credential(receivedAt: now, replacing: previous, requestedScopes: nil)
        XCTAssertEqual(fresh.token, "new")
        XCTAssertEqual(fresh.refreshToken, "keep-me")
        XCTAssertEqual(fresh.expiresAt, now.addingTimeInterval(60))
        XCTAssertEqual(fresh.scopes, ["s"])
        XCTAssertEqual(fresh.tokenURL, "https://auth/token")
    }

    func testDueWithinTheMarginOnlyWhenItCanRenewItself() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let profile = try ResolvedProfile.resolve(name: "p", config: ProfileConfig(auth: "oauth2", baseURL: "https://api.example",
                                                                                   oauth: OAuthConfig(clientID: "c")),
                                                  requestedEnvironment: nil, configPath: "test")
        var credential = Credential(token: "t", kind: "oauth2", refreshToken: "r", expiresAt: now.addingTimeInterval(59))
        XCTAssertTrue(CredentialRefresher.isDue(credential, for: profile, now: now))
        credential.expiresAt = now.addingTimeInterval(61)
        XCTAssertFalse(CredentialRefresher.isDue(credential, for: profile, now: now))
        // never more than half its lifetime ahead: a 30-second token is renewed with 15 s left
        credential.issuedAt = now.addingTimeInterval(-10)
        credential.expiresAt = now.addingTimeInterval(20)
        XCTAssertFalse(CredentialRefresher.isDue(credential, for: profile, now: now))
        credential.issuedAt = now.addingTimeInterval(-16)
        credential.expiresAt = now.addingTimeInterval(14)
        XCTAssertTrue(CredentialRefresher.isDue(credential, for: profile, now: now))
        // without a refresh token it is used until it expires
        credential.refreshToken = nil
        credential.expiresAt = now.addingTimeInterval(5)
        XCTAssertFalse(CredentialRefresher.isDue(credential, for: profile, now: now))
        credential.expiresAt = now
        XCTAssertTrue(CredentialRefresher.isDue(credential, for: profile, now: now))
        credential.kind = "api_key"
        XCTAssertFalse(CredentialRefresher.isDue(credential, for: profile, now: now))   // a key is not refreshed
    }
}

final class PKCEAndRedirectTests: XCTestCase {
    func testRFC7636AppendixB() {
        let pkce = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        XCTAssertEqual(pkce.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        XCTAssertEqual(PKCE().verifier.count, 43)
        XCTAssertNotEqual(PKCE().verifier, PKCE().verifier)
    }

    func testPastedRedirects() throws {
        XCTAssertEqual(try LoopbackReceiver.code(fromPasted: "http://127.0.0.1:5/callback?code=abc%2B1&state=s1", state: "s1"), "abc+1")
        XCTAssertEqual(try LoopbackReceiver.code(fromPasted: "bare-code", state: "s1"), "bare-code")
        XCTAssertThrowsError(try LoopbackReceiver.code(fromPasted: "http://x/callback?code=abc&state=other", state: "s1"))
        XCTAssertThrowsError(try LoopbackReceiver.code(fromPasted: "http://x/callback?error=access_denied&state=s1", state: "s1"))
        XCTAssertThrowsError(try LoopbackReceiver.code(fromPasted: "http://x/callback?state=s1", state: "s1"))
        XCTAssertThrowsError(try LoopbackReceiver.code(fromPasted: "two words", state: "s1"))
    }

    func testFormQuery() {
        XCTAssertEqual(FormQuery.parse("a=1&b=two+words&c=%2F&d"), ["a": "1", "b": "two words", "c": "/", "d": ""])
    }
}

final class TokenLifecycleTests: XCTestCase {
    func testDurations() {
        XCTAssertEqual(DurationText.seconds("90d"), 90 * 86400)
        XCTAssertEqual(DurationText.seconds("12h"), 43200)
        XCTAssertEqual(DurationText.seconds("30m"), 1800)
        XCTAssertEqual(DurationText.seconds("3600"), 3600)
        for bad in ["0", "-5d", "9999999d", "12x", "", "d", "1.5h", "99999999999999"] {
            XCTAssertNil(DurationText.seconds(bad), bad)
        }
    }

    func testJSONPointers() {
        let document = JSONValue(parsing: Array(#"{"data":{"key":"k","a/b":1,"m~n":2,"list":[10,20]}}"#.utf8))
        XCTAssertEqual(document?.at(pointer: "/data/key"), .string("k"))
        XCTAssertEqual(document?.at(pointer: "/data/a~1b"), .number("1"))
        XCTAssertEqual(document?.at(pointer: "/data/m~0n"), .number("2"))
        XCTAssertEqual(document?.at(pointer: "/data/list/1"), .number("20"))
        XCTAssertNil(document?.at(pointer: "/data/list/01"))
        XCTAssertNil(document?.at(pointer: "/data/missing"))
        XCTAssertNil(JSONPointer.tokens("data/key"))
        XCTAssertNil(JSONPointer.tokens("/bad~2escape"))
        XCTAssertEqual(JSONPointer.tokens(""), [])
    }

    func testCreateBodyPlaceholdersAreTypedOrLeftOut() {
        let template: JSONValue = .object(["name": "{name}", "scopes": "{scopes}", "expires_in": "{expires_in}",
                                           "kind": "private", "meta": .object(["at": "{expires_at}"])])
        let filled = TokenAPI.fill(template, with: ["{name}": "ci", "{scopes}": .null, "{expires_in}": .number("60"),
                                                    "{expires_at}": .null])
        XCTAssertEqual(filled, .object(["name": "ci", "expires_in": .number("60"), "kind": "private", "meta": .object([:])]))
    }

    func testRFC3339() {
        XCTAssertEqual(Timestamp.rfc3339("1970-01-02T00:00:00Z")?.timeIntervalSince1970, 86400)
        XCTAssertEqual(Timestamp.rfc3339("1970-01-02T02:00:00+02:00")?.timeIntervalSince1970, 86400)
        XCTAssertEqual(Timestamp.rfc3339("1970-01-02T00:00:00.5Z")?.timeIntervalSince1970, 86400.5)
        XCTAssertNil(Timestamp.rfc3339("1970-13-02T00:00:00Z"))
        XCTAssertNil(Timestamp.rfc3339("yesterday"))
        XCTAssertEqual(Timestamp.parse(.number("86400"))?.timeIntervalSince1970, 86400)
    }

    /// Dates a person typed that do not exist are refused, not rolled over into the next month, day or hour;
    /// an API's "T24:00:00" is the end of the day, as ISO 8601 reads it.
    func testRFC3339RefusesTypedDatesThatDoNotExist() {
        for text in ["2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-32T00:00:00Z",
                     "2026-00-10T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T23:60:00Z",
                     "2026-12-01T23:59:61Z"] {
            XCTAssertNil(Timestamp.rfc3339Existing(text), text)
        }
        XCTAssertEqual(Timestamp.rfc3339Existing("2024-02-29T00:00:00Z").map(Timestamp.iso8601), "2024-02-29T00:00:00Z")
        XCTAssertEqual(Timestamp.rfc3339Existing("2000-02-29T23:59:59Z").map(Timestamp.iso8601), "2000-02-29T23:59:59Z")
        XCTAssertEqual(Timestamp.rfc3339Existing("2026-12-31T23:59:59+05:30").map(Timestamp.iso8601), "2026-12-31T18:29:59Z")
        XCTAssertEqual(Timestamp.rfc3339("2026-12-10T24:00:00Z").map(Timestamp.iso8601), "2026-12-11T00:00:00Z")
    }

    /// Nothing may follow the zone, and an offset's hours and minutes are in range.
    func testRFC3339ZoneIsChecked() {
        for text in ["2026-12-01T09:00:00Z+01:00", "2026-12-01T09:00:00Zjunk", "2026-12-01T09:00:00ZZ", "2026-12-01T09:00:00+01:00Z",
                     "2026-12-01T09:00:00+00:60", "2026-12-01T09:00:00+24:00", "2026-12-01T09:00:00+0100", "2026-12-01T09:00:00.Z",
                     "2026-12-01T09:00:00"] {
            XCTAssertNil(Timestamp.rfc3339(text), text)
        }
        XCTAssertEqual(Timestamp.rfc3339("2026-12-01T09:00:00.25-01:30")?.timeIntervalSince1970, 1_796_115_600.25 + 5400)
        XCTAssertEqual(Timestamp.rfc3339("2026-12-01t09:00:00z").map(Timestamp.iso8601), "2026-12-01T09:00:00Z")
    }

    func testRotationFlags() throws {
        let profile = try ResolvedProfile.resolve(name: "p", config: ProfileConfig(auth: "bearer", baseURL: "https://x"),
                                                  requestedEnvironment: nil, configPath: "/c")
        let now = Date(timeIntervalSince1970: 100 * 86400)
        XCTAssertEqual(KeyAge.flags(createdAt: Date(timeIntervalSince1970: 0), expiresAt: now.addingTimeInterval(86400),
                                    profile: profile, now: now), ["rotate", "expiring"])
        XCTAssertEqual(KeyAge.flags(createdAt: now, expiresAt: nil, profile: profile, now: now), [])
    }
}
