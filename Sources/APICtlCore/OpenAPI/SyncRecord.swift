import FoundationEssentials
import Glibc

/// What `api sync` notes beside a profile's index (`PROFILE.meta.json`, 0600): where the
/// description came from, its ETag, and when it was synced. Read to skip a fetch within
/// `openapi_max_age` and to ask conditionally; written after each sync; removed with the index.
public struct SyncRecord: Sendable, Equatable {
    public var location: String
    public var etag: String?
    public var syncedAt: Date
    /// What the profile said when it synced: its `openapi` setting ("" when the description was
    /// found from the base URL) and its base URL, which the index's paths are relative to.
    /// nil in a record from an apictl that did not note them.
    public var openapiSetting: String?
    public var baseURL: String?

    public init(location: String, etag: String?, syncedAt: Date, openapiSetting: String? = nil, baseURL: String? = nil) {
        self.location = location
        self.etag = etag
        self.syncedAt = syncedAt
        self.openapiSetting = openapiSetting
        self.baseURL = baseURL
    }

    /// The record of a sync of `profile` as it is now configured: after `profile set --openapi`
    /// or `--base-url` the index is of another description, or its paths relative to another
    /// base, and is not current however young. A record that did not note them is taken at its word.
    public func describes(_ profile: ResolvedProfile) -> Bool {
        (openapiSetting.map { $0 == (profile.openapi ?? "") } ?? true) && (baseURL.map { $0 == profile.baseURL } ?? true)
    }

    public static func path(profile: String, cacheDirectory: String) -> String {
        OpenAPIIndex.directory(profile: profile, cacheDirectory: cacheDirectory) + ".meta.json"
    }

    /// The last sync's record; nil when there is none, or it is not one this version wrote.
    public static func load(profile: String, cacheDirectory: String) -> SyncRecord? {
        guard let value = FileBytes.regularFileContents(of: path(profile: profile, cacheDirectory: cacheDirectory), limit: 1 << 16)
                .flatMap({ JSONValue(parsing: $0) }),
              let location = value["location"]?.stringValue,
              let syncedAt = value["synced_at"]?.stringValue.flatMap(Timestamp.rfc3339) else { return nil }
        return SyncRecord(location: location, etag: value["etag"]?.stringValue, syncedAt: syncedAt,
                          openapiSetting: value["openapi"]?.stringValue, baseURL: value["base_url"]?.stringValue)
    }

    public func save(profile: String, cacheDirectory: String) throws(APICtlError) {
        var fields: [String: JSONValue] = ["location": .string(location), "synced_at": .string(Timestamp.iso8601(syncedAt))]
        if let etag { fields["etag"] = .string(etag) }
        if let openapiSetting { fields["openapi"] = .string(openapiSetting) }
        if let baseURL { fields["base_url"] = .string(baseURL) }
        let path = Self.path(profile: profile, cacheDirectory: cacheDirectory)
        do { try AtomicFile.write(Array(JSONValue.object(fields).rendered().utf8), to: path, mode: 0o600) } catch {
            throw .init(.outputFailed, "cannot write \(path): \(error.message)")
        }
    }

    static func remove(profile: String, cacheDirectory: String) {
        _ = unlink(path(profile: profile, cacheDirectory: cacheDirectory))
    }
}
