@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl api sync` in process: the fetch (conditional, through the profile's client), the
/// index and what it notes of the sync; `apictl-openapi` is played by a fake runner.
final class ApiSyncCommandTests: XCTestCase {
    static let location = "https://api.dz.test/v1/openapi.json"

    func harness(openapi: String = location) throws -> CommandHarness {
        try CommandHarness(config: CommandHarness.dzdesk(openapi: openapi), environment: ["DZ_TOKEN": "env-key"])
    }

    func testACopyYoungerThanItsMaxAgeIsCurrentAndNothingIsFetched() throws {
        let harness = try harness()
        try harness.saveIndex()
        try harness.saveSyncMeta(location: Self.location, etag: #""v1""#, syncedAgo: 3600)
        let run = harness.run("api", "sync", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("the description synced "), run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix(" ago is current (openapi_max_age); --force fetches it again\n"), run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(harness.transport.sent.isEmpty)
    }

    /// A young index of what the profile named before `profile set --openapi` or `--base-url`
    /// is not current: it is fetched again, without the old ETag, and noted as of the new settings.
    func testAnIndexOfTheProfileAsItWasBeforeIsFetchedAgain() throws {
        for (openapi, base) in [("https://old.dz.test/openapi.json", "/v1"), (Self.location, "/v0")] {
            let harness = try harness()
            try harness.saveIndex()
            try harness.saveSyncMeta(location: openapi, etag: #""v1""#, syncedAgo: 60, openapiSetting: openapi, basePath: base)
            harness.transport.on("GET /v1/openapi.json") { request in
                request.headers["If-None-Match"] == nil ? .init(200, #"{"hello": 1}"#) : .init(304)
            }
            let run = harness.run("api", "sync", "-p", "dz")
            XCTAssertFalse(run.stderr.contains("is current") || run.stderr.contains("unchanged"), run.stderr)
            XCTAssertNil(try XCTUnwrap(harness.transport.requests("GET /v1/openapi.json").first, run.stderr).headers["If-None-Match"])
        }
        let harness = try harness()
        try harness.saveIndex()
        try harness.saveSyncMeta(location: Self.location, syncedAgo: 60, openapiSetting: Self.location, basePath: "/v1")
        XCTAssertTrue(harness.run("api", "sync", "-p", "dz").stderr.contains("is current"), "the same settings: current")
    }

    /// An index in a layout this version cannot read is no index: it is fetched again, without
    /// the old ETag (a 304 would keep what cannot be read), even within openapi_max_age.
    func testAnIndexInAnotherLayoutIsFetchedAgainWithoutItsETag() throws {
        let harness = try harness()
        try FileManager.default.createDirectory(atPath: harness.indexFolder(), withIntermediateDirectories: true)
        try Data("DZDesk\t3.0.3\nGET\t/requests\tList requests\n".utf8).write(to: URL(fileURLWithPath: harness.indexFolder() + "/catalog.tsv"))
        try harness.saveSyncMeta(location: Self.location, etag: #""v1""#, syncedAgo: 3600)
        harness.transport.on("GET /v1/openapi.json") { request in
            request.headers["If-None-Match"] == nil ? .init(200, #"{"hello": 1}"#) : .init(304)
        }
        let run = harness.run("api", "sync", "-p", "dz")
        let sent = try XCTUnwrap(harness.transport.requests("GET /v1/openapi.json").first, run.stderr)
        XCTAssertNil(sent.headers["If-None-Match"], "an unreadable index is not kept by a 304")
        XCTAssertFalse(run.stderr.contains("is current") || run.stderr.contains("unchanged"), run.stderr)
    }

    func testForceAsksWithTheETagAndA304KeepsTheIndex() throws {
        let harness = try harness()
        try harness.saveIndex()
        try harness.saveSyncMeta(location: Self.location, etag: #""v1""#, syncedAgo: 3600)
        harness.transport.on("GET /v1/openapi.json") { request in
            request.headers["If-None-Match"] == #""v1""# ? .init(304) : .init(200, "{}")
        }
        let run = harness.run("api", "sync", "--force", "-p", "dz")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "https://api.dz.test/v1/openapi.json is unchanged (304); the index is current\n")
        let sent = try XCTUnwrap(harness.transport.requests("GET /v1/openapi.json").first)
        XCTAssertEqual(sent.headers["Authorization"], "Bearer env-key", "the profile's own origin gets the credential")
        XCTAssertEqual(harness.syncMeta()?.syncedAt, harness.now)
        XCTAssertEqual(harness.syncMeta()?.etag, #""v1""#)
        XCTAssertEqual(harness.run("api", "list", "-p", "dz").stdout.split(separator: "\n").count, 4, "the index is kept")
    }

    func testANamedDescriptionFileThatDoesNotExistIsAConfigurationError() throws {
        let missing = NSTemporaryDirectory() + "apictl-no-such-" + UUID().uuidString + "/openapi.json"
        let harness = try harness(openapi: missing)
        let run = harness.run("api", "sync", "-p", "dz")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stderr, "apictl: profile 'dz': openapi = '\(missing)' is neither a URL nor a regular file that can be read\n")
        XCTAssertTrue(harness.transport.sent.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.indexFolder()))
    }

    func testTheFetchedDescriptionIsIndexedAndItsETagNoted() throws {
        try XCTSkipUnless(CommandHarness.helperBesideBinary, "api sync finds no apictl-openapi beside the test bundle")
        let harness = try harness()
        let description = #"{"openapi":"3.1.0","info":{"title":"DZDesk","version":"1"},"paths":{}}"#
        harness.transport.on("GET /v1/openapi.json") { _ in
            .init(200, description, headers: [("Content-Type", "application/json"), ("ETag", #""v2""#)])
        }
        let helper = CommandHarness.FakeOpenAPIHelper(output: CommandHarness.helperOutput(CommandHarness.dzOperations))
        helper.stderr = "warning: #/components/schemas/Gone at .paths['/requests'].post.requestBody does not resolve; that part is not checked\n"
        let run = try XCTUnwrap(harness.run(helper: helper, "api", "sync", "-p", "dz"))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, """
            apictl: description: #/components/schemas/Gone at .paths['/requests'].post.requestBody does not resolve; that part is not checked
            synced 3 operations of 'DZDesk' (OpenAPI 3.1.0) from https://api.dz.test/v1/openapi.json for dz

            """)
        XCTAssertEqual(helper.descriptions, [description], "the helper parses the body as fetched")
        XCTAssertEqual(harness.syncMeta()?.etag, #""v2""#)
        XCTAssertEqual(harness.syncMeta()?.location, Self.location)
        XCTAssertTrue(harness.run("api", "list", "-p", "dz").stdout.contains("POST    /requests            Create a request"))
    }

    func testADescriptionTheHelperRefusesIsExit3WithItsReasonAndTheOldIndexKept() throws {
        try XCTSkipUnless(CommandHarness.helperBesideBinary, "api sync finds no apictl-openapi beside the test bundle")
        let harness = try harness()
        try harness.saveIndex()
        harness.transport.on("GET /v1/openapi.json") { _ in .init(200, #"{"swagger":"2.0"}"#) }
        let helper = CommandHarness.FakeOpenAPIHelper(output: nil)
        helper.status = 3
        helper.stderr = "not an OpenAPI 3 description: Swagger 2.0 is not supported\n"
        let run = try XCTUnwrap(harness.run(helper: helper, "api", "sync", "-p", "dz"))
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertEqual(run.stderr, "apictl: the API description is not usable: not an OpenAPI 3 description: Swagger 2.0 is not supported\n")
        XCTAssertNil(harness.syncMeta(), "a failed sync notes nothing")
        XCTAssertEqual(harness.run("api", "list", "-p", "dz").stdout.split(separator: "\n").count, 4, "the old index is kept")
    }
}
