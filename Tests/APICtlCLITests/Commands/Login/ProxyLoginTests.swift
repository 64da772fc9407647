@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl login --proxy`: the proxy's user and password go to the store, tried on the proxy first.
final class ProxyLoginTests: XCTestCase {
    func harness(proxy: String?) throws -> CommandHarness {
        let line = proxy.map { "proxy = \"\($0)\"\n" } ?? ""
        return try CommandHarness(config: CommandHarness.dzdesk.replacingOccurrences(of: "[profiles.dz]\n", with: "[profiles.dz]\n" + line))
    }

    func testThePasswordFromStdinIsTriedOnTheProxyThenStoredForIt() throws {
        let harness = try harness(proxy: "http://proxy.test:3128")
        harness.standardInput = Array("proxy-pw\n".utf8)
        harness.transport.on("HEAD /v1") { _ in .init(200) }
        let run = harness.run("login", "--proxy", "-p", "dz", "--proxy-user", "me")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("stored the login of me for the proxy http://proxy.test:3128 of dz"), run.stderr)
        XCTAssertFalse(run.stderr.contains("proxy-pw"))
        let stored = try XCTUnwrap(harness.store.records[CredentialKey(profile: "dz", environment: nil).proxyLogin])
        XCTAssertEqual(stored.name, "me")
        XCTAssertEqual(stored.token, "proxy-pw")
        let tried = try XCTUnwrap(harness.transport.sent.last)
        XCTAssertEqual(tried.proxy, "http://proxy.test:3128")
        XCTAssertEqual(tried.proxyCredential, ProxyCredential(user: "me", password: "proxy-pw"))
        XCTAssertFalse(tried.headers.contains("Authorization"), "the API credential is no part of it")
        XCTAssertNil(harness.store.records[CredentialKey(profile: "dz", environment: nil)], "it is not the profile's login")
    }

    func testAProfileThatReachesItsAPIDirectHasNoProxyToLogInTo() throws {
        let harness = try harness(proxy: nil)
        harness.standardInput = Array("proxy-pw\n".utf8)
        let run = harness.run("login", "--proxy", "-p", "dz", "--proxy-user", "me")
        XCTAssertEqual(run.status, ExitCode.configuration.rawValue)
        XCTAssertTrue(run.stderr.contains("without a proxy"), run.stderr)
        XCTAssertTrue(harness.store.records.isEmpty)
    }

    func testAUserWithAColonAndProxyUserWithoutProxyAreUsageErrors() throws {
        let harness = try harness(proxy: "http://proxy.test:3128")
        harness.standardInput = Array("pw\n".utf8)
        XCTAssertEqual(harness.run("login", "--proxy", "-p", "dz", "--proxy-user", "a:b").status, ExitCode.usage.rawValue)
        XCTAssertEqual(harness.run("login", "-p", "dz", "--proxy-user", "me").status, ExitCode.usage.rawValue)
        XCTAssertTrue(harness.store.records.isEmpty)
    }
}
