@testable import APICtlCore
import Foundation
import XCTest

/// Accounts: the labels and identities remembered, the active choice, and where each
/// account's credential is stored.
final class AccountStateTests: XCTestCase {
    func testLabelsIdentitiesAndTheActiveAccountSurviveAWrite() throws {
        let directory = NSTemporaryDirectory() + "apictl-accounts-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let work = CredentialKey(profile: "dz", environment: nil, account: "work")
        try AccountState.update(stateDirectory: directory) { state in
            state.remember(work, identity: "ada@work.test")
            state.remember(CredentialKey(profile: "dz", environment: nil), identity: nil)
            state.use("work", for: "dz")
        }
        var state = AccountState(stateDirectory: directory)
        XCTAssertEqual(state.labels(of: "dz"), ["default", "work"])
        XCTAssertEqual(state.identity(of: work), "ada@work.test")
        XCTAssertEqual(state.active["dz"], "work")
        state.forget(work)
        XCTAssertEqual(state.labels(of: "dz"), ["default", "work"], "the active choice stays until the caller drops it")
        state.use(nil, for: "dz")
        XCTAssertEqual(state.labels(of: "dz"), ["default"])
        XCTAssertEqual(FileBytes.permissions(directory + "/accounts.json").map { $0 & 0o777 }, 0o600)
    }

    /// The first login keeps every name it had before accounts existed; another account's never collides with it.
    func testTheDefaultAccountKeepsItsStorageNames() throws {
        let directory = NSTemporaryDirectory() + "apictl-names-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plain = CredentialKey(profile: "dz", environment: "sandbox")
        let work = CredentialKey(profile: "dz", environment: "sandbox", account: "work")
        XCTAssertEqual(plain.description, "dz (sandbox)")
        XCTAssertEqual(work.description, "dz (sandbox), account work")
        let files = [plain, work].map { ProfileStateFiles(dataDirectory: directory, key: $0).refreshLock }
        XCTAssertEqual(Set(files).count, 2)
        XCTAssertFalse(files[0].contains("work"))
    }

    /// A state file another user could have written, or that is not JSON, is neither obeyed nor overwritten.
    func testAFileThatCannotBeTrustedIsNeitherObeyedNorOverwritten() throws {
        let directory = NSTemporaryDirectory() + "apictl-accounts-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/accounts.json"
        try Data(#"{"active":{"dz":"admin"},"accounts":[]}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(chmod(path, 0o666), 0)
        XCTAssertNil(AccountState(stateDirectory: directory).active["dz"])
        XCTAssertThrowsError(try AccountState.update(stateDirectory: directory) { $0.use("work", for: "dz") })
        XCTAssertEqual(chmod(path, 0o600), 0)
        XCTAssertEqual(AccountState(stateDirectory: directory).active["dz"], "admin")
        XCTAssertEqual(unlink(path), 0)
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        XCTAssertNotNil(AccountState(stateDirectory: directory).unreadable, "a FIFO is not waited on")
    }

    /// A server's idea of who a key belongs to is kept as one short line.
    func testAnIdentityIsKeptEscapedAndShort() {
        var state = AccountState(stateDirectory: "/nonexistent")
        let key = CredentialKey(profile: "dz", environment: nil)
        state.remember(key, identity: "evil\u{1B}]0;pwned\u{07}\nFAKE" + String(repeating: "a", count: 10_000))
        let kept = state.identity(of: key) ?? ""
        XCTAssertFalse(kept.unicodeScalars.contains { $0.properties.generalCategory == .control }, kept)
        XCTAssertEqual(kept.count, 200)
        // Combining marks would make one "character" of thousands of scalars; bidi overrides reorder the line.
        state.remember(key, identity: "a" + String(repeating: "\u{0301}", count: 3000) + "\u{202E}evil")
        XCTAssertLessThanOrEqual(state.identity(of: key)?.unicodeScalars.count ?? 0, 200)
        state.remember(key, identity: "ada\u{202E}moc.elpmaxe")
        XCTAssertEqual(state.identity(of: key), "ada\\u{202E}moc.elpmaxe")
    }
}
