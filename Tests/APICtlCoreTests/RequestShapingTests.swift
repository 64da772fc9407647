@testable import APICtlCore
import APICtlTestSupport
import FoundationEssentials
import XCTest

/// Idempotency keys on retried POSTs, preset OAuth endpoints moved with the base URL,
/// plain-word TOML errors and libjq: the core pieces behind request shaping and profile edits.
final class RequestShapingTests: XCTestCase {
    let toml = """
    [profiles.pay]
    auth = "bearer"
    base_url = "https://api.example.com/v1"
    idempotency_header = "Idempotency-Key"
    """

    func client(_ fixture: SessionFixture) throws -> APIClient {
        APIClient(transport: fixture.transport, profile: try fixture.profile("pay"),
                  credential: ResolvedCredential(credential: Credential(token: "k"), source: .environment(variable: "T")),
                  settings: ClientSettings(sleep: { _ in }))
    }

    func testAKeyedPostIsRetriedWithTheSameKey() throws {
        let fixture = try SessionFixture(toml)
        var calls = 0
        fixture.transport.on("POST /v1/charges") { _ in
            calls += 1
            return calls == 1 ? .init(503) : .init(201, "{}")
        }
        let request = HTTPRequest(method: "POST", url: "https://api.example.com/v1/charges", body: Array("{}".utf8))
        let response = try client(fixture).fetch(request)
        XCTAssertEqual(response.head.status, 201)
        let keys = fixture.transport.requests("POST /v1/charges").map { $0.headers["Idempotency-Key"] }
        XCTAssertEqual(keys.count, 2)
        XCTAssertNotNil(keys[0])
        XCTAssertEqual(keys[0], keys[1])
        // A second request gets a key of its own.
        _ = try client(fixture).fetch(request)
        XCTAssertNotEqual(fixture.transport.requests("POST /v1/charges").last?.headers["Idempotency-Key"], keys[0])
    }

    func testWithoutTheSettingAPostIsNotRetriedAndCarriesNoKey() throws {
        let fixture = try SessionFixture(toml.replacingOccurrences(of: "idempotency_header = \"Idempotency-Key\"", with: ""))
        fixture.transport.on("POST /v1/charges") { _ in .init(503) }
        let request = HTTPRequest(method: "POST", url: "https://api.example.com/v1/charges", body: Array("{}".utf8))
        XCTAssertEqual(try client(fixture).fetch(request).head.status, 503)
        XCTAssertEqual(fixture.transport.requests("POST /v1/charges").count, 1)
        XCTAssertNil(fixture.transport.requests("POST /v1/charges")[0].headers["Idempotency-Key"])
    }

    func testAUsersKeyWins() throws {
        let fixture = try SessionFixture(toml)
        fixture.transport.on("PATCH /v1/charges/1") { _ in .init(200, "{}") }
        var request = HTTPRequest(method: "PATCH", url: "https://api.example.com/v1/charges/1", body: Array("{}".utf8))
        request.headers.add("Idempotency-Key", "mine")
        _ = try client(fixture).fetch(request)
        XCTAssertEqual(fixture.transport.sent.first?.headers.filter { $0.name == "Idempotency-Key" }.map(\.value), ["mine"])
    }

    func testAPresetsOAuthEndpointsMoveUnderTheNewAPIRoot() throws {
        let preset = try XCTUnwrap(Preset.named("techdocs"))
        var profile = preset.profile
        let moved = preset.moveOAuthEndpoints(of: &profile, to: "http://127.0.0.1:8765/techdocs/v1/")
        XCTAssertEqual(profile.oauth?.authorizeURL, "http://127.0.0.1:8765/techdocs/oauth/authorize")
        XCTAssertEqual(profile.oauth?.tokenURL, "http://127.0.0.1:8765/techdocs/oauth/token")
        XCTAssertEqual(profile.oauth?.refreshURL, "/auth/refresh", "a path under the base URL stays a path")
        XCTAssertEqual(moved.count, 2)
        var other = preset.profile
        _ = preset.moveOAuthEndpoints(of: &other, to: "https://staging.example.com/api")
        XCTAssertEqual(other.oauth?.tokenURL, "https://staging.example.com/oauth/token", "no /v1 to strip: the origin")
    }

    func testTOMLErrorsAreInPlainWords() {
        XCTAssertEqual(TOMLErrorText.plain("Error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited"),
                       "a string is not closed: put the closing quote before the end of the line")
        XCTAssertEqual(TOMLErrorText.plain("Error while parsing key-value pair: cannot redefine existing string 'auth'"), "'auth' is set twice")
        XCTAssertEqual(TOMLErrorText.plain("Error while parsing table header: cannot redefine existing table 'p'"), "the table [p] appears twice")
        XCTAssertEqual(TOMLErrorText.plain("something new"), "something new")
    }

    /// A filter's `$ENV` and `env` are the environment it is handed, not the process's.
    func testAFiltersEnvironmentIsTheOneItIsHanded() throws {
        let filter = try JQFilter("[$ENV.ONLY_HANDED, env.ONLY_HANDED, $ENV.PATH]", environment: ["ONLY_HANDED": "yes"])
        var results: [String] = []
        try filter.run(Array("null".utf8), pretty: false) { output in
            if case .json(let bytes) = output { results.append(String(decoding: bytes, as: UTF8.self)) }
        }
        XCTAssertEqual(results, [#"["yes","yes",null]"#])
    }

    func testJQRunsJqsLanguageAndReportsErrors() throws {
        let filter = try JQFilter(".items[] | select(.n > 1) | .name", environment: [:])
        var results: [String] = []
        try filter.run(Array(#"{"items":[{"n":1,"name":"a"},{"n":2,"name":"b"},{"n":3,"name":"c"}]}"#.utf8), pretty: false) { output in
            if case .string(let text) = output { results.append(String(decoding: text, as: UTF8.self)) }
        }
        XCTAssertEqual(results, ["b", "c"])
        XCTAssertThrowsError(try JQFilter(".[", environment: [:])) { error in
            XCTAssertEqual((error as? APICtlError)?.exitCode, .usage)
        }
        XCTAssertThrowsError(try filter.run(Array("not json".utf8), pretty: false) { _ in }) { error in
            XCTAssertEqual((error as? APICtlError)?.exitCode, .filterFailed)
        }
    }
}
