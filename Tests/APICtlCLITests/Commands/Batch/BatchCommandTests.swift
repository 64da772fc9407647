@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl batch` in process: its workers send through the fake transport.
final class BatchCommandTests: XCTestCase {
    private func inputFile(_ harness: CommandHarness, _ lines: [String]) throws -> String {
        let path = harness.folder + "/in.jsonl"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func outputLines(_ run: CommandHarness.Run) throws -> [[String: Any]] {
        try run.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    func testEveryLineAnswersInInputOrderWithItsIdAndTheCredentialGoesToTheProfileOnly() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        harness.transport.on("GET /v1/requests") { request in .init(200, #"{"url":"\#(request.url)"}"#) }
        harness.transport.on("POST /v1/requests") { request in .init(201, String(decoding: request.body ?? [], as: UTF8.self)) }
        harness.transport.on("GET /elsewhere") { _ in .init(200, "plain text", headers: []) }
        let lines = (0..<12).map { #"{"method":"GET","path":"/requests","query":{"n":\#($0)},"id":\#($0)}"# }
            + [#"{"method":"post","path":"/requests","body":{"title":"x"},"id":"p"}"#, "",
               #"{"method":"GET","path":"https://other.test/elsewhere"}"#]
        let run = harness.run("batch", try inputFile(harness, lines), "-p", "dz", "--concurrency", "5")
        XCTAssertEqual(run.status, 0, run.stderr)
        let out = try outputLines(run)
        XCTAssertEqual(out.map { $0["line"] as? Int }, Array(1...13) + [15])
        for n in 0..<12 {
            XCTAssertEqual(out[n]["id"] as? Int, n)
            XCTAssertEqual((out[n]["body"] as? [String: Any])?["url"] as? String, "https://api.dz.test/v1/requests?n=\(n)")
        }
        XCTAssertEqual(out[12]["status"] as? Int, 201)
        XCTAssertEqual((out[12]["body"] as? [String: Any])?["title"] as? String, "x")
        XCTAssertEqual(out[13]["body"] as? String, "plain text")
        XCTAssertEqual(run.stderr, "batch: 14 ok\n")
        XCTAssertEqual(harness.transport.requests("GET /v1/requests").compactMap { $0.headers["Authorization"] }.count, 12)
        XCTAssertNil(harness.transport.requests("GET /elsewhere").first?.headers["Authorization"])
    }

    func testFailuresAreCountedByKindAndExitOne() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        harness.transport.on("GET /v1/a") { _ in .init(200, "{}") }
        harness.transport.on("GET /v1/b") { _ in .init(404, #"{"error":{"message":"no b"}}"#) }
        let run = harness.run("batch", try inputFile(harness, [#"{"method":"GET","path":"/a"}"#, #"{"method":"GET","path":"/b"}"#,
                                                               #"{"path":"/a"}"#, #"["GET","/a"]"#]), "-p", "dz")
        XCTAssertEqual(run.status, 1)
        let out = try outputLines(run)
        XCTAssertEqual(out[1]["exit"] as? Int, 1)
        XCTAssertEqual(out[2]["error"] as? String, #"line 3: "method" is missing"#)
        XCTAssertEqual(out[3]["error"] as? String, "line 4: not a JSON object")
        XCTAssertEqual(run.stderr, "batch: 1 ok, 3 failed (2 × invalid line, 1 × 404)\n")
    }

    func testARefusedCredentialStopsTheBatchWithExitFour() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "old-key"])
        harness.transport.on("GET /v1/a") { _ in .init(401, #"{"error":{"message":"bad key"}}"#) }
        let lines = (0..<100).map { _ in #"{"method":"GET","path":"/a"}"# }
        let run = harness.run("batch", try inputFile(harness, lines), "-p", "dz", "--concurrency", "2")
        XCTAssertEqual(run.status, ExitCode.authentication.rawValue, run.stderr)
        XCTAssertLessThanOrEqual(harness.transport.sent.count, 2, "the other lines are not sent")
        XCTAssertTrue(run.stderr.hasPrefix("batch: stopped at line "), run.stderr)
    }

    func testDryRunSendsNothingAndHidesTheCredential() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: ["DZ_TOKEN": "env-key"])
        let run = harness.run("batch", try inputFile(harness, [#"{"method":"DELETE","path":"/requests/7"}"#]), "-p", "dz", "--dry-run")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("# line 1\nDELETE https://api.dz.test/v1/requests/7\n"), run.stdout)
        XCTAssertFalse(run.stdout.contains("env-key"))
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    func testBadOptionsAreExitTwo() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        XCTAssertEqual(harness.run("batch", "--concurrency", "0").status, ExitCode.usage.rawValue)
        XCTAssertEqual(harness.run("batch", "--rate", "0/s").status, ExitCode.usage.rawValue)
        XCTAssertEqual(harness.run("batch", "--rate", "5/fortnight").status, ExitCode.usage.rawValue)
        XCTAssertEqual(harness.run("batch", harness.folder + "/missing").status, ExitCode.usage.rawValue)
    }
}
