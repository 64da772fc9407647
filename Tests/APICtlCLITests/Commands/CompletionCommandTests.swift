@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import XCTest

/// `apictl completion SHELL`, and the hidden `apictl __complete WORD...` its scripts call.
final class CompletionCommandTests: XCTestCase {
    func testEachShellGetsItsScriptWhichAsksApictlForCandidates() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let bash = harness.run("completion", "bash")
        XCTAssertEqual(bash.status, 0, bash.stderr)
        XCTAssertTrue(bash.stdout.contains("command apictl __complete"), bash.stdout)
        XCTAssertTrue(bash.stdout.hasSuffix("complete -F _apictl apictl\n"), bash.stdout)
        let zsh = harness.run("completion", "zsh")
        XCTAssertEqual(zsh.status, 0, zsh.stderr)
        XCTAssertTrue(zsh.stdout.hasPrefix("#compdef apictl\n"), zsh.stdout)
        let fish = harness.run("completion", "fish")
        XCTAssertEqual(fish.status, 0, fish.stderr)
        XCTAssertTrue(fish.stdout.contains("complete -c apictl"), fish.stdout)
        XCTAssertEqual(Set([bash.stdout, zsh.stdout, fish.stdout]).count, 3)
    }

    func testAnotherShellIsAOneLineUsageError() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let run = harness.run("completion", "powershell")
        XCTAssertEqual(run.status, ExitCode.usage.rawValue)
        XCTAssertEqual(run.stderr, "apictl: SHELL cannot be 'powershell' (choose one of bash, zsh, fish)\n")
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(harness.run("completion").status, ExitCode.usage.rawValue)
    }

    func testCompletesCommandsAndTheProfilesOfTheConfig() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        let commands = harness.run("__complete", "to")
        XCTAssertEqual(commands.status, 0)
        XCTAssertTrue(commands.stdout.hasPrefix("token\t"), commands.stdout)
        let profiles = harness.run("__complete", "whoami", "-p", "")
        XCTAssertEqual(profiles.stdout.split(separator: "\n").map { $0.split(separator: "\t").first.map(String.init) }, ["dz"],
                       profiles.stdout)
        XCTAssertEqual(commands.stderr + profiles.stderr, "")
    }

    func testCompletesTheSyncedDescriptionsPathsAndBodyFields() throws {
        let harness = try CommandHarness(config: CommandHarness.dzdesk)
        try harness.saveIndex()
        let paths = harness.run("__complete", "-p", "dz", "request", "GET", "/")
        XCTAssertEqual(paths.status, 0)
        XCTAssertEqual(paths.stdout, "/requests\tList requests\n/requests/\t\n")
        let deeper = harness.run("__complete", "-p", "dz", "request", "GET", "/requests/")
        XCTAssertEqual(deeper.stdout, "/requests/{item_id}\tGet a request\n")
        let fields = harness.run("__complete", "-p", "dz", "request", "POST", "/requests", "")
        XCTAssertEqual(fields.stdout, "title=\trequired string: What is wrong\npriority:=\tinteger\n")
        XCTAssertEqual(paths.stderr + deeper.stderr + fields.stderr, "")
    }

    /// Completion never fails and never writes to stderr: a broken config gives no candidates.
    func testABrokenConfigGivesNoCandidatesAndNoError() throws {
        let harness = try CommandHarness(config: "[profiles.dz\nauth = ")
        let run = harness.run("__complete", "whoami", "-p", "")
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "")
    }
}
