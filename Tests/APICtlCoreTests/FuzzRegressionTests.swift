import XCTest
@testable import APICtlCore

/// Inputs `make fuzz` found (Fuzz/run.sh), each kept as the smallest case that
/// showed the bug, with the property it broke.
final class FuzzRegressionTests: XCTestCase {
    /// arguments target: `apictl $'r\r'` printed "unknown command 'r<CR>'": the CR
    /// returned the cursor and the rest of the line overwrote the start.
    func testErrorLinesEscapeControlCharacters() {
        let error = APICtlError.usage("unknown command 'r\r\u{1B}[2J' for 'apictl'", hint: "see\n'apictl help'")
        XCTAssertEqual(error.line, "apictl: unknown command 'r\\r\\u{1B}[2J' for 'apictl' (see\\n'apictl help')")
        XCTAssertEqual(APICtlError.usage("plain").line, "apictl: plain")
    }

    /// credential_file target: a record with `"created_at": "0000-01-11T00:15:00Z"` read back as year
    /// 0001 (the hand-written formatter clamped), and `"expires_at": "92030-01-01T00:00:00Z"` was read
    /// as year 92030 by the format style but written back as 9999. Every date the parser takes, the
    /// record gives back; a year that is not four digits is not RFC 3339.
    func testEveryDateARecordReadsItWritesBack() throws {
        for text in ["0000-01-11T00:15:00Z", "9999-12-31T23:59:59Z", "2026-11-23T18:42:07Z"] {
            let date = try XCTUnwrap(Timestamp.rfc3339(text), text)
            XCTAssertEqual(Timestamp.iso8601(date), text)
        }
        XCTAssertNil(Timestamp.rfc3339("92030-01-01T00:00:00Z"))
        XCTAssertNil(Timestamp.rfc3339("2026-1-01T00:00:00Z"))
        let record = JSONValue(parsing: Array(#"{"token":"t","created_at":"0000-01-11T00:15:00Z"}"#.utf8)).flatMap(CredentialRecord.credential)
        let again = record.flatMap { JSONValue(parsing: CredentialRecord.encode($0)) }.flatMap(CredentialRecord.credential)
        XCTAssertEqual(again, record)
        XCTAssertNotNil(record)
    }

    /// config target: `[p.p]` is a table apictl does not know. It is told as an unknown key, and a
    /// config written back without it is still the same config.
    func testAnUnknownTableIsToldButIsNotPartOfTheConfig() throws {
        let config = try ConfigStore.parse(Array("[p.p]".utf8), path: "fuzz.toml")
        XCTAssertEqual(config.unknownKeys.count, 1)
        XCTAssertTrue(config.unknownKeys.first?.hasPrefix("unknown key 'p' at the top, ignored") ?? false)
        let again = try ConfigStore.parse(Array(ConfigTOML.encode(config).utf8), path: "fuzz.toml")
        XCTAssertEqual(again, config)
        XCTAssertEqual(again.unknownKeys, [])
    }

    /// rate_limit target: `RateLimit: limit=-10` gave a limit of -10 ("-10 remaining" in -v).
    func testNegativeRateLimitCountsAreIgnored() {
        var headers = HTTPHeaders()
        headers.add("RateLimit", "limit=-10, remaining=-2, reset=-5")
        headers.add("X-RateLimit-Remaining", "-1")
        let status = RateLimitStatus.parse(headers, now: Date(timeIntervalSince1970: 0))
        XCTAssertNil(status.limit)
        XCTAssertNil(status.remaining)
        XCTAssertNil(status.resetAt)
    }

    /// link_header target: `<>; rel="next"` was a next page: the same page again, forever.
    func testAnEmptyNextLinkEndsPagination() {
        XCTAssertNil(Paginator.nextLink("<>; rel=\"pvev next\";"))
        XCTAssertEqual(Paginator.nextLink("<>; rel=next, </p2>; rel=next"), "/p2")
    }

    /// config target: `[ = "sk_test_"` (and `["a",}` in an array) aborted the process in
    /// toml++'s parser assertions, for every command, with no line saying why. The
    /// Makefile builds toml++ with TOML_ASSERT defined empty, so its parser reports them.
    func testMalformedConfigsThatAbortedTomlPlusPlusAreConfigErrors() throws {
        for text in ["[ = \"sk_test_\"\n", "[\n", "a = 1\n[[ \n", "[[[ = 1\n", "scopes = [\"a\",}\n"] {
            XCTAssertThrowsError(try ConfigStore.parse(Array(text.utf8), path: "c.toml"), text) { error in
                XCTAssertEqual((error as? APICtlError)?.exitCode, .configuration)
                XCTAssertTrue((error as? APICtlError)?.message.hasPrefix("config file c.toml, line ") == true, "\(error)")
            }
        }
    }
}
