@testable import APICtlCore
import Foundation
import XCTest

/// The pieces `batch` is built from: a line read as a request, lines read from a descriptor,
/// the journal, and the rate-limit budget.
final class BatchPartsTests: XCTestCase {
    func testALineIsReadAsARequestKeepingTheBodyAndIdAsWritten() throws {
        let line = #"{"id": {"k": [1, 2]}, "method": "patch", "path": "/a/{x}", "body": {"b": 1.50, "a": "é"},"#
            + #" "query": {"tag": ["x", "y"], "n": 2, "on": true}, "headers": {"X-Note": "v"}}"#
        let item = try BatchItem.parse(Array(line.utf8)).get()
        XCTAssertEqual(item.method, "PATCH")
        XCTAssertEqual(item.path, "/a/{x}")
        XCTAssertEqual(item.body.map { String(decoding: $0, as: UTF8.self) }, #"{"b":1.50,"a":"é"}"#)
        XCTAssertEqual(item.id.map { String(decoding: $0, as: UTF8.self) }, #"{"k":[1,2]}"#)
        XCTAssertEqual(item.query.map { "\($0.0)=\($0.1)" }, ["n=2", "on=true", "tag=x", "tag=y"])
        XCTAssertEqual(item.headers, ["X-Note: v"])
    }

    func testALineThatIsNotARequestSaysWhy() {
        let cases: [(String, String)] = [
            (#"{"method":"GET"}"#, #""path" is missing"#),
            (#"{"method":"GET","path":""}"#, #""path" is not a non-empty string"#),
            (#"{"method":1,"path":"/"}"#, #""method" is not a string"#),
            (#"{"method":"GET","path":"/","path":"/b"}"#, #""path" is given twice"#),
            (#"{"method":"GET","path":"/","query":{"a":{"b":1}}}"#, #"query "a" is not a string"#),
            (#"{"method":"GET","path":"/","headers":{"a":[1]}}"#, #"header "a" is not a string"#),
            (#"{"method":"GET","path":"/"} x"#, "not JSON"),
            ("[1]", "not a JSON object"),
        ]
        for (line, expected) in cases {
            guard case .failure(let problem) = BatchItem.parse(Array(line.utf8)) else { return XCTFail("accepted \(line)") }
            XCTAssertTrue(problem.message.contains(expected), "\(line): \(problem.message)")
        }
    }

    func testAHeaderValueCannotInjectAnotherHeader() throws {
        let item = try BatchItem.parse(Array(#"{"method":"GET","path":"https://x.test/","headers":{"A":"v\r\nEvil: 1"}}"#.utf8)).get()
        XCTAssertThrowsError(try item.request(profile: nil))
    }

    func testLinesAreReadOneAtATimeAndAnOverlongOneIsSkippedByLength() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let text = "a\r\n\nbbbbbbbbbbbb\nlast"
        _ = text.withCString { write(ends[1], $0, strlen($0)) }
        close(ends[1])
        let reader = LineReader(fd: ends[0], longest: 8)
        var seen: [String] = []
        while let line = reader.next() {
            switch line {
            case .text(let bytes): seen.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong(let length): seen.append("<\(length)>")
            }
        }
        close(ends[0])
        XCTAssertEqual(seen, ["a", "", "<12>", "last"])
    }

    func testTheJournalRemembersKeysAndSuccessesForLinesThatReadTheSame() throws {
        let path = NSTemporaryDirectory() + "journal-" + UUID().uuidString
        defer { unlink(path) }
        let line = Array(#"{"method":"POST","path":"/x"}"#.utf8)
        let hash = BatchJournal.hash(line)
        do {
            let journal = try BatchJournal(path: path, origin: "https://api.test")
            try journal.recordKey("key-1", line: 1, hash: hash)
            try journal.recordKey("key-2", line: 2, hash: hash)
            try journal.recordOutcome(line: 2, hash: hash, status: 201, succeeded: true)
            XCTAssertThrowsError(try BatchJournal(path: path, origin: "https://api.test"), "one batch at a time")
        }
        // A record cut short by a kill is ignored.
        let fd = open(path, O_WRONLY | O_APPEND)
        _ = #"{"line":3,"ha"#.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let again = try BatchJournal(path: path, origin: "https://api.test")
        XCTAssertEqual(again.entry(line: 1, hash: hash)?.key, "key-1")
        XCTAssertNil(again.entry(line: 1, hash: hash)?.succeeded)
        XCTAssertEqual(again.entry(line: 2, hash: hash)?.succeeded, 201)
        XCTAssertNil(again.entry(line: 1, hash: hash &+ 1), "an edited line is a new request")
        XCTAssertNil(again.entry(line: 3, hash: hash))
        XCTAssertThrowsError(try BatchJournal(path: NSTemporaryDirectory(), origin: "https://api.test"))
    }

    func testTheBudgetHoldsEveryRequestBackUntilTheResetOnceItIsSpent() {
        let clock = Clock()
        let budget = RateLimitBudget(ratePerSecond: nil, now: { clock.time })
        var headers = HTTPHeaders()
        headers.add("X-RateLimit-Limit", "2")
        headers.add("X-RateLimit-Remaining", "1")
        headers.add("X-RateLimit-Reset", "1000000010")
        budget.acquire("o")
        budget.observe("o", HTTPResponseHead(status: 200, reason: "", headers: headers))
        budget.acquire("o")                 // the one left
        XCTAssertEqual(budget.wait("o"), 10, accuracy: 0.01)
        let started = Date()
        clock.time = Date(timeIntervalSince1970: 1_000_000_010)   // the reset passes while the next one waits
        budget.acquire("o")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        var refused = HTTPHeaders()
        refused.add("Retry-After", "30")
        budget.observe("o", HTTPResponseHead(status: 429, reason: "", headers: refused))
        XCTAssertEqual(budget.wait("o"), 30, accuracy: 0.01)
        XCTAssertEqual(budget.wait("other"), 0, "another origin has its own budget")
    }

    private final class Clock: @unchecked Sendable {
        var time = Date(timeIntervalSince1970: 1_000_000_000)
    }
}
