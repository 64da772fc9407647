@testable import APICtlCore
import Foundation
import TOMLKit
import XCTest

/// The config file is read and written by hand rather than through Codable;
/// these pin that every field survives a round trip and that a value of the
/// wrong shape is named by its full path.
final class ConfigTOMLTests: XCTestCase {
    private func decode(_ text: String) throws -> ConfigFile {
        try ConfigTOML.decode(TOMLTable(string: text))
    }

    func testEveryFieldRoundTrips() throws {
        let profile = ProfileConfig(
            preset: "pocketdns", auth: "header:X-Api-Key", baseURL: "https://{host}/v1", tokenEnv: "KEY",
            whoami: "/me", defaultEnv: "sandbox",
            environments: ["sandbox": EnvironmentConfig(baseURL: "https://sandbox.example", tokenEnv: "SANDBOX_KEY"),
                           "production": EnvironmentConfig(baseURL: "https://example")],
            vars: ["host": "api.example"], headers: ["Accept": "application/json", "X-Trace": "a'b\"c"],
            caCert: "/etc/ca.pem",
            pagination: PaginationConfig(items: "/data", nextURL: "/next", nextCursor: "/meta/cursor",
                                         cursorParam: "cursor", pageParam: "page"))
        let config = ConfigFile(defaultProfile: "p", credentialStore: "file", passphraseCache: "1h", keyringCache: "90",
                                profiles: ["p": profile, "q": ProfileConfig(auth: "bearer", baseURL: "https://q")])
        XCTAssertEqual(try decode(ConfigTOML.encode(config)), config)
    }

    func testOAuthAndTokensTablesRoundTrip() throws {
        let oauth = OAuthConfig(issuer: "https://auth", authorizeURL: "https://auth/a", tokenURL: "https://auth/t",
                                deviceAuthorizationURL: "https://auth/d", revocationURL: "https://auth/r",
                                refreshURL: "/auth/refresh", clientID: "cli", clientSecretEnv: "SECRET", clientAuth: "post",
                                tokenRequest: "json", scopes: ["a", "b"], redirectPort: 8400, redirectPath: "/cb",
                                redirectHost: "localhost")
        let tokens = TokensConfig(create: "POST /k", list: "GET /k", revoke: "DELETE /k/{id}",
                                  createBody: ["name": "{name}", "ttl": "{expires_in}", "kind": "private", "n": .number("2"),
                                               "flag": .bool(true)],
                                  key: "/data/key", id: "/data/id", expiresAt: "/data/exp", listItems: "/data",
                                  itemID: "/id", itemName: "/name", itemScopes: "/scopes", itemCreatedAt: "/c",
                                  itemExpiresAt: "/e", rotateAfter: "30d")
        let config = ConfigFile(profiles: ["p": ProfileConfig(auth: "oauth2", baseURL: "https://x", oauth: oauth, tokens: tokens,
                                                               whoamiKeyID: "/data/key_id")])
        XCTAssertEqual(try decode(ConfigTOML.encode(config)), config)
        XCTAssertThrowsError(try decode("[profiles.a]\nauth = 'oauth2'\n[profiles.a.oauth]\nclient_auth = 'magic'\n")) { error in
            XCTAssertTrue((error as? ConfigTOML.ShapeError)?.message.contains("profiles.a.oauth.client_auth") == true)
        }
        XCTAssertThrowsError(try decode("[profiles.a]\nauth = 'oauth2'\n[profiles.a.oauth]\nredirect_port = 70000\n"))
        XCTAssertThrowsError(try decode("[profiles.a]\nauth = 'oauth2'\n[profiles.a.oauth]\nscopes = 'a b'\n"))
    }

    func testCITableRoundTripsAndIsCheckedForWhatAnExchangeNeeds() throws {
        let ci = CIConfig(exchange: "mint", tokenURL: "https://auth/t", audience: "https://api", scopes: ["a"], clientID: "ci",
                          subjectTokenType: "urn:ietf:params:oauth:token-type:id_token", idTokenEnv: "ID", idTokenFile: "/t",
                          mint: "POST /mint", mintBody: ["token": "{id_token}", "aud": "{audience}"], mintToken: "/token",
                          mintExpiresAt: "/expires")
        let config = ConfigFile(profiles: ["p": ProfileConfig(auth: "bearer", baseURL: "https://x", ci: ci)])
        XCTAssertEqual(try decode(ConfigTOML.encode(config)), config)
        XCTAssertNil(CIExchange.problem(ci, oauth: nil))
        XCTAssertNotNil(CIExchange.problem(CIConfig(exchange: "jwt-bearer", audience: "a"), oauth: nil), "no token endpoint")
        XCTAssertNil(CIExchange.problem(CIConfig(exchange: "jwt-bearer", audience: "a"), oauth: OAuthConfig(issuer: "https://i")))
        XCTAssertNotNil(CIExchange.problem(CIConfig(exchange: "jwt-bearer", tokenURL: "https://t"), oauth: nil), "no audience")
        XCTAssertThrowsError(try decode("[profiles.a]\nauth = 'bearer'\n[profiles.a.ci]\nexchange = 'sts'\n")) { error in
            XCTAssertTrue((error as? ConfigTOML.ShapeError)?.message.contains("profiles.a.ci.exchange") == true)
        }
    }

    func testAbsentOptionalsStayAbsent() throws {
        let config = try decode("[profiles.a]\nauth = 'bearer'\nbase_url = 'https://x'\n")
        XCTAssertEqual(config, ConfigFile(profiles: ["a": ProfileConfig(auth: "bearer", baseURL: "https://x")]))
        XCTAssertEqual(try decode(""), ConfigFile())
    }

    func testWrittenTextIsSortedTables() {
        let text = ConfigTOML.encode(ConfigFile(defaultProfile: "a", profiles: [
            "a": ProfileConfig(auth: "bearer", baseURL: "https://x", headers: ["Accept": "application/json"]),
        ]))
        XCTAssertEqual(text, """
            default_profile = 'a'

            [profiles.a]
            auth = 'bearer'
            base_url = 'https://x'

            [profiles.a.headers]
            Accept = 'application/json'
            """)
    }

    func testWrongShapesNameTheirPath() {
        let cases: [(String, String)] = [
            ("default_profile = 1", "default_profile: expected a string, found an integer"),
            ("profiles = 'x'", "profiles: expected a table, found a string"),
            ("[profiles]\na = 1", "profiles.a: expected a table, found an integer"),
            ("[profiles.a]\nbase_url = 'https://x'", "profiles.a.auth: missing; it must be a string"),
            ("[profiles.a]\nauth = true", "profiles.a.auth: expected a string, found true or false"),
            ("[profiles.a]\nauth = 'bearer'\n[profiles.a.headers]\nAccept = ['json']",
             "profiles.a.headers.Accept: expected a string, found an array"),
            ("[profiles.a]\nauth = 'bearer'\n[profiles.a.environments.prod]\ntoken_env = 'K'",
             "profiles.a.environments.prod.base_url: missing; it must be a string"),
            ("[profiles.a]\nauth = 'bearer'\npagination = 3", "profiles.a.pagination: expected a table, found an integer"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try decode(text), text) { error in
                XCTAssertEqual((error as? ConfigTOML.ShapeError)?.message, message, text)
            }
        }
    }

    func testCacheLifetimes() throws {
        func keyring(_ configured: String?, _ environment: [String: String] = [:]) throws -> Double {
            try KeyringCopies.lifetime(config: ConfigFile(keyringCache: configured), environment: environment)
        }
        XCTAssertEqual(try keyring(nil), 900)
        XCTAssertEqual(try keyring("90"), 90)
        XCTAssertEqual(try keyring("2h"), 7200)
        XCTAssertEqual(try keyring("0"), 0)
        XCTAssertEqual(try keyring("2h", ["APICTL_KEYRING_CACHE": "0"]), 0)
        XCTAssertEqual(try keyring("0", ["APICTL_KEYRING_CACHE": ""]), 0)
        XCTAssertThrowsError(try keyring("soon")) { error in
            XCTAssertEqual((error as? APICtlError)?.message,
                           "keyring_cache=soon is not a duration such as 15m, 1h or 900 (or 0 for off)")
        }
        XCTAssertEqual(try DerivedKeyCache.lifetime(config: ConfigFile(passphraseCache: "5m"), environment: [:]), 300)
        XCTAssertThrowsError(try DerivedKeyCache.lifetime(config: ConfigFile(), environment: ["APICTL_PASSPHRASE_CACHE": "-1"]))
    }
}
