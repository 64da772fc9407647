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

    func testTheJournalKnowsLinesByTheirTextAndForgetsAKeyAnAnswerRefused() throws {
        let path = NSTemporaryDirectory() + "journal-" + UUID().uuidString
        defer { unlink(path) }
        let hash = BatchJournal.hash(Array(#"{"method":"POST","path":"/x"}"#.utf8))
        let first = BatchJournal.LineIdentity(hash: hash, occurrence: 1), second = BatchJournal.LineIdentity(hash: hash, occurrence: 2)
        let third = BatchJournal.LineIdentity(hash: hash, occurrence: 3), fourth = BatchJournal.LineIdentity(hash: hash, occurrence: 4)
        do {
            let journal = try BatchJournal(path: path, baseURL: "https://api.test", sender: "profile p, account default")
            try journal.recordKey("key-1", number: 1, line: first)
            try journal.recordKey("key-2", number: 2, line: second)
            try journal.recordOutcome(number: 2, line: second, status: 201, succeeded: true)
            try journal.recordKey("key-3", number: 3, line: third)
            try journal.recordOutcome(number: 3, line: third, status: 422, succeeded: false)
            try journal.recordOutcome(number: 1, line: first, status: 503, succeeded: false)
            try journal.recordUnkeyedSend(number: 4, line: fourth)
            XCTAssertThrowsError(try BatchJournal(path: path, baseURL: "https://api.test", sender: "profile p, account default"), "one batch at a time")
        }
        // A record cut short by a kill is ignored.
        let fd = open(path, O_WRONLY | O_APPEND)
        _ = #"{"line":5,"ha"#.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let again = try BatchJournal(path: path, baseURL: "https://api.test", sender: "profile p, account default")
        XCTAssertEqual(again.entry(first)?.key, "key-1", "a 503 does not say the server did nothing: the same key again")
        XCTAssertNil(again.entry(first)?.succeeded)
        XCTAssertEqual(again.entry(second)?.succeeded, 201)
        XCTAssertNil(again.entry(third)?.key, "a server keeping answers by key would refuse it again")
        XCTAssertEqual(again.entry(fourth)?.sentUnkeyed, true)
        XCTAssertNil(again.entry(BatchJournal.LineIdentity(hash: hash &+ 1, occurrence: 1)), "an edited line is a new request")
        XCTAssertThrowsError(try BatchJournal(path: "/tmp", baseURL: "https://api.test", sender: "profile p, account default"))
        XCTAssertThrowsError(try BatchJournal(path: path, baseURL: "https://other.test", sender: "profile p, account default"))
        // Done as one account is not done as another: the journal is refused for a second sender.
        XCTAssertThrowsError(try BatchJournal(path: path, baseURL: "https://api.test", sender: "profile p, account work"))
    }

    func testTheBudgetHoldsEveryRequestBackUntilTheResetOnceItIsSpent() throws {
        let clock = Clock()
        let budget = RateLimitBudget(ratePerSecond: nil, maxWait: 60, now: { clock.time })
        var headers = HTTPHeaders()
        headers.add("X-RateLimit-Limit", "2")
        headers.add("X-RateLimit-Remaining", "1")
        headers.add("X-RateLimit-Reset", "1000000010")
        try budget.acquire("o")
        XCTAssertGreaterThan(budget.wait("o"), 0, "the first request to an origin goes alone until it is answered")
        budget.observe("o", HTTPResponseHead(status: 200, reason: "", headers: headers))
        try budget.acquire("o")             // the one left
        XCTAssertEqual(budget.wait("o"), 10, accuracy: 0.01)
        let started = Date()
        clock.time = Date(timeIntervalSince1970: 1_000_000_010)   // the reset passes while the next one waits
        try budget.acquire("o")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        var refused = HTTPHeaders()
        refused.add("Retry-After", "30")
        budget.observe("o", HTTPResponseHead(status: 429, reason: "", headers: refused))
        XCTAssertEqual(budget.wait("o"), 30, accuracy: 0.01)
        XCTAssertEqual(budget.wait("other"), 0, "another origin has its own budget")
        let patient = RateLimitBudget(ratePerSecond: nil, maxWait: 10, now: { clock.time })
        try patient.acquire("o")
        patient.observe("o", HTTPResponseHead(status: 429, reason: "", headers: refused))
        XCTAssertThrowsError(try patient.acquire("o"), "30 s is more than --max-wait 10") { error in
            XCTAssertEqual((error as? APICtlError)?.exitCode, .rateLimited)
        }
    }

    private final class Clock: @unchecked Sendable {
        var time = Date(timeIntervalSince1970: 1_000_000_000)
    }
}
