import FoundationEssentials
import Glibc

/// What `api sync` notes of a profile's index (`.records/PROFILE.json`, 0600): where the
/// description came from, its ETag, and when it was synced. Read to skip a fetch within
/// `openapi_max_age` and to ask conditionally; written after each sync; removed with the index.
public struct SyncRecord: Sendable, Equatable {
    public var location: String
    public var etag: String?
    public var syncedAt: Date
    /// What the profile said when it synced: its `openapi` setting ("" when the description was
    /// found from the base URL) and its base URL's path, which the index's paths are relative
    /// to (environments of one API differ by host, and share the index). nil in a record from
    /// an apictl that did not note them.
    public var openapiSetting: String?
    public var basePath: String?

    public init(location: String, etag: String?, syncedAt: Date, openapiSetting: String? = nil, basePath: String? = nil) {
        self.location = location
        self.etag = etag
        self.syncedAt = syncedAt
        self.openapiSetting = openapiSetting
        self.basePath = basePath
    }

    /// The record of a sync of `profile` as it is now configured: after `profile set --openapi`,
    /// or `--base-url` to another path, the index is of another description, or its paths
    /// relative to another base. A record that did not note them is taken at its word.
    public func describes(_ profile: ResolvedProfile) -> Bool {
        Self.settings(openapiSetting, basePath, are: profile)
    }

    /// Whether the profile's synced index, if any, is of the profile as it is now configured.
    /// Reads the two settings only: parsing the record's date cost more than the rest of the check.
    public static func indexIsCurrent(for profile: ResolvedProfile, cacheDirectory: String) -> Bool {
        guard let value = FileBytes.regularFileContents(of: path(profile: profile.name, cacheDirectory: cacheDirectory), limit: 1 << 16)
            .flatMap({ JSONValue(parsing: $0) }) else { return true }
        return settings(value["openapi"]?.stringValue, value["base_path"]?.stringValue, are: profile)
    }

    private static func settings(_ openapiSetting: String?, _ basePath: String?, are profile: ResolvedProfile) -> Bool {
        (openapiSetting.map { $0 == (profile.openapi ?? "") } ?? true)
            // `/v1` and `/v1/` are one base path, as requests are placed under it; so are "" and "/".
            && (basePath.map { OpenAPIIndex.trimmedBase($0) == OpenAPIIndex.trimmedBase(profile.base.path) } ?? true)
    }

    /// In a folder of their own, `.records`: no profile's name begins with a dot, so none is
    /// ever taken for it (a profile named `a.meta.json` had its index swapped with a's record).
    public static func path(profile: String, cacheDirectory: String) -> String {
        cacheDirectory + "/openapi/.records/" + profile + ".json"
    }

    /// The last sync's record; nil when there is none, or it is not one this version wrote.
    public static func load(profile: String, cacheDirectory: String) -> SyncRecord? {
        guard let value = FileBytes.regularFileContents(of: path(profile: profile, cacheDirectory: cacheDirectory), limit: 1 << 16)
                .flatMap({ JSONValue(parsing: $0) }),
              let location = value["location"]?.stringValue,
              let syncedAt = value["synced_at"]?.stringValue.flatMap(Timestamp.rfc3339) else { return nil }
        return SyncRecord(location: location, etag: value["etag"]?.stringValue, syncedAt: syncedAt,
                          openapiSetting: value["openapi"]?.stringValue, basePath: value["base_path"]?.stringValue)
    }

    public func save(profile: String, cacheDirectory: String) throws(APICtlError) {
        var fields: [String: JSONValue] = ["location": .string(location), "synced_at": .string(Timestamp.iso8601(syncedAt))]
        if let etag { fields["etag"] = .string(etag) }
        if let openapiSetting { fields["openapi"] = .string(openapiSetting) }
        if let basePath { fields["base_path"] = .string(basePath) }
        let path = Self.path(profile: profile, cacheDirectory: cacheDirectory)
        do { try AtomicFile.write(Array(JSONValue.object(fields).rendered().utf8), to: path, mode: 0o600) } catch {
            throw .init(.outputFailed, "cannot write \(path): \(error.message)")
        }
    }

    static func remove(profile: String, cacheDirectory: String) {
        _ = unlink(path(profile: profile, cacheDirectory: cacheDirectory))
    }
}
