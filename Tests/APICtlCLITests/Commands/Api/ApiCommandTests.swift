@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl api`, the group: its help, an unknown subcommand, and the synced index its subcommands need.
final class ApiCommandTests: XCTestCase {
    func testItsHelpListsItsSubcommands() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("api")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("apictl api: Sync and read the API's OpenAPI description\n"), run.stdout)
        let commands = try XCTUnwrap(run.stdout.components(separatedBy: "\nCommands:\n").last?.components(separatedBy: "\n\n").first)
        XCTAssertEqual(commands.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) }, ["sync", "list", "show"])
        XCTAssertEqual(harness.run("api", "--help").stdout, run.stdout)
        XCTAssertEqual(run.stderr, "")
    }

    func testAnUnknownSubcommandIsAOneLineUsageErrorNamingIt() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("api", "lsit", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: unknown command 'lsit' for 'apictl api' (did you mean 'list'?)\n")
        XCTAssertEqual(run.stdout, "")
    }

    func testAProfileWithoutASyncedDescriptionIsToldToSyncIt() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("api", "list", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stderr, "apictl: profile 'dz' has no synced API description (run 'apictl api sync -p dz')\n")
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    /// docs/openapi.md: an index an older apictl wrote in another layout counts as none.
    func testAnIndexInAnOlderLayoutCountsAsNone() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        try FileManager.default.createDirectory(atPath: harness.indexFolder(), withIntermediateDirectories: true)
        try Data("DZDesk\t3.0.3\nGET\t/requests\tList requests\n".utf8)
            .write(to: URL(fileURLWithPath: harness.indexFolder() + "/catalog.tsv"))
        let run = harness.run("api", "show", "GET", "/requests", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertTrue(run.stderr.contains("has no synced API description (run 'apictl api sync -p dz')"), run.stderr)
        XCTAssertEqual(run.stdout, "")
    }

    func testWithNoProfileSelectedItSaysHowToPickOne() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        try harness.saveIndex()
        let run = harness.run("api", "list")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("apictl: no profile selected (pass -p NAME"), run.stderr)
        XCTAssertEqual(run.stdout, "")
    }
}
