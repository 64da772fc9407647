@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// A project's `.apictl.toml` chooses among the user's own profiles, and says so.
final class ProjectFileSelectionTests: XCTestCase {
    func harness(project: String) throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk + "\n[profiles.other]\nauth = \"bearer\"\nbase_url = \"https://other.test\"\n",
                                         environment: ["DZ_TOKEN": "env-key"])
        try FileManager.default.createDirectory(atPath: harness.folder + "/project/src/deep", withIntermediateDirectories: true)
        try Data(project.utf8).write(to: URL(fileURLWithPath: harness.folder + "/project/.apictl.toml"))
        harness.workingDirectory = harness.folder + "/project/src/deep"
        harness.transport.on("GET /v1/me") { _ in .init(200, #"{"id":"u_1"}"#) }
        return harness
    }

    func testAFileInAParentChoosesTheProfileAndSaysWhere() throws {
        let harness = try harness(project: "profile = \"dz\"\naccount = \"work\"\n")
        let path = harness.folder + "/project/.apictl.toml"
        let preview = harness.run("request", "GET", "/me", "--dry-run")
        XCTAssertEqual(preview.status, 0, preview.stderr)
        XCTAssertTrue(preview.stderr.contains("# profile: dz (from \(path))"), preview.stderr)
        XCTAssertTrue(preview.stderr.contains("# account: work (from \(path))"), preview.stderr)
        let whoami = harness.run("whoami")
        XCTAssertTrue(whoami.stdout.contains("profile:     dz (from \(path))"), whoami.stdout)
        let flagged = harness.run("request", "GET", "/x", "--dry-run", "-p", "other")
        XCTAssertTrue(flagged.stderr.contains("# profile: other (from -p)"), flagged.stderr)
        XCTAssertTrue(flagged.stderr.contains("# account: default\n"), flagged.stderr)
    }

    func testAnyOtherKeyIsRefusedNamingTheFile() throws {
        let harness = try harness(project: "profile = \"dz\"\nbase_url = \"https://evil.test\"\n")
        let run = harness.run("request", "GET", "/me")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertTrue(run.stderr.contains(harness.folder + "/project/.apictl.toml"), run.stderr)
        XCTAssertTrue(run.stderr.contains("base_url"), run.stderr)
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    func testAProfileTheConfigDoesNotDefineIsRefused() throws {
        let harness = try harness(project: "profile = \"nowhere\"\n")
        let run = harness.run("whoami")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertTrue(run.stderr.contains("names profile 'nowhere'"), run.stderr)
    }

    /// A key logged in where a project chose the profile says so, so one meant elsewhere is noticed.
    func testALoginTheProjectDirectedSaysSo() throws {
        let harness = try harness(project: "profile = \"dz\"\n")
        harness.standardInput = Array("a-key".utf8)
        let run = harness.run("login", "--with-token", "--no-verify")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("(profile from \(harness.folder)/project/.apictl.toml)\n"), run.stderr)
    }

    /// A file that names no profile lends its environment only to a profile that has it.
    func testAnEnvironmentWithoutAProfileSkipsAProfileWithoutIt() throws {
        let harness = try harness(project: "env = \"production\"\n")
        let run = harness.run("request", "GET", "/x", "--dry-run", "-p", "other")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stderr.contains("production"), run.stderr)
    }
}
