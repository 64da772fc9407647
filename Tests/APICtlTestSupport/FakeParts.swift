import APICtlCore
import Foundation

/// A credential store in memory. `latest` lets a test play another process that
/// wrote a newer record since this one was loaded.
public final class MemoryStore: CredentialStore, @unchecked Sendable {
    public var records: [CredentialKey: Credential] = [:]
    public var latest: [CredentialKey: Credential] = [:]
    public let source: CredentialSource
    /// Set to make listing fail, as a Secret Service that stops answering does.
    public var listingFailure: APICtlError?

    public init(source: CredentialSource = .keyring) { self.source = source }

    public func load(_ key: CredentialKey) throws(APICtlError) -> Credential? { records[key] }
    public func loadLatest(_ key: CredentialKey) throws(APICtlError) -> Credential? { latest[key] ?? records[key] }
    public func save(_ credential: Credential, for key: CredentialKey) throws(APICtlError) {
        records[key] = credential
        latest[key] = nil
    }
    public func delete(_ key: CredentialKey) throws(APICtlError) -> Bool { records.removeValue(forKey: key) != nil }
    public func keys() throws(APICtlError) -> [CredentialKey] {
        if let listingFailure { throw listingFailure }
        return Array(records.keys)
    }
}

/// Opens the one memory store and counts how often it was asked to.
public final class MemoryStores: CredentialStoreOpening, @unchecked Sendable {
    public let store: MemoryStore
    public private(set) var opened = 0

    public init(_ store: MemoryStore = MemoryStore()) { self.store = store }

    public func open(reading key: CredentialKey?) throws(APICtlError) -> StoreSelection {
        opened += 1
        return StoreSelection(store: store, choice: .keyring, keyringStatus: nil)
    }
}

/// Kept secrets in a dictionary instead of the kernel keyring.
public final class MemoryKeeper: SecretKeeping, @unchecked Sendable {
    public var entries: [String: [UInt8]] = [:]

    public init() {}

    public func read(_ name: String) -> [UInt8]? { entries[name] }
    public func write(_ name: String, _ payload: [UInt8], lifetime: TimeInterval) { entries[name] = payload }
    public func forget(_ name: String) -> Bool { entries.removeValue(forKey: name) != nil }
    public func names(withPrefix prefix: String) -> [String] { entries.keys.filter { $0.hasPrefix(prefix) }.sorted() }
}

/// A token command that prints the next of its scripted answers.
public final class ScriptedRunner: ProcessRunning, @unchecked Sendable {
    public var answers: [String]
    public private(set) var runs: [(arguments: [String], environment: [String: String])] = []

    public init(answers: [String]) { self.answers = answers }

    public func run(_ arguments: [String], environment: ChildEnvironment,
                    timeout: TimeInterval) throws(ProcessRunner.Failure) -> ProcessRunner.Outcome {
        runs.append((arguments, environment.variables))
        let answer = answers.isEmpty ? "" : answers.removeFirst()
        return ProcessRunner.Outcome(status: 0, stdout: Array(answer.utf8))
    }
}

/// A config, its profile and a set of fake parts, from TOML text.
public struct SessionFixture {
    public let config: ConfigFile
    public let transport = FakeTransport()
    public let stores: MemoryStores
    public let keeper = MemoryKeeper()
    public let runner: ScriptedRunner
    public let dataDirectory: String
    public var environment: [String: String]
    public var now: Date

    public init(_ toml: String, environment: [String: String] = [:], commandAnswers: [String] = [],
                store: MemoryStore = MemoryStore(), now: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws {
        config = try ConfigStore.parse(Array(toml.utf8), path: "test.toml")
        self.environment = environment
        stores = MemoryStores(store)
        runner = ScriptedRunner(answers: commandAnswers)
        self.now = now
        dataDirectory = NSTemporaryDirectory() + "apictl-tests-" + UUID().uuidString
    }

    public var store: MemoryStore { stores.store }

    public func profile(_ name: String? = nil, environment: String? = nil, account: String? = nil) throws -> ResolvedProfile {
        let request = SelectionRequest(profile: name.map { Chosen($0, .flag("-p")) }, environment: environment.map { Chosen($0, .flag("-e")) },
                                       account: account.map { Chosen($0, .flag("-a")) })
        return try ProfileSelection.require(config: config, request: request, configPath: "test.toml")
    }

    public var parts: SessionParts {
        let now = self.now
        return SessionParts(environment: environment, now: { now }, config: config, dataDirectory: dataDirectory,
                            stores: stores, transport: transport, keeper: keeper, runner: runner)
    }

    public func key(_ profile: String, _ environment: String? = nil, account: String? = nil) -> CredentialKey {
        CredentialKey(profile: profile, environment: environment, account: account)
    }
}
