@testable import APICtlCore
import Foundation
import XCTest

final class APIErrorDecoderTests: XCTestCase {
    func decode(_ json: String) -> APIErrorDetail? { APIErrorDecoder.decode(Array(json.utf8)) }

    func testSeedShapes() {
        XCTAssertEqual(decode(#"{"error":{"code":"INVALID_TOKEN","message":"bad","status":401}}"#), .init(code: "INVALID_TOKEN", message: "bad"))
        XCTAssertEqual(decode(#"{"type":"client_error","errors":[{"code":"invalid_token","detail":"expired","attr":null,"extra":null}]}"#),
                       .init(code: "invalid_token", message: "expired"))
        XCTAssertEqual(decode(#"{"error":"Invalid API key"}"#), .init(code: nil, message: "Invalid API key"))
        XCTAssertEqual(decode(#"{"success":false,"error":{"code":"FORBIDDEN","message":"no"}}"#), .init(code: "FORBIDDEN", message: "no"))
        XCTAssertEqual(decode(#"{"error":"Unauthorized","message":"Invalid or missing token"}"#), .init(code: "Unauthorized", message: "Invalid or missing token"))
    }

    func testProblemJSONAndOAuth() {
        XCTAssertEqual(decode(#"{"type":"https://x/probs/out-of-credit","title":"No credit","detail":"30 < 50","status":403}"#),
                       .init(code: "out-of-credit", message: "No credit: 30 < 50"))
        XCTAssertEqual(decode(#"{"type":"about:blank","title":"Not Found","status":404}"#), .init(code: nil, message: "Not Found"))
        XCTAssertEqual(decode(#"{"error":"invalid_grant","error_description":"expired code"}"#), .init(code: "invalid_grant", message: "expired code"))
    }

    func testCommonFrameworkShapes() {
        XCTAssertEqual(decode(#"{"msg":"Token has expired"}"#), .init(code: nil, message: "Token has expired"))
        XCTAssertEqual(decode(#"{"detail":[{"loc":["body","qty"],"msg":"Input should be a valid integer","type":"int_parsing"},"#
                              + #"{"loc":["query","page"],"msg":"Field required","type":"missing"}]}"#),
                       .init(code: "int_parsing", message: "body.qty: Input should be a valid integer (+1 more)"))
        XCTAssertEqual(decode(#"{"detail":"Invalid token."}"#), .init(code: nil, message: "Invalid token."))
        XCTAssertEqual(decode(#"{"username":["This field is required."],"password":["This field is required."]}"#),
                       .init(code: nil, message: "password: This field is required. (+1 more)"))
        XCTAssertEqual(decode(#"{"non_field_errors":["Unable to log in with provided credentials."]}"#),
                       .init(code: nil, message: "Unable to log in with provided credentials."))
    }

    func testNotAnErrorShape() {
        XCTAssertNil(decode("<html>"))
        XCTAssertNil(decode("[1,2]"))
        XCTAssertNil(decode(#"{"data":1}"#))
    }
}

final class JSONPrettyPrinterTests: XCTestCase {
    func pretty(_ s: String, color: Bool = false) -> String? {
        JSONPrettyPrinter(color: color).format(Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    func testKeepsKeyOrderAndNumberSpelling() {
        XCTAssertEqual(pretty(#"{"z":1.50,"a":[true,null,{}],"m":"x\"y"}"#),
                       "{\n  \"z\": 1.50,\n  \"a\": [\n    true,\n    null,\n    {}\n  ],\n  \"m\": \"x\\\"y\"\n}\n")
    }

    func testRejectsInvalid() {
        for bad in ["{", "{\"a\":}", "[1,]", "tru", "01", "\"\u{01}\"", "{} {}", "", "1.", "\"\\x\""] {
            XCTAssertNil(pretty(bad), bad)
        }
    }

    func testColours() throws {
        let out = try XCTUnwrap(pretty(#"{"k":"v"}"#, color: true))
        XCTAssertTrue(out.contains("\u{1B}[34;1m\"k\"\u{1B}[0m"))
        XCTAssertTrue(out.contains("\u{1B}[32m\"v\"\u{1B}[0m"))
    }
}

final class RateLimitTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func testXRateLimitEpochAndDelta() {
        var headers = HTTPHeaders()
        headers.add("X-RateLimit-Limit", "60")
        headers.add("X-RateLimit-Remaining", "0")
        headers.add("X-RateLimit-Reset", "1700000030")
        let epoch = RateLimitStatus.parse(headers, now: now)
        XCTAssertEqual(epoch.limit, 60)
        XCTAssertEqual(epoch.waitHint(now: now), 30)
        headers.set("X-RateLimit-Reset", "12")
        XCTAssertEqual(RateLimitStatus.parse(headers, now: now).waitHint(now: now), 12)
    }

    func testRetryAfterSecondsAndDate() {
        var headers = HTTPHeaders()
        headers.add("Retry-After", "5")
        XCTAssertEqual(RateLimitStatus.parse(headers, now: now).retryAfter, 5)
        headers.set("Retry-After", "Tue, 14 Nov 2023 22:13:40 GMT")  // now + 20 s
        XCTAssertEqual(RateLimitStatus.parse(headers, now: now).retryAfter, 20)
    }

    func testIETFHeaders() {
        var headers = HTTPHeaders()
        headers.add("RateLimit", #""default";r=3;t=9"#)
        headers.add("RateLimit-Policy", #""default";q=100;w=60"#)
        let status = RateLimitStatus.parse(headers, now: now)
        XCTAssertEqual(status.remaining, 3)
        XCTAssertEqual(status.limit, 100)
        XCTAssertEqual(status.waitHint(now: now), 9)
    }
}

final class JWTTests: XCTestCase {
    func testDecodesClaims() throws {
        let payload = Data(#"{"sub":"user_123","exp":1516242622,"scope":["read_profile","write_data"]}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "")
        let claims = try XCTUnwrap(JWT.decode("eyJhbGciOiJIUzI1NiJ9.\(payload).sig"))
        XCTAssertEqual(claims.subject, "user_123")
        XCTAssertEqual(claims.expiresAt, Date(timeIntervalSince1970: 1516242622))
        XCTAssertEqual(claims.scopes, ["read_profile", "write_data"])
        XCTAssertNil(JWT.decode("not.a.jwt"))
        XCTAssertNil(JWT.decode("plain-api-key"))
    }
}

/// Issue 33: error bodies are recognised by their shape, not by a key name.
final class ErrorShapeTests: XCTestCase {
    func decode(_ json: String, type: String? = nil) -> String? {
        APIErrorDecoder.decode(Array(json.utf8), contentType: type)?.message
    }

    func testAFieldCalledTitleHoldingMessagesIsAValidationBody() {
        XCTAssertEqual(decode(#"{"title":["This field is required."]}"#), "title: This field is required.")
        XCTAssertEqual(decode(#"{"address":{"city":["Required."]},"name":["Too long."]}"#), "address.city: Required. (+1 more)")
    }

    func testProblemDetailsByMediaTypeOrByTypedMembers() {
        XCTAssertEqual(decode(#"{"title":"Out of credit","status":403}"#), "Out of credit")
        XCTAssertEqual(decode(#"{"title":"Out of credit","detail":"30 < 50"}"#, type: "application/problem+json"),
                       "Out of credit: 30 < 50")
        XCTAssertEqual(decode(#"{"type":"https://x/validation","title":"Invalid","invalid-params":[{"name":"age","reason":"must be positive"}]}"#),
                       "Invalid: age: must be positive")
    }

    func testValidationListsNameTheFieldFromWhicheverKeyCarriesIt() {
        for (key, value) in [("loc", #"["body","qty"]"#), ("field", #""qty""#), ("key", #""qty""#), ("path", #""qty""#),
                             ("pointer", #""qty""#), ("param", #""qty""#)] {
            for message in ["msg", "message", "detail", "error"] {
                XCTAssertEqual(decode(#"{"errors":[{"\#(key)":\#(value),"\#(message)":"bad"}]}"#)?.hasSuffix("qty: bad"), true,
                               "\(key)/\(message)")
            }
        }
        XCTAssertEqual(decode(#"{"errors":[{"source":{"pointer":"/data/attributes/name"},"title":"Invalid","detail":"Too short"}]}"#),
                       "/data/attributes/name: Too short")
        XCTAssertEqual(decode(#"{"message":"Validation Failed","errors":[{"resource":"Issue","field":"title","code":"missing_field"}]}"#),
                       "Validation Failed: title: missing_field")
    }

    func testWrappedListsKeepTheirHeadline() {
        XCTAssertEqual(decode(#"{"status_code":400,"detail":"Validation failed for POST /tickets","extra":[{"message":"Invalid enum value 'urgent'","key":"priority","source":"body"}]}"#),
                       "Validation failed for POST /tickets: priority: Invalid enum value 'urgent'")
        XCTAssertEqual(decode(#"{"errors":{"email":["has already been taken"]}}"#), "email: has already been taken")
    }
}

/// Issue 33: rate limits from every standard spelling.
final class RateLimitSpellingTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func testTheIETFSeparateFieldsReadLikeXRateLimit() {
        var headers = HTTPHeaders()
        headers.add("RateLimit-Limit", "2")
        headers.add("RateLimit-Remaining", "0")
        headers.add("RateLimit-Reset", "60")
        headers.add("RateLimit-Policy", "2;w=60")
        let status = RateLimitStatus.parse(headers, now: now)
        XCTAssertEqual(status.limit, 2)
        XCTAssertEqual(status.remaining, 0)
        XCTAssertEqual(status.waitHint(now: now), 60)
    }

    func testAPolicyAloneGivesTheLimit() {
        var headers = HTTPHeaders()
        headers.add("RateLimit-Remaining", "5")
        headers.add("RateLimit-Policy", #""burst";q=100;w=60"#)
        XCTAssertEqual(RateLimitStatus.parse(headers, now: now).limit, 100)
        headers.set("RateLimit-Limit", "10, 10;w=1")
        XCTAssertEqual(RateLimitStatus.parse(headers, now: now).limit, 10)
    }
}
