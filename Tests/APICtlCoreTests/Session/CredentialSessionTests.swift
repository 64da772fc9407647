@testable import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// The session with every part faked: which source wins, what happens after a
/// 401 for each kind of credential, and rotation recovery. No process, no
/// network, no keyring.
final class CredentialSessionTests: XCTestCase {
    static let config = """
    [profiles.dz]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    token_env = "DZ_TOKEN"
    whoami = "/me"

    [profiles.cmd]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    whoami = "/me"
    token_command = ["vault", "read", "dz"]

    [profiles.ci]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    whoami = "/me"
    [profiles.ci.ci]
    exchange = "mint"
    audience = "dz"
    id_token_env = "DZ_ID_TOKEN"
    mint = "POST /mint"

    [profiles.oauth]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    whoami = "/me"
    [profiles.oauth.oauth]
    client_id = "cli"
    token_url = "https://api.dz.test/oauth/token"

    [profiles.keys]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    whoami = "/me"
    [profiles.keys.tokens]
    create = "POST /api-keys"
    list = "GET /api-keys"
    revoke = "DELETE /api-keys/{id}"
    """

    /// An unsigned JWT that expires an hour after the fixture's clock, as a CI provider's ID token would.
    static let idToken = [#"{"alg":"none"}"#, #"{"sub":"repo:x","aud":"dz","exp":1800003600}"#]
        .map { Data($0.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "") }.joined(separator: ".") + ".sig"

    func fixture(environment: [String: String] = [:], answers: [String] = []) throws -> SessionFixture {
        try SessionFixture(Self.config, environment: environment, commandAnswers: answers)
    }

    /// As a login through this version stores it: bound to the profile's origin.
    func bound(_ credential: Credential) -> Credential {
        var bound = credential
        bound.origin = "https://api.dz.test"
        return bound
    }

    /// Sends GET /me and says which bearer token each attempt carried.
    func tokensSent(_ session: CredentialSession, _ fixture: SessionFixture) throws -> [String] {
        let before = fixture.transport.requests("GET /v1/me").count
        _ = try session.client.fetch(HTTPRequest(method: "GET", url: "https://api.dz.test/v1/me"))
        return fixture.transport.requests("GET /v1/me").dropFirst(before).map { $0.headers["Authorization"] ?? "none" }
    }

    // MARK: which source wins

    func testAPICTLTokenWinsOverEverything() throws {
        let f = try fixture(environment: ["APICTL_TOKEN": "from-apictl", "DZ_TOKEN": "from-profile"])
        f.store.records[f.key("dz")] = bound(Credential(token: "stored"))
        let session = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "from-apictl")
        XCTAssertEqual(session.credential?.source, .environment(variable: "APICTL_TOKEN"))
        XCTAssertEqual(f.stores.opened, 0, "the store is not opened when the environment answers")
    }

    func testTokenEnvWinsOverTheStore() throws {
        let f = try fixture(environment: ["DZ_TOKEN": "from-profile"])
        f.store.records[f.key("dz")] = bound(Credential(token: "stored"))
        let session = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(session.credential?.source, .environment(variable: "DZ_TOKEN"))
    }

    func testTokenCommandWinsOverTheStoreAndGetsNoSecrets() throws {
        let f = try fixture(environment: ["APICTL_PASSPHRASE": "p", "APICTL_PASSPHRASE_FILE": "/x", "HOME": "/root"],
                            answers: ["from-vault\n"])
        f.store.records[f.key("cmd")] = bound(Credential(token: "stored"))
        let session = try CredentialSession.open(profile: try f.profile("cmd"), parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "from-vault")
        XCTAssertEqual(session.credential?.source.name, "command")
        XCTAssertEqual(f.stores.opened, 0)
        XCTAssertEqual(f.runner.runs.first?.arguments, ["vault", "read", "dz"])
        let childEnvironment = try XCTUnwrap(f.runner.runs.first?.environment)
        XCTAssertNil(childEnvironment["APICTL_PASSPHRASE"])
        XCTAssertNil(childEnvironment["APICTL_PASSPHRASE_FILE"])
        XCTAssertEqual(childEnvironment["HOME"], "/root")
        XCTAssertEqual(childEnvironment["APICTL_PROFILE"], "cmd")
    }

    func testCIExchangeWinsOverTheStore() throws {
        let f = try fixture(environment: ["DZ_ID_TOKEN": Self.idToken])
        f.store.records[f.key("ci")] = bound(Credential(token: "stored"))
        f.transport.on("POST /v1/mint") { _ in .init(200, #"{"token":"minted-1","expires_in":3600}"#) }
        let session = try CredentialSession.open(profile: try f.profile("ci"), parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "minted-1")
        XCTAssertEqual(session.credential?.source.name, "ci")
        XCTAssertEqual(f.stores.opened, 0)
    }

    func testTheStoreAnswersLast() throws {
        let f = try fixture()
        f.store.records[f.key("dz")] = bound(Credential(token: "stored"))
        let session = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "stored")
        XCTAssertEqual(session.credential?.source, .keyring)
        XCTAssertEqual(f.stores.opened, 1)
    }

    func testNoCredentialAnywhere() throws {
        let f = try fixture()
        let session = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertNil(session.credential)
    }

    // MARK: refused before anything is sent

    func testAStoredCredentialGoesOnlyToTheOriginItWasObtainedFor() throws {
        let f = try fixture()
        var elsewhere = Credential(token: "stored")
        elsewhere.origin = "https://old.dz.test"
        f.store.records[f.key("dz")] = elsewhere
        XCTAssertThrowsError(try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)) { error in
            let error = error as? APICtlError
            XCTAssertEqual(error?.exitCode, .authentication)
            XCTAssertTrue(error?.message.contains("https://old.dz.test") ?? false)
            XCTAssertTrue(error?.message.contains("https://api.dz.test") ?? false)
            XCTAssertTrue(error?.hint?.contains("apictl login -p dz") ?? false)
        }
        XCTAssertTrue(f.transport.sent.isEmpty)
    }

    func testARecordWithoutAnOriginIsBoundAtItsFirstUseAndSaysSoOnce() throws {
        let f = try fixture()
        f.store.records[f.key("dz")] = Credential(token: "stored")
        let first = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(first.notices.count, 1)
        XCTAssertTrue(first.notices[0].contains("now bound to https://api.dz.test"), first.notices[0])
        XCTAssertEqual(f.store.records[f.key("dz")]?.origin, "https://api.dz.test")
        let second = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(second.notices, [])
    }

    func testAKeptCommandAnswerServesOnlyItsOwnCommand() throws {
        let f = try fixture(answers: [#"{"token":"from-first","expires_in":3600}"#, "from-second"])
        _ = try CredentialSession.open(profile: try f.profile("cmd"), parts: f.parts)
        var other = try f.profile("cmd")
        other.tokenCommand = ["other-vault", "read"]
        let session = try CredentialSession.open(profile: other, parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "from-second")
        XCTAssertEqual(f.runner.runs.count, 2)
    }

    func testLineBreaksAndNULsAreRefusedFromEverySource() throws {
        for token in ["a\r\nX-Injected: 1", "a\nb", "a\u{0}b"] {
            let env = try fixture(environment: ["APICTL_TOKEN": token])
            XCTAssertThrowsError(try CredentialSession.open(profile: try env.profile("dz"), parts: env.parts)) { error in
                XCTAssertEqual((error as? APICtlError)?.exitCode, .authentication)
                XCTAssertFalse((error as? APICtlError)?.message.contains(token) ?? true, "the token is never quoted")
            }
            let stored = try fixture()
            stored.store.records[stored.key("dz")] = bound(Credential(token: token))
            XCTAssertThrowsError(try CredentialSession.open(profile: try stored.profile("dz"), parts: stored.parts)) { error in
                XCTAssertEqual((error as? APICtlError)?.exitCode, .credentialStore)
            }
        }
        let command = try fixture(answers: [#"{"token":"a\r\nX-Injected: 1"}"#])
        XCTAssertThrowsError(try CredentialSession.open(profile: try command.profile("cmd"), parts: command.parts)) { error in
            XCTAssertEqual((error as? APICtlError)?.exitCode, .credentialStore)
        }
        XCTAssertTrue(command.transport.sent.isEmpty)
    }

    func testAnOversizedTokenIsToldAsSuch() throws {
        let f = try fixture(environment: ["APICTL_TOKEN": String(repeating: "a", count: 1_400_000)])
        XCTAssertThrowsError(try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)) { error in
            XCTAssertTrue((error as? APICtlError)?.message.contains("1400000 bytes") ?? false)
        }
    }

    // MARK: after a 401, one policy per source

    func testA401FromTheEnvironmentIsNotRetried() throws {
        let f = try fixture(environment: ["APICTL_TOKEN": "bad"])
        f.transport.on("GET /v1/me") { _ in .init(401) }
        let session = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(try tokensSent(session, f), ["Bearer bad"])
    }

    func testA401AsksTheTokenCommandAgainPastItsKeptAnswer() throws {
        let f = try fixture(answers: [#"{"token":"stale","expires_in":3600}"#, "fresh"])
        f.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer fresh" ? 200 : 401, "{}") }
        let first = try CredentialSession.open(profile: try f.profile("cmd"), parts: f.parts)
        XCTAssertFalse(f.keeper.entries.isEmpty, "an answer with an expiry is kept")
        // A second process is served the kept answer without running the command...
        let second = try CredentialSession.open(profile: try f.profile("cmd"), parts: f.parts)
        XCTAssertEqual(f.runner.runs.count, 1)
        XCTAssertEqual(second.credential?.credential.token, "stale")
        // ...and a 401 forgets it and asks the command once more.
        XCTAssertEqual(try tokensSent(first, f), ["Bearer stale", "Bearer fresh"])
        XCTAssertEqual(f.runner.runs.count, 2)
    }

    func testA401ExchangesTheCIIdentityAgain() throws {
        let f = try fixture(environment: ["DZ_ID_TOKEN": Self.idToken])
        var minted = 0
        f.transport.on("POST /v1/mint") { _ in
            minted += 1
            return .init(200, #"{"token":"minted-\#(minted)","expires_in":3600}"#)
        }
        f.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer minted-2" ? 200 : 401, "{}") }
        let session = try CredentialSession.open(profile: try f.profile("ci"), parts: f.parts)
        XCTAssertEqual(try tokensSent(session, f), ["Bearer minted-1", "Bearer minted-2"])
        XCTAssertEqual(minted, 2)
    }

    func testA401RereadsTheStoreAndRetriesOnlyWithAnotherKey() throws {
        let f = try fixture()
        f.store.records[f.key("dz")] = bound(Credential(token: "copy"))
        f.store.latest[f.key("dz")] = bound(Credential(token: "item"))
        f.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer item" ? 200 : 401, "{}") }
        let session = try CredentialSession.open(profile: try f.profile("dz"), parts: f.parts)
        XCTAssertEqual(try tokensSent(session, f), ["Bearer copy", "Bearer item"])

        let same = try fixture()
        same.store.records[same.key("dz")] = bound(Credential(token: "dead"))
        same.transport.on("GET /v1/me") { _ in .init(401) }
        let unchanged = try CredentialSession.open(profile: try same.profile("dz"), parts: same.parts)
        XCTAssertEqual(try tokensSent(unchanged, same), ["Bearer dead"], "the same key is not sent twice")
    }

    /// An OAuth 2.0 token in the keyring: a 401 refreshes under the lock, and the
    /// refresh first re-reads the store, so a peer's refresh is taken as it is.
    func testA401OnAStoredOAuthTokenTakesAPeersRefresh() throws {
        let f = try fixture()
        var stale = Credential(token: "old-access", kind: "oauth2", refreshToken: "r1",
                               expiresAt: f.now.addingTimeInterval(3000))
        stale.tokenURL = "https://api.dz.test/oauth/token"
        f.store.records[f.key("oauth")] = bound(stale)
        var peer = stale
        peer.token = "peer-access"
        peer.refreshToken = "r2"
        f.store.latest[f.key("oauth")] = bound(peer)
        f.transport.on("POST /oauth/token") { _ in .init(200, #"{"access_token":"mine","expires_in":3600}"#) }
        f.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer peer-access" ? 200 : 401, "{}") }
        let session = try CredentialSession.open(profile: try f.profile("oauth"), parts: f.parts)
        XCTAssertEqual(try tokensSent(session, f), ["Bearer old-access", "Bearer peer-access"])
        XCTAssertTrue(f.transport.requests("POST /oauth/token").isEmpty, "no second refresh")
    }

    func testA401OnAStoredOAuthTokenRefreshesAndStores() throws {
        let f = try fixture()
        var stored = Credential(token: "old-access", kind: "oauth2", refreshToken: "r1", expiresAt: f.now.addingTimeInterval(3000))
        stored.tokenURL = "https://api.dz.test/oauth/token"
        f.store.records[f.key("oauth")] = bound(stored)
        f.transport.on("POST /oauth/token") { request in
            let body = String(decoding: request.body ?? [], as: UTF8.self)
            XCTAssertTrue(body.contains("grant_type=refresh_token") && body.contains("refresh_token=r1"), body)
            return .init(200, #"{"access_token":"new-access","refresh_token":"r2","expires_in":3600}"#)
        }
        f.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer new-access" ? 200 : 401, "{}") }
        let session = try CredentialSession.open(profile: try f.profile("oauth"), parts: f.parts)
        XCTAssertEqual(try tokensSent(session, f), ["Bearer old-access", "Bearer new-access"])
        XCTAssertEqual(f.store.records[f.key("oauth")]?.refreshToken, "r2", "the rotated refresh token is stored")
    }

    /// The refresh token's trips to the token endpoint are in the audit record as the API
    /// credential's are: one line per answer, and none for a request that never left (the
    /// endpoint could not be reached), which used to be recorded as a use all the same.
    func testARefreshIsRecordedOnlyWhenItLeft() throws {
        for reachable in [true, false] {
            let f = try fixture()
            var stored = Credential(token: "old-access", kind: "oauth2", refreshToken: "r1", expiresAt: f.now.addingTimeInterval(3000))
            stored.tokenURL = "https://api.dz.test/oauth/token"
            f.store.records[f.key("oauth")] = bound(stored)
            if reachable { f.transport.on("POST /oauth/token") { _ in .init(200, #"{"access_token":"new-access","expires_in":3600}"#) } }
            f.transport.on("GET /v1/me") { request in .init(request.headers["Authorization"] == "Bearer new-access" ? 200 : 401, "{}") }
            let state = f.dataDirectory + "/state-\(reachable)"
            let trail = AuditTrail(log: AuditLog(stateDirectory: state))
            let profile = try f.profile("oauth")
            trail.begin(profile)
            var settings = ClientSettings()
            settings.audit = trail
            let now = f.now
            let parts = SessionParts(environment: f.environment, now: { now }, config: f.config, dataDirectory: f.dataDirectory,
                                     stores: f.stores, transport: f.transport, keeper: f.keeper, runner: f.runner, clientSettings: settings)
            let session = try CredentialSession.open(profile: profile, parts: parts)
            _ = try? session.client.fetch(HTTPRequest(method: "GET", url: "https://api.dz.test/v1/me"))
            let lines = trail.log.entries().map { "\($0.method) \($0.path) \($0.status.map(String.init) ?? "null")" }
            XCTAssertEqual(lines, reachable ? ["GET /v1/me 401", "POST /oauth/token 200", "GET /v1/me 200"] : ["GET /v1/me 401"], "\(reachable)")
        }
    }

    func testADueOAuthTokenIsRefreshedBeforeTheRequest() throws {
        let f = try fixture()
        var stored = Credential(token: "old-access", kind: "oauth2", refreshToken: "r1", expiresAt: f.now.addingTimeInterval(30))
        stored.tokenURL = "https://api.dz.test/oauth/token"
        f.store.records[f.key("oauth")] = bound(stored)
        f.transport.on("POST /oauth/token") { _ in .init(200, #"{"access_token":"new-access","expires_in":3600}"#) }
        f.transport.on("GET /v1/me") { _ in .init(200, "{}") }
        let session = try CredentialSession.open(profile: try f.profile("oauth"), parts: f.parts)
        XCTAssertEqual(session.credential?.credential.token, "new-access")
        XCTAssertEqual(try tokensSent(session, f), ["Bearer new-access"])
    }

    // MARK: rotation recovery

    func writeJournal(_ f: SessionFixture, _ json: String) throws {
        let files = ProfileStateFiles(dataDirectory: f.dataDirectory, key: f.key("keys"))
        try FileManager.default.createDirectory(atPath: (files.rotationJournal as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: files.rotationJournal, contents: Data(json.utf8),
                                                     attributes: [.posixPermissions: 0o600]))
    }

    func testAStoredRotationIsFinishedByRevokingTheOldKey() throws {
        let f = try fixture()
        defer { try? FileManager.default.removeItem(atPath: f.dataDirectory) }
        f.store.records[f.key("keys")] = bound(Credential(token: "new-key", tokenID: "k2"))
        try writeJournal(f, #"{"step":"stored","new_name":"n","new_id":"k2","old_id":"k1"}"#)
        f.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
        let session = try CredentialSession.open(profile: try f.profile("keys"), parts: f.parts)
        XCTAssertEqual(f.transport.requests("DELETE /v1/api-keys/k1").first?.headers["Authorization"], "Bearer new-key")
        XCTAssertEqual(session.notices.count, 1)
        XCTAssertTrue(session.notices[0].contains("finished an interrupted rotation"), session.notices[0])
        XCTAssertEqual(session.credential?.credential.token, "new-key")
    }

    /// The API gave the new key the old key's id: at either step, recovery revoked that id,
    /// which is the key still stored. Now it revokes nothing and says why.
    func testARotationWhoseKeysShareAnIdRevokesNeither() throws {
        for step in ["created", "stored"] {
            let f = try fixture()
            defer { try? FileManager.default.removeItem(atPath: f.dataDirectory) }
            f.store.records[f.key("keys")] = bound(Credential(token: "old-key", tokenID: "k1"))
            try writeJournal(f, #"{"step":"\#(step)","new_name":"n","new_id":"k1","old_id":"k1"}"#)
            f.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
            f.transport.on("GET /v1/api-keys") { _ in .init(200, #"{"data":[]}"#) }
            let session = try CredentialSession.open(profile: try f.profile("keys"), parts: f.parts)
            XCTAssertTrue(f.transport.requests("DELETE /v1/api-keys/k1").isEmpty, step)
            XCTAssertTrue(session.notices.first?.contains("two keys under one id") == true, "\(step): \(session.notices)")
            XCTAssertEqual(session.credential?.credential.token, "old-key")
            XCTAssertFalse(FileManager.default.fileExists(atPath: ProfileStateFiles(dataDirectory: f.dataDirectory, key: f.key("keys")).rotationJournal))
        }
    }

    /// A kill before the create's answer: the list shows the new key by name, under the old key's id.
    func testARollbackFindingTheOldKeysIdRevokesNothing() throws {
        let f = try fixture()
        defer { try? FileManager.default.removeItem(atPath: f.dataDirectory) }
        f.store.records[f.key("keys")] = bound(Credential(token: "old-key", tokenID: "k1"))
        try writeJournal(f, #"{"step":"creating","new_name":"n","new_id":null,"old_id":"k1","started_at":"2000-01-01T00:00:00Z"}"#)
        f.transport.on("GET /v1/api-keys") { _ in .init(200, #"[{"id":"k1","name":"n"}]"#) }
        f.transport.on("DELETE /v1/api-keys/k1") { _ in .init(204) }
        let session = try CredentialSession.open(profile: try f.profile("keys"), parts: f.parts)
        XCTAssertTrue(f.transport.requests("DELETE /v1/api-keys/k1").isEmpty)
        XCTAssertTrue(session.notices.first?.contains("has the old key's id k1, so it was not revoked") == true, "\(session.notices)")
    }

    func testACreatedRotationIsRolledBackByRevokingTheNewKey() throws {
        let f = try fixture()
        defer { try? FileManager.default.removeItem(atPath: f.dataDirectory) }
        f.store.records[f.key("keys")] = bound(Credential(token: "old-key", tokenID: "k1"))
        try writeJournal(f, #"{"step":"created","new_name":"n","new_id":"k2","old_id":"k1"}"#)
        f.transport.on("DELETE /v1/api-keys/k2") { _ in .init(204) }
        let session = try CredentialSession.open(profile: try f.profile("keys"), parts: f.parts)
        XCTAssertEqual(f.transport.requests("DELETE /v1/api-keys/k2").count, 1)
        XCTAssertTrue(f.transport.requests("DELETE /v1/api-keys/k1").isEmpty, "the stored key is never revoked")
        XCTAssertTrue(session.notices.first?.contains("rolled back") ?? false)
        XCTAssertEqual(session.credential?.credential.token, "old-key")
    }
}
