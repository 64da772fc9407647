@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// A synced OpenAPI index for the tests of `api list`, `api show`, `api sync` and completion,
/// and a stand-in for the `apictl-openapi` helper that `api sync` runs.
extension CommandHarness {
    /// `$XDG_CACHE_HOME/apictl`, where `api sync` keeps its indexes.
    var cacheDirectory: String { ConfigLocation.resolve(explicitPath: nil, environment: environment).cacheDirectory }

    /// The folder of a profile's index (its last sync's record is in `.records/`).
    func indexFolder(_ profile: String = "dz") -> String {
        OpenAPIIndex.directory(profile: profile, cacheDirectory: cacheDirectory)
    }

    /// Saves an index as `api sync` does, from the lines `apictl-openapi` would write for
    /// these operations (one JSON object each, with at least method, path and summary).
    func saveIndex(_ operations: [String] = CommandHarness.dzOperations, profile: String = "dz",
                   title: String = "DZDesk", basePath: String = "/v1") throws {
        _ = try OpenAPIIndex.save(Array(Self.helperOutput(operations, title: title).utf8), basePath: basePath,
                                  profile: profile, cacheDirectory: cacheDirectory)
    }

    /// What `api sync` notes of a sync: where the description came from, its ETag and when.
    func saveSyncMeta(location: String, etag: String? = nil, syncedAgo: TimeInterval, profile: String = "dz",
                      openapiSetting: String? = nil, basePath: String? = nil) throws {
        try SyncRecord(location: location, etag: etag, syncedAt: now - syncedAgo, openapiSetting: openapiSetting, basePath: basePath)
            .save(profile: profile, cacheDirectory: cacheDirectory)
    }

    func syncMeta(_ profile: String = "dz") -> SyncRecord? {
        SyncRecord.load(profile: profile, cacheDirectory: cacheDirectory)
    }

    /// The lines `apictl-openapi` writes: a header with the catalog, then the operations, in order.
    static func helperOutput(_ operations: [String], title: String = "DZDesk",
                             server: String = "https://api.dz.test/v1") -> String {
        let catalog = operations.map { line -> JSONValue in
            let operation = JSONValue(parsing: Array(line.utf8)) ?? .null
            return .array(["method", "path", "summary"].map { .string(operation[$0]?.stringValue ?? "") })
        }
        let header = JSONValue.object(["format": .number("2"), "title": .string(title), "openapi": .string("3.1.0"),
                                       "servers": .array([.string(server)]), "catalog": .array(catalog)])
        // One line: `rendered()` indents, and no string it writes holds a raw newline.
        return ([header.rendered().replacingOccurrences(of: "\n", with: "")] + operations).map { $0 + "\n" }.joined()
    }

    /// Three operations of a DZDesk-like API, as `apictl-openapi` indexes them; paths are the
    /// description's, under its server https://api.dz.test/v1.
    static let dzOperations = [
        #"{"method":"GET","path":"/requests","summary":"List requests","parameters":[{"name":"status","in":"query","required":false,"schema":{"type":"string","enum":["open","closed"]},"description":"Only requests in this state"}],"responses":["200","401"],"security":[[{"scheme":"bearer","scopes":["requests:read"]}]]}"#,
        #"{"method":"POST","path":"/requests","summary":"Create a request","body_required":true,"body":{"type":"object","required":["title"],"properties":{"title":{"type":"string","description":"What is wrong"},"priority":{"type":"integer","enum":[1,2,3]}}},"responses":["201","422"],"security":[[{"scheme":"bearer","scopes":["requests:read","requests:write"]}]]}"#,
        #"{"method":"GET","path":"/requests/{item_id}","summary":"Get a request","parameters":[{"name":"item_id","in":"path","required":true,"schema":{"type":"string"}}],"responses":["200","404"]}"#,
    ]

    /// The dzdesk profile with its description named: `openapi = LOCATION`.
    static func dzdesk(openapi location: String) -> String {
        dzdesk.replacingOccurrences(of: "whoami = \"/me\"", with: "whoami = \"/me\"\nopenapi = \"\(location)\"")
    }

    /// Plays `apictl-openapi DESCRIPTION INDEX`: keeps the description it was handed and
    /// writes `output` to INDEX with `status`, as the helper would.
    final class FakeOpenAPIHelper: ProcessRunning, @unchecked Sendable {
        var output: String?
        var status: Int32 = 0
        var stderr = ""
        private(set) var descriptions: [String] = []

        init(output: String?) { self.output = output }

        func run(_ arguments: [String], environment: ChildEnvironment,
                 timeout: TimeInterval) throws(ProcessRunner.Failure) -> ProcessRunner.Outcome {
            if arguments.count == 3 {
                descriptions.append((try? String(contentsOfFile: arguments[1], encoding: .utf8)) ?? "")
                if let output { try? Data(output.utf8).write(to: URL(fileURLWithPath: arguments[2])) }
            }
            return ProcessRunner.Outcome(status: status, stdout: [], stderr: Array(stderr.utf8))
        }
    }

    /// `run`, with `helper` in place of the process runner, so `api sync` gets an index
    /// without OpenAPIKit. `api sync` still looks for the real helper program beside the
    /// running binary (the test bundle); nil when it is not there.
    func run(helper: FakeOpenAPIHelper, _ arguments: String...) -> Run? {
        guard Self.helperBesideBinary else { return nil }
        let outPath = folder + "/stdout", errPath = folder + "/stderr"
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600), err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(out); close(err) }
        let transport = self.transport, store = self.store, now = self.now, input = self.standardInput
        let context = CommandContext(environment: environment, stdout: OutputStream(fd: out, isTerminal: false),
                                     stderr: OutputStream(fd: err, isTerminal: false), stdinIsTerminal: false,
                                     readStandardInput: { input }, now: { now }, makeTransport: { transport },
                                     makeStores: { _ in MemoryStores(store) }, keeper: keeper, runner: helper)
        let status = App.main(arguments: arguments, context: context)
        func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Run(status: status, stdout: text(outPath), stderr: text(errPath))
    }

    /// Whether `api sync` finds `apictl-openapi` from this process (it looks beside
    /// /proc/self/exe, which here is the test bundle: a `swift build` puts the helper there).
    static var helperBesideBinary: Bool {
        let context = CommandContext(environment: [:], stdout: OutputStream(fd: 1, isTerminal: false),
                                     stderr: OutputStream(fd: 2, isTerminal: false), stdinIsTerminal: false,
                                     readStandardInput: { [] }, now: { Date() }, makeTransport: { FakeTransport() })
        return ApiSyncCommand.helperPath(context) != nil
    }
}
