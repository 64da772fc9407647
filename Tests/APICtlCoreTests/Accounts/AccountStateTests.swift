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
        XCTAssertNil(state.active["dz"])
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
}
