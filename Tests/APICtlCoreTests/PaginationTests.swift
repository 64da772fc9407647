@testable import APICtlCore
import Foundation
import XCTest

final class RawJSONTests: XCTestCase {
    let page = Array(#"{"meta": {"next": "c2", "n": 3, "none": null}, "data": [ {"b":1,"a":"x, y"} , [1,2], "s", 2.50 ]}"#.utf8)

    func testElementsKeepExactBytes() throws {
        let ranges = try XCTUnwrap(RawJSON.elements(page, at: "/data"))
        XCTAssertEqual(ranges.map { String(decoding: page[$0], as: UTF8.self) }, [#"{"b":1,"a":"x, y"}"#, "[1,2]", "\"s\"", "2.50"])
        XCTAssertEqual(RawJSON.elements(Array("[]".utf8), at: nil), [])
        XCTAssertNil(RawJSON.elements(page, at: "/meta"))
        XCTAssertNil(RawJSON.elements(page, at: "/missing"))
    }

    func testScalars() {
        XCTAssertEqual(RawJSON.scalar(page, at: "/meta/next"), "c2")
        XCTAssertEqual(RawJSON.scalar(page, at: "/meta/n"), "3")
        XCTAssertNil(RawJSON.scalar(page, at: "/meta/none"))
        XCTAssertEqual(RawJSON.scalar(page, at: "/data/2"), "s")
    }

    func testMinified() {
        XCTAssertEqual(String(decoding: RawJSON.minified(ArraySlice(Array("{ \"a b\" : [1, 2] }".utf8))), as: UTF8.self), #"{"a b":[1,2]}"#)
    }
}

final class PaginatorTests: XCTestCase {
    func testLinkHeader() {
        XCTAssertEqual(Paginator.nextLink(#"<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last""#), "https://a/x?page=2")
        XCTAssertEqual(Paginator.nextLink(#"<https://a/x?page=9>; rel="last""#), nil)
        XCTAssertEqual(Paginator.nextLink(#"</p/3>; rel="prev next""#), "/p/3")
        // A target or a quoted parameter may hold ',' and ';': the link is read by its grammar, not split.
        XCTAssertEqual(Paginator.nextLink(#"</items?p=2&fields=id,name>; rel="next""#), "/items?p=2&fields=id,name")
        XCTAssertEqual(Paginator.nextLink(#"</a;v=1?p=2>; rel=next"#), "/a;v=1?p=2")
        XCTAssertEqual(Paginator.nextLink(#"</x>; title="a, b; rel=next", </p/2>; rel="next""#), "/p/2")
        XCTAssertEqual(Paginator.nextLink(#"junk, <>; rel="next", </p/4>;rel=next"#), "/p/4")
        XCTAssertEqual(Paginator.nextLink(#"</p/5>; REL = "Next""#), "/p/5")
        XCTAssertEqual(Paginator.nextLink(#"</p/2>; rel=prev; rel=next"#), nil)   // a second rel is ignored
    }

    func testSettingQuery() {
        XCTAssertEqual(Paginator.settingQuery("https://h/x?page=1&q=a", "page", "2"), "https://h/x?q=a&page=2")
        XCTAssertEqual(Paginator.settingQuery("https://h/x", "cursor", "a b"), "https://h/x?cursor=a%20b")
    }
}

final class RetryPolicyTests: XCTestCase {
    func testWhatIsRetried() {
        let policy = RetryPolicy()
        XCTAssertNotNil(policy.reason(status: 429, method: "POST"))
        XCTAssertNotNil(policy.reason(status: 503, method: "GET"))
        XCTAssertNil(policy.reason(status: 503, method: "POST"))
        XCTAssertNil(policy.reason(status: 404, method: "GET"))
        XCTAssertNil(policy.reason(for: .connect("refused"), method: "GET"), "a refused connection is refused again")
        XCTAssertNotNil(policy.reason(for: .timeout("x"), method: "PUT"))
        XCTAssertNil(policy.reason(for: .tls("x"), method: "GET"))
        var all = RetryPolicy()
        all.retryAll = true
        XCTAssertNotNil(all.reason(status: 503, method: "POST"))
    }

    func testBackoffIsBoundedAndJittered() {
        let policy = RetryPolicy()
        let first = (0..<200).map { _ in policy.backoff(attempt: 0) }
        XCTAssertTrue(first.allSatisfy { $0 >= 0.5 && $0 <= 0.75 }, "the first wait is at least 0.5 s")
        let samples = (0..<200).map { _ in policy.backoff(attempt: 3) }
        XCTAssertTrue(samples.allSatisfy { $0 >= 4.0 && $0 <= 6.0 }, "it grows")
        XCTAssertGreaterThan(Set(samples).count, 100, "with jitter")
    }
}

/// The client's retry loop against a scripted transport, with time faked.
final class RetryLoopTests: XCTestCase {
    final class ScriptedTransport: Transport {
        var responses: [(Int, [String: String])]
        var sent = 0
        init(_ responses: [(Int, [String: String])]) { self.responses = responses }

        func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(TransportError) -> HTTPResponseHead {
            let (status, fields) = responses[min(sent, responses.count - 1)]
            sent += 1
            var headers = HTTPHeaders()
            for (k, v) in fields { headers.add(k, v) }
            let head = HTTPResponseHead(status: status, headers: headers)
            try? consumer.begin(head)
            return head
        }
    }

    final class Waits: @unchecked Sendable { var seconds: [Double] = [] }

    func client(_ transport: Transport, waits: Waits, retryPolicy: RetryPolicy = RetryPolicy()) -> APIClient {
        APIClient(transport: transport, profile: nil, credential: nil,
                  settings: ClientSettings(retryPolicy: retryPolicy, sleep: { waits.seconds.append($0) },
                                           now: { Date(timeIntervalSince1970: 1_700_000_000) }))
    }

    func testRetryAfterThenSuccess() throws {
        let waits = Waits()
        let transport = ScriptedTransport([(429, ["Retry-After": "7"]), (200, [:])])
        let head = try client(transport, waits: waits).send(HTTPRequest(method: "GET", url: "http://h/x"), to: BufferingConsumer())
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(waits.seconds, [7])
    }

    func testMaxWaitStopsEarly() throws {
        let waits = Waits()
        let transport = ScriptedTransport([(429, ["Retry-After": "100"])])
        var policy = RetryPolicy()
        policy.maxWait = 10
        let c = client(transport, waits: waits, retryPolicy: policy)
        let head = try c.send(HTTPRequest(method: "GET", url: "http://h/x"), to: BufferingConsumer())
        XCTAssertEqual(head.status, 429)
        XCTAssertEqual(transport.sent, 1)
        XCTAssertEqual(waits.seconds, [])
    }

    func testGivesUpAfterMaxRetries() throws {
        let waits = Waits()
        let transport = ScriptedTransport([(503, ["Retry-After": "1"])])
        var policy = RetryPolicy()
        policy.maxRetries = 2
        let c = client(transport, waits: waits, retryPolicy: policy)
        XCTAssertEqual(try c.send(HTTPRequest(method: "GET", url: "http://h/x"), to: BufferingConsumer()).status, 503)
        XCTAssertEqual(transport.sent, 3)
        XCTAssertEqual(waits.seconds, [1, 1])
    }
}
