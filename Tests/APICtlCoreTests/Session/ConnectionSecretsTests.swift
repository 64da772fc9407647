@testable import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// Where a request's client certificate, its key and the proxy login come from, and what
/// stops a request before it is sent.
final class ConnectionSecretsTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "apictl-certs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in [("alice.pem", TestCertificates.alice), ("alice.key", TestCertificates.aliceKey),
                             ("alice-enc.key", TestCertificates.aliceKeyEncrypted), ("bob.key", TestCertificates.bobKey),
                             ("old.pem", TestCertificates.expired), ("old.key", TestCertificates.expiredKey)] {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func fixture(_ lines: String, environment: [String: String] = [:]) throws -> SessionFixture {
        try SessionFixture("""
            [profiles.bank]
            auth = "bearer"
            base_url = "https://api.bank.test"
            \(lines)
            """, environment: environment)
    }

    func secrets(_ fixture: SessionFixture, prompts: [String] = [], asked: Box<[String]> = Box([])) -> ConnectionSecrets {
        var answers = prompts
        let now = fixture.now
        return ConnectionSecrets(environment: fixture.environment,
                                 readStore: { key throws(APICtlError) in try fixture.store.load(key) },
                                 askPassphrase: { prompt in
                                     asked.value.append(prompt)
                                     return answers.isEmpty ? nil : answers.removeFirst()
                                 }, cacheLifetime: 60, keeper: fixture.keeper, now: { now })
    }

    /// A FIFO or a device in the certificate's place is refused at once, never waited on.
    func testACertificatePathThatIsNoRegularFileIsRefusedWithoutWaiting() throws {
        XCTAssertEqual(mkfifo(folder + "/fifo", 0o600), 0)
        for path in [folder + "/fifo", "/dev/zero", folder] {
            let fixture = try fixture("client_cert = \"\(path)\"\nclient_key = \"\(folder)/alice.key\"")
            XCTAssertThrowsError(try secrets(fixture).certificate(for: fixture.profile("bank"))) {
                XCTAssertEqual(($0 as? APICtlError)?.exitCode, .configuration, path)
                XCTAssertTrue(($0 as? APICtlError)?.message.contains("not a regular file") == true, path)
            }
        }
    }

    /// A file with more certificates than a client presents is refused before a server refuses the handshake.
    func testAChainLongerThanAClientPresentsIsRefused() throws {
        let chain = Array(repeating: TestCertificates.alice, count: ClientCertificate.longestChain + 1).joined(separator: "\n")
        try chain.write(toFile: folder + "/long.pem", atomically: true, encoding: .utf8)
        let long = try fixture("client_cert = \"\(folder)/long.pem\"\nclient_key = \"\(folder)/alice.key\"")
        XCTAssertThrowsError(try secrets(long).certificate(for: long.profile("bank"))) {
            XCTAssertTrue(($0 as? APICtlError)?.message.contains("holds 11 certificates") == true, "\($0)")
        }
        let short = try fixture("client_cert = \"\(folder)/alice.pem\"\nclient_key = \"\(folder)/alice.key\"")
        XCTAssertEqual(try secrets(short).certificate(for: short.profile("bank"))?.chainLength, 1)
    }

    func testAProfileWithoutACertificateReadsNothing() throws {
        let fixture = try fixture("")
        XCTAssertNil(try secrets(fixture).certificate(for: fixture.profile("bank")))
    }

    func testAMismatchedKeyAndAnExpiredCertificateStopTheRequestWithExit3() throws {
        let mismatched = try fixture("client_cert = \"\(folder)/alice.pem\"\nclient_key = \"\(folder)/bob.key\"")
        XCTAssertThrowsError(try secrets(mismatched).certificate(for: mismatched.profile("bank"))) {
            let error = $0 as? APICtlError
            XCTAssertEqual(error?.exitCode, .configuration)
            XCTAssertTrue(error?.message.contains("is not the key of the client certificate") == true, error?.message ?? "")
        }
        let expired = try fixture("client_cert = \"\(folder)/old.pem\"\nclient_key = \"\(folder)/old.key\"")
        XCTAssertThrowsError(try secrets(expired).certificate(for: expired.profile("bank"))) {
            XCTAssertEqual(($0 as? APICtlError)?.exitCode, .configuration)
            XCTAssertTrue(($0 as? APICtlError)?.message.contains("expired on 2021-01-01") == true)
        }
    }

    func testAnEncryptedKeyTakesItsVariableElseAsksAndKeepsTheDecryptedKeyForTheSession() throws {
        let lines = "client_cert = \"\(folder)/alice.pem\"\nclient_key = \"\(folder)/alice-enc.key\"\nclient_key_passphrase_env = \"KP\""
        let fromVariable = try fixture(lines, environment: ["KP": "s3cret"])
        XCTAssertEqual(try secrets(fromVariable).certificate(for: fromVariable.profile("bank"))?.thumbprint, TestCertificates.aliceThumbprint)

        let typed = try fixture(lines)
        let asked = Box<[String]>([])
        XCTAssertEqual(try secrets(typed, prompts: ["wrong", "s3cret"], asked: asked).certificate(for: typed.profile("bank"))?.subject, "CN=alice")
        XCTAssertEqual(asked.value.count, 2, "a wrong passphrase is asked again")
        let later = Box<[String]>([])
        XCTAssertNotNil(try secrets(typed, asked: later).certificate(for: typed.profile("bank")))
        XCTAssertEqual(later.value, [], "the key decrypted with a typed passphrase is kept for the session")

        let noTerminal = try fixture(lines)
        XCTAssertThrowsError(try secrets(noTerminal).certificate(for: noTerminal.profile("bank"))) {
            XCTAssertTrue(($0 as? APICtlError)?.message.contains("KP (client_key_passphrase_env) is not set") == true, "the unset variable is named")
        }
    }

    func testACertificateWithoutAKeyFileUsesTheKeyInTheStoreTheEnvironmentsOwnFirst() throws {
        let fixture = try fixture("client_cert = \"\(folder)/alice.pem\"")
        XCTAssertThrowsError(try secrets(fixture).certificate(for: fixture.profile("bank"))) {
            XCTAssertTrue(($0 as? APICtlError)?.hint?.contains("credentials import-key") == true)
        }
        try fixture.store.save(Credential(token: TestCertificates.aliceKey, kind: "client_key"),
                               for: CredentialKey(profile: "bank", environment: nil).clientKey)
        XCTAssertEqual(try secrets(fixture).certificate(for: fixture.profile("bank"))?.thumbprint, TestCertificates.aliceThumbprint)
    }

    func testTheProxyLoginComesFromTheStoreForTheProxyItWasStoredForOnly() throws {
        let fixture = try fixture("proxy = \"http://proxy.test:3128\"")
        let proxy = "http://proxy.test:3128"
        XCTAssertNil(try secrets(fixture).proxyLogin(for: fixture.profile("bank"), proxy: proxy))
        var record = Credential(token: "pw", kind: "proxy")
        record.name = "me"
        record.origin = ConnectionSecrets.proxyIdentity(proxy)
        try fixture.store.save(record, for: CredentialKey(profile: "bank", environment: nil).proxyLogin)
        XCTAssertEqual(try secrets(fixture).proxyLogin(for: fixture.profile("bank"), proxy: "HTTP://Proxy.test:3128"),
                       ProxyCredential(user: "me", password: "pw"))
        XCTAssertNil(try secrets(fixture).proxyLogin(for: fixture.profile("bank"), proxy: "http://evil.test:3128"),
                     "another proxy, one the variables or a changed config point at, gets nothing")
    }

    /// RFC 8705 §3: a token bound to one certificate never goes out with another, or with none.
    func testABoundTokenIsRefusedWithAnotherCertificateOrNone() throws {
        let fixture = try fixture("client_cert = \"\(folder)/alice.pem\"\nclient_key = \"\(folder)/alice.key\"")
        let profile = try fixture.profile("bank")
        let alice = try XCTUnwrap(try secrets(fixture).certificate(for: profile))
        var credential = Credential(token: "opaque")
        XCTAssertNoThrow(try CertificateBinding.check(credential, presenting: nil, profile: profile), "an unbound token goes anywhere")
        credential.certificateBinding = alice.thumbprint
        XCTAssertNoThrow(try CertificateBinding.check(credential, presenting: alice, profile: profile))
        credential.certificateBinding = "another-thumbprint"
        XCTAssertThrowsError(try CertificateBinding.check(credential, presenting: alice, profile: profile)) {
            XCTAssertEqual(($0 as? APICtlError)?.exitCode, .configuration)
        }
        let payload = Base64URL.encode(Array(#"{"sub":"u","cnf":{"x5t#S256":"\#(alice.thumbprint)"}}"#.utf8))
        let jwt = Credential(token: "eyJhbGciOiJub25lIn0.\(payload).sig")
        XCTAssertEqual(jwt.boundCertificate, alice.thumbprint, "a JWT's cnf claim binds it")
        XCTAssertThrowsError(try CertificateBinding.check(jwt, presenting: nil, profile: profile))
        let odd = Base64URL.encode(Array(#"{"cnf":{"x5t#S256":123}}"#.utf8))
        XCTAssertEqual(Credential(token: "e30.\(odd).sig").boundCertificate, "(not a SHA-256 thumbprint)",
                       "a cnf apictl cannot read still binds the token: to no certificate it could present")
    }

    func testAProfilesProxyComesBeforeTheVariablesAndAnEmptyOneGoesDirect() throws {
        let target = try XCTUnwrap(URLParts.parse("https://api.bank.test/v1"))
        var proxies = ProxySettings(environment: ["https_proxy": "http://env-proxy:1"])
        XCTAssertEqual(proxies.proxy(for: target), "http://env-proxy:1")
        proxies.profileProxy = "proxy.corp:3128"
        XCTAssertEqual(proxies.proxy(for: target), "http://proxy.corp:3128")
        proxies.profileProxy = ""
        XCTAssertNil(proxies.proxy(for: target))
        XCTAssertNil(ProxySettings.url("ftp://proxy"))
        for unusable in ["  ", "http://u:p%0d%0aX@proxy:1", "http://proxy:99999", "http://:80", "http://[::1", "http://a b:1",
                         "http://h:1:2", "http://h:", "http://[]:80", "http://[127.0.0.1]:80", "http://🦊:80", "http://h%3a80",
                         "http://h:+80", "http://h\u{85}:80"] {
            XCTAssertNotNil(ProxySettings.problem(unusable), unusable)
        }
        XCTAssertNil(ProxySettings.problem("socks5h://proxy.corp:1080"))
        XCTAssertNil(ProxySettings.problem("http://[::1]:3128"))
        // A login is stored for the proxy libcurl connects to: without a port, 1080 (443 for https).
        XCTAssertEqual(ConnectionSecrets.proxyIdentity("http://Proxy.corp"), "http://proxy.corp:1080")
        XCTAssertEqual(ConnectionSecrets.proxyIdentity("proxy.corp"), "http://proxy.corp:1080")
        XCTAssertEqual(ConnectionSecrets.proxyIdentity("https://proxy.corp"), "https://proxy.corp:443")
        XCTAssertEqual(ConnectionSecrets.proxyIdentity("HTTP://u:p@proxy.corp:80/"), "http://proxy.corp:80")
        proxies.profileProxy = "http://proxy.corp:3128"
        proxies.noProxy = ["bank.test"]
        XCTAssertNil(proxies.proxy(for: target), "no_proxy applies to the profile's proxy too")
    }
}

/// A value a closure can change.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
