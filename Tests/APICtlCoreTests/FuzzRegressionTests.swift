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
