import APICtlCore
import Foundation

/// The encrypted credential file in the harness's data folder, and the configs of the
/// login, logout and credentials tests.
extension CommandHarness {
    /// `$XDG_DATA_HOME/apictl/credentials.enc`, where the credentials commands look.
    var credentialFilePath: String { folder + "/data/apictl/credentials.enc" }

    /// The harness's encrypted file opened with `passphrase`; its key is kept in this process only.
    func encryptedFile(passphrase: String) -> EncryptedFileStore {
        let secret = Array(passphrase.utf8)
        return EncryptedFileStore(directory: folder + "/data/apictl", passphrase: { use in use == .retry ? nil : secret })
    }

    /// The credential file's bytes, nil when there is none.
    func credentialFileBytes() -> Data? { FileManager.default.contents(atPath: credentialFilePath) }

    /// An environment for the credentials commands: the file store, and no derived key
    /// left behind in the kernel keyring.
    static func fileStoreEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        extra.merging(["APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE_CACHE": "0"]) { given, _ in given }
    }

    /// A djangorestframework-simplejwt style token pair API.
    static let pairAPI = """
    [profiles.api]
    auth = "bearer"
    base_url = "https://api.pair.test"
    whoami = "/api/me/"
    [profiles.api.pair]
    obtain = "POST /api/token/"
    refresh = "POST /api/token/refresh/"
    expires_in = "/expires_in"
    """

    /// A profile whose environments' keys begin differently.
    static let prefixedEnvironments = """
    [profiles.pd]
    auth = "header:X-API-Key"
    whoami = "/me"
    [profiles.pd.environments.sandbox]
    base_url = "https://sandbox.pd.test"
    key_prefix = "sk_test_"
    [profiles.pd.environments.production]
    base_url = "https://pd.test"
    key_prefix = "sk_live_"
    """
}
