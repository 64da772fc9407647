@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// Runs apictl's commands in process, as main.swift does, with a config written
/// to a temporary folder, stdout and stderr captured in files, and the transport,
/// store, kernel keyring and processes faked.
final class CommandHarness {
    let transport = FakeTransport()
    let store = MemoryStore()
    let keeper = MemoryKeeper()
    let runner = ScriptedRunner(answers: [])
    let folder: String
    var environment: [String: String]
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    /// What the command reads from stdin (`login --with-token`, `-d @-`); stdin is not a terminal.
    var standardInput: [UInt8] = []
    /// Where a run looks for a project's `.apictl.toml`; nil: nowhere.
    var workingDirectory: String?

    init(config: String, environment: [String: String] = [:]) throws {
        folder = NSTemporaryDirectory() + "apictl-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/config/apictl", withIntermediateDirectories: true)
        try Data(config.utf8).write(to: URL(fileURLWithPath: folder + "/config/apictl/config.toml"))
        self.environment = environment.merging(["XDG_CONFIG_HOME": folder + "/config", "XDG_DATA_HOME": folder + "/data",
                                                "XDG_CACHE_HOME": folder + "/cache", "XDG_STATE_HOME": folder + "/state"]) { given, _ in given }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: String...) -> Run { run(arguments) }

    func run(_ arguments: [String]) -> Run {
        let outPath = folder + "/stdout", errPath = folder + "/stderr"
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600), err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(out); close(err) }
        let transport = self.transport, store = self.store, now = self.now, input = self.standardInput, directory = workingDirectory
        let context = CommandContext(environment: environment, stdout: OutputStream(fd: out, isTerminal: false),
                                     stderr: OutputStream(fd: err, isTerminal: false), stdinIsTerminal: false,
                                     readStandardInput: { input }, now: { now }, makeTransport: { transport },
                                     makeStores: { _ in MemoryStores(store) }, keeper: keeper, runner: runner,
                                     makeWorkerTransport: { transport }, workingDirectory: directory)
        let status = App.main(arguments: arguments, context: context)
        func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Run(status: status, stdout: text(outPath), stderr: text(errPath))
    }

    /// As a login through this version stores it: bound to the dzdesk profile's origin.
    static func bound(_ credential: Credential) -> Credential {
        var bound = credential
        bound.origin = "https://api.dz.test"
        return bound
    }

    static let dzdesk = """
    [profiles.dz]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    whoami = "/me"
    token_env = "DZ_TOKEN"
    [profiles.dz.tokens]
    create = "POST /api-keys"
    list = "GET /api-keys"
    revoke = "DELETE /api-keys/{id}"
    key = "/data/key"
    id = "/data/id"
    list_items = "/data"
    """
}
