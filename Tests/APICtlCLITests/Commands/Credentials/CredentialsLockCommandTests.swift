@testable import APICtlCLI
import APICtlCore
import APICtlTestSupport
import Foundation
import XCTest

/// `apictl credentials lock`. The command forgets entries of the real kernel keyring (it has
/// no seam for the harness's keeper), so these tests use names no real profile or file has.
final class CredentialsLockCommandTests: XCTestCase {
    let key = CredentialKey(profile: "dz", environment: nil)

    func requireKernelKeyring() throws {
        if let reason = KernelKey.unavailableReason() { throw XCTSkip("no kernel keyring here: \(reason)") }
    }

    /// A config file it cannot read does not keep it from forgetting the file's key.
    func testWithNothingCachedItSaysSoEvenWithABrokenConfig() throws {
        let harness = try CommandHarness(config: "[profiles.dz\nbase_url = ")
        let run = harness.run("credentials", "lock")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "no key of \(harness.credentialFilePath) was cached\n")
        XCTAssertEqual(run.stdout, "")
    }

    func testForgetsTheFilesCachedKeySoThePassphraseIsNeededAgain() throws {
        try requireKernelKeyring()
        let harness = try CommandHarness(config: "")
        let directory = harness.folder + "/data/apictl"
        let writer = EncryptedFileStore(directory: directory, passphrase: { _ in Array("pass-1".utf8) }, cacheLifetime: 60)
        defer { writer.cache?.forget() }
        try writer.save(CommandHarness.bound(Credential(token: "filed-key")), for: key)
        func withoutPassphrase() -> EncryptedFileStore {
            EncryptedFileStore(directory: directory, passphrase: { _ in nil }, cacheLifetime: 60)
        }
        XCTAssertEqual(try withoutPassphrase().load(key)?.token, "filed-key", "the key is cached before the lock")
        let run = harness.run("credentials", "lock")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "forgot the cached key of \(harness.credentialFilePath)\n")
        XCTAssertThrowsError(try withoutPassphrase().load(key), "after the lock the passphrase is needed again")
        XCTAssertEqual(try harness.encryptedFile(passphrase: "pass-1").load(key)?.token, "filed-key", "the file itself is untouched")
    }

    /// Everything apictl kept, whichever config's profile it was for: a profile since removed
    /// (or another --config's) keeps nothing after a lock either.
    func testForgetsKeptTokensAndKeyringCopiesOfEveryProfileEvenOnesNoLongerConfigured() throws {
        let harness = try CommandHarness(config: """
            [profiles.staged]
            auth = "bearer"
            [profiles.staged.environments.sandbox]
            base_url = "https://sandbox.lock.test"
            [profiles.staged.environments.production]
            base_url = "https://lock.test"
            """)
        let keeper = harness.keeper
        let kept = [TokenCommandSource.keptAnswer(profile: "staged", environment: "sandbox", in: keeper),
                    CICredentialSource.keptToken(profile: "staged", environment: "production", in: keeper),
                    TokenCommandSource.keptAnswer(profile: "removed-long-ago", environment: nil, in: keeper)]
        let copy = KeyringCopies.entry(CredentialKey(profile: "removed-long-ago", environment: nil), in: keeper)
        let unrelated = KernelKey("someone-else:entry", in: keeper)
        for entry in kept + [copy, unrelated] { entry.write(Array("kept-secret".utf8), lifetime: 60) }
        let run = harness.run("credentials", "lock")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("forgot 1 kept copy of keyring items\n"), run.stderr)
        XCTAssertTrue(run.stderr.contains("forgot 3 kept tokens (token command answers, CI exchanges)\n"), run.stderr)
        XCTAssertFalse(run.stderr.contains("kept-secret"))
        XCTAssertFalse((kept + [copy]).contains(where: \.isHeld), "nothing of apictl's is held after the lock")
        XCTAssertTrue(unrelated.isHeld, "what is not apictl's stays")
    }
}
