@testable import APICtlCore
import XCTest

final class URLPartsTests: XCTestCase {
    func testOrigins() throws {
        let a = try XCTUnwrap(URLParts.parse("https://API.example.com/v1?x=1"))
        XCTAssertEqual(a.origin.description, "https://api.example.com")
        XCTAssertEqual(a.path, "/v1")
        XCTAssertNotEqual(URLParts.parse("https://api.example.com:8443/")?.origin, a.origin)
        XCTAssertNotEqual(URLParts.parse("http://api.example.com/")?.origin, a.origin)
        XCTAssertEqual(URLParts.parse("https://user:pw@api.example.com/")?.host, "api.example.com")
        XCTAssertEqual(URLParts.parse("http://[::1]:8080/x")?.port, 8080)
    }

    func testRejects() {
        for bad in ["ftp://x", "http://", "http://h:0/", "http://h:70000", "/relative", "http://a b/"] {
            XCTAssertNil(URLParts.parse(bad), bad)
        }
        XCTAssertFalse(URLParts.isAbsolute("/redirect?to=http://evil"))
    }

    func testResolve() throws {
        let base = try XCTUnwrap(URLParts.parse("http://h:1/a/b?q"))
        XCTAssertEqual(base.resolve("/x"), "http://h:1/x")
        XCTAssertEqual(base.resolve("c"), "http://h:1/a/c")
        XCTAssertEqual(base.resolve("https://o/"), "https://o/")
        XCTAssertEqual(base.resolve("//o/p"), "http://o/p")
    }

    func testLoopback() {
        XCTAssertEqual(URLParts.parse("http://127.0.0.1/")?.isLoopback, true)
        XCTAssertEqual(URLParts.parse("http://acme.localhost:9/")?.isLoopback, true)
        XCTAssertEqual(URLParts.parse("http://localhost.evil.com/")?.isLoopback, false)
        XCTAssertEqual(URLParts.parse("http://127.255.0.9:80/")?.isLoopback, true)
        XCTAssertEqual(URLParts.parse("http://[::1]:8080/")?.isLoopback, true)
        for name in ["127.attacker.example", "127.0.0.1.nip.io", "127.0.0.256", "127.0.0", "127.0.0.1x", "128.0.0.1", "[::2]"] {
            XCTAssertEqual(URLParts.parse("http://\(name)/")?.isLoopback, false, name)
        }
    }
}

final class RedactorTests: XCTestCase {
    func testRedacts() {
        let r = Redactor(secrets: ["s3cr3t-token"], auth: .header("X-Key"))
        XCTAssertEqual(r.header("Authorization", "Bearer s3cr3t-token"), "Bearer [REDACTED]")
        XCTAssertEqual(r.header("x-key", "s3cr3t-token"), "[REDACTED]")
        XCTAssertEqual(r.header("X-Other", "has s3cr3t-token inside"), "has [REDACTED] inside")
        XCTAssertEqual(r.url("https://h/p?api_key=abc&x=1"), "https://h/p?api_key=[REDACTED]&x=1")
    }

    func testNamesAreReadAsServersReadThem() {
        let r = Redactor()
        XCTAssertEqual(r.header("X_API_KEY", "k"), "[REDACTED]")
        XCTAssertEqual(r.url("https://h/p?api%5Fkey=abc&Access_Token=d&x=1"), "https://h/p?api%5Fkey=[REDACTED]&Access_Token=[REDACTED]&x=1")
        XCTAssertEqual(r.url("https://ghp_token1@h/p"), "https://[REDACTED]@h/p")
        XCTAssertEqual(r.url("https://ada:pw@h/p"), "https://ada:[REDACTED]@h/p")
        XCTAssertEqual(r.url("https://h/p?token=KEEP&api_key=x", keeping: "KEEP"), "https://h/p?token=KEEP&api_key=[REDACTED]")
        XCTAssertTrue(HTTPHeaders.carriesCredential("x_auth_token", keyHeader: nil))
        XCTAssertTrue(HTTPHeaders.carriesCredential("My_Key", keyHeader: "my-key"))
    }

    func testABasicPasswordIsHiddenOnItsOwn() {
        let r = Redactor(secrets: ["alice:hunter22-pw"], auth: .basic)
        XCTAssertEqual(r.text("the password hunter22-pw is wrong for alice"), "the password [REDACTED] is wrong for alice")
        XCTAssertEqual(Redactor(secrets: ["alice:hunter22-pw"], auth: .bearer).text("hunter22-pw"), "hunter22-pw")
    }
}

final class TemplateTests: XCTestCase {
    func testExpandsAndNamesMissing() throws {
        XCTAssertEqual(try Template.expand("https://{sub}.x.com/{v}", vars: ["sub": "acme", "v": "1"], profile: "p"), "https://acme.x.com/1")
        XCTAssertThrowsError(try Template.expand("https://{sub}.x.com", vars: [:], profile: "p")) { error in
            XCTAssertEqual((error as? APICtlError)?.exitCode, .configuration)
            XCTAssertTrue((error as? APICtlError)?.hint?.contains("--var sub=") == true)
        }
    }

    func testNamesPlaceholdersInOrderAndIgnoresAnUnclosedBrace() {
        XCTAssertEqual(Template.placeholders(in: "https://{sub}.x.com/{v}/{sub}"), ["sub", "v", "sub"])
        XCTAssertEqual(Template.placeholders(in: "https://x.com/{open"), [])
        XCTAssertEqual(Template.placeholders(in: "https://x.com"), [])
    }
}

final class RequestBuilderTests: XCTestCase {
    let input = InputSource(readFile: { _, _ throws(APICtlError) in Array("file text".utf8) },
                            openFile: { _ throws(APICtlError) in .bytes(Array("file body".utf8)) },
                            standardInput: { nil }, readStandardInput: { [] })

    func testTypedFieldsAndEscaping() throws {
        var description = RequestDescription(method: "post", target: "https://h/x")
        description.stringFields = ["title=a \"quoted\"\nline"]
        description.typedFields = ["n=-2.5", "ok=false", "none=null", "obj={\"a\":1}", "f=@x"]
        let request = try RequestBuilder.build(description, profile: nil, input: input)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(String(decoding: request.body ?? [], as: UTF8.self),
                       #"{"title":"a \"quoted\"\nline","n":-2.5,"ok":false,"none":null,"obj":{"a":1},"f":"file text"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any]
        XCTAssertEqual(object?["title"] as? String, "a \"quoted\"\nline")
    }

    func testQueryEncoding() throws {
        var description = RequestDescription(method: "GET", target: "https://h/x?a=1")
        description.query = ["q=a b&c", "é=ü"]
        let request = try RequestBuilder.build(description, profile: nil, input: input)
        XCTAssertEqual(request.url, "https://h/x?a=1&q=a%20b%26c&%C3%A9=%C3%BC")
    }
}

final class OpenAPIIndexPathTests: XCTestCase {
    func testAPathUnderTheBaseIsRelativeToItOnlyAtASegmentBoundary() {
        XCTAssertEqual(OpenAPIIndex.path("/v1/requests", under: "/v1"), "/requests")
        XCTAssertEqual(OpenAPIIndex.path("/v1", under: "/v1/"), "/")
        XCTAssertNil(OpenAPIIndex.path("/v10/requests", under: "/v1"))
        XCTAssertEqual(OpenAPIIndex.path("/requests", under: "/"), "/requests")
    }

    func testTheDescriptionsServerPathJoinsItsPaths() {
        XCTAssertEqual(OpenAPIIndex.relativePath("/core/users/", server: "/api/v3", basePath: "/api/v3"), "/core/users/")
        XCTAssertEqual(OpenAPIIndex.relativePath("/users", server: "https://api.example.com/v2", basePath: "/v2/"), "/users")
        XCTAssertEqual(OpenAPIIndex.relativePath("/users", server: "https://prod.example.com/v2", basePath: "/local"), "/users")
        XCTAssertEqual(OpenAPIIndex.relativePath("/users", server: "/api", basePath: "/"), "/users")
    }
}
