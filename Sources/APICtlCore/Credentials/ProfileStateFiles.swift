/// Files apictl keeps per (profile, environment, account) beside the credential store's
/// data: refresh and exchange locks, and rotation journals. None holds a secret; the folders
/// are 0700 and the files 0600 all the same.
public struct ProfileStateFiles: Sendable {
    public let dataDirectory: String
    public let key: CredentialKey

    public init(dataDirectory: String, key: CredentialKey) {
        self.dataDirectory = dataDirectory
        self.key = key
    }

    public init(dataDirectory: String, profile: ResolvedProfile) {
        self.init(dataDirectory: dataDirectory, key: profile.credentialKey)
    }

    /// Taken around read -> refresh -> write, so concurrent processes refresh once.
    /// A dedicated file: the credential file's own lock is taken inside it.
    public var refreshLock: String { dataDirectory + "/locks/" + fileStem + ".refresh.lock" }
    /// Taken around a CI job's exchange, so parallel steps exchange once.
    public var exchangeLock: String { dataDirectory + "/locks/" + fileStem + ".exchange.lock" }
    public var rotationLock: String { dataDirectory + "/locks/" + fileStem + ".rotate.lock" }
    public var rotationJournal: String { dataDirectory + "/rotations/" + fileStem + ".json" }

    /// An entry of this (profile, environment, account) in the kernel keyring, named like its files.
    public static func kernelKey(_ purpose: String, key: CredentialKey,
                                 in keeper: any SecretKeeping = KernelKeyring()) -> KernelKey {
        KernelKey("apictl:\(purpose):" + ProfileStateFiles(dataDirectory: "", key: key).fileStem, in: keeper)
    }

    /// Profile, environment and account names are [A-Za-z0-9._-]; anything else is hex-escaped all
    /// the same. The default account's names are those from before accounts existed.
    public var fileStem: String {
        let stem = Self.safe(key.profile) + "." + Self.safe(key.environment)
        return key.isDefaultAccount ? stem : stem + "." + Self.safe(key.account)
    }

    /// What every kernel-keyring entry of `profile` for `purpose` begins with, whatever its
    /// environment and account: a removed profile's are found by it.
    public static func kernelKeyPrefix(_ purpose: String, profile: String) -> String {
        "apictl:\(purpose):" + safe(profile) + "."
    }

    private static func safe(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (scalar.properties.isASCIIHexDigit || ("g"..."z").contains(scalar) || ("G"..."Z").contains(scalar)
                || scalar == "-" || scalar == "_") {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return out
    }

    /// Takes an exclusive lock on `path`, creating its folder 0700 first.
    func lock(_ path: String) throws(APICtlError) -> FileLock {
        let directory = PathText.directory(of: path)
        do { try AtomicFile.makeDirectory(directory, mode: 0o700) } catch {
            throw .store("cannot create \(directory): \(error.message)")
        }
        try PrivateFolder.verify(dataDirectory)
        return try FileLock(path: path)
    }
}
