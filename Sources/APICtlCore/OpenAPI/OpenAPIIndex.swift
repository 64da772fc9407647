import APICtlIndexFormat
import Glibc

/// What `apictl api sync` keeps of an API's OpenAPI description, under
/// `$XDG_CACHE_HOME/apictl/openapi/PROFILE/`: `catalog.tsv` (one line per operation:
/// method, path relative to the base URL, summary, and where its line is in the other
/// file) and `operations.jsonl` (one line of JSON per operation: parameters, body schema,
/// responses and security, as `apictl-openapi` wrote it). A Tab reads the catalog and at
/// most one operation's line, never the whole description, so it stays fast for thousands.
public struct OpenAPIIndex: Sendable {
    public struct Parameter: Sendable {
        public var name: String
        /// "query", "path", "header" or "cookie".
        public var location: String
        public var required: Bool
        public var schema: JSONValue?
        public var description: String?
    }

    public struct Operation: Sendable {
        public var method: String
        public var path: String
        public var summary: String?
        public var parameters: [Parameter]
        public var body: JSONValue?
        public var bodyRequired: Bool
        /// Alternatives, each a set of (scheme, scopes) that must all hold.
        public var security: [[(scheme: String, scopes: [String])]]
        public var responses: [String]

        public var queryParameters: [Parameter] { parameters.filter { $0.location == "query" } }
    }

    /// One catalog line: enough to list and complete, and where the whole operation is.
    public struct Entry: Sendable {
        public var method: String
        public var path: String
        public var summary: String?
        /// The byte range of its line in operations.jsonl.
        var offset: Int
        var length: Int
    }

    /// The layout written here and by `apictl-openapi` (IndexFormat); an index in another is synced again.
    static let format = String(IndexFormat.version)

    public var title: String
    public var openapi: String
    public var operations: [Entry]
    let directory: String

    /// The folder of a profile's index.
    /// apictl's cache folder and its openapi/ folder, 0700 both: what a description says of an
    /// API is the user's business alone.
    public static func prepareFolder(_ cacheDirectory: String) throws(AtomicFile.WriteError) {
        try AtomicFile.makePrivateDirectory(cacheDirectory)
        try AtomicFile.makePrivateDirectory(cacheDirectory + "/openapi")
    }

    public static func directory(profile: String, cacheDirectory: String) -> String {
        cacheDirectory + "/openapi/" + profile
    }

    /// The catalog of a profile's synced description; nil when none was synced.
    public static func load(profile: String, cacheDirectory: String) -> OpenAPIIndex? {
        let directory = directory(profile: profile, cacheDirectory: cacheDirectory)
        guard let bytes = FileBytes.regularFileContents(of: directory + "/catalog.tsv", limit: 64 << 20) else { return nil }
        // Split as bytes: a String's split walks grapheme clusters, a third of a Tab's time on authentik's catalog.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        func fields(_ line: ArraySlice<UInt8>) -> [String] {
            line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let first = lines.first else { return nil }
        let head = fields(first)
        guard head.count == 3, head[2] == format else { return nil }
        let entries = lines.dropFirst().compactMap { line -> Entry? in
            let fields = fields(line)
            guard fields.count == 5, let offset = Int(fields[3]), let length = Int(fields[4]) else { return nil }
            return Entry(method: fields[0], path: fields[1], summary: fields[2].isEmpty ? nil : fields[2], offset: offset, length: length)
        }
        return OpenAPIIndex(title: head[0], openapi: head[1], operations: entries, directory: directory)
    }

    /// The whole of one catalog entry's operation.
    public func operation(_ entry: Entry) -> Operation? {
        Self.operation(in: directory, offset: entry.offset, length: entry.length, path: entry.path)
    }

    /// The operation whose line is at `offset` in an index folder's operations.jsonl; `path` is
    /// its path relative to the base URL, as the catalog and routes keep it.
    static func operation(in directory: String, offset: Int, length: Int, path: String) -> Operation? {
        guard length <= 64 << 20, let bytes = FileBytes.contents(of: directory + "/operations.jsonl", offset: offset, length: length),
              let value = JSONValue(parsing: bytes), var operation = Self.operation(value) else { return nil }
        operation.path = path
        return operation
    }

    /// Writes the index `apictl-openapi` made (its header line with the catalog, then one
    /// line per operation) in place of the profile's old one, which a reader never sees
    /// half-replaced. Paths in the catalog become relative to `basePath` (relativePath);
    /// the operation lines are kept byte for byte. Returns the header.
    public static func save(_ lines: [UInt8], basePath: String, profile: String,
                            cacheDirectory: String) throws(APICtlError) -> JSONValue {
        let headerEnd = lines.firstIndex(of: UInt8(ascii: "\n")) ?? lines.endIndex
        typealias Key = IndexFormat.HeaderKey
        guard let header = JSONValue(parsing: lines[..<headerEnd]), header[Key.format.rawValue] == .number(format),
              let catalog = header[Key.catalog.rawValue]?.arrayValue else {
            throw APICtlError.config("the API description is not usable: apictl-openapi wrote an index apictl cannot read "
                              + "(is it from another apictl version?)")
        }
        let server = header[Key.servers.rawValue]?.arrayValue?.first?.stringValue ?? ""
        func clean(_ text: String) -> String { String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 }) }
        var table = clean(header[Key.title.rawValue]?.stringValue ?? "") + "\t" + clean(header[Key.openapi.rawValue]?.stringValue ?? "")
            + "\t" + format
        var offset = headerEnd + 1
        var routes: [(method: String, path: String, offset: Int, length: Int)] = []
        for entry in catalog {
            guard offset < lines.endIndex, let fields = entry.arrayValue, fields.count == 3 else {
                throw APICtlError.config("the API description is not usable: apictl-openapi's index ends early")
            }
            let end = lines[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? lines.endIndex
            let path = relativePath(fields[1].stringValue ?? "", server: server, basePath: basePath)
            table += "\n" + [fields[0].stringValue ?? "", path, fields[2].stringValue ?? ""].map(clean).joined(separator: "\t")
                + "\t\(offset - headerEnd - 1)\t\(end - offset)"
            routes.append((clean(fields[0].stringValue ?? ""), clean(path), offset - headerEnd - 1, end - offset))
            offset = end + 1
        }
        let directory = directory(profile: profile, cacheDirectory: cacheDirectory)
        let staging: String
        do {
            try prepareFolder(cacheDirectory)
            staging = try IndexFolder.makeStaging(in: PathText.directory(of: directory))
        } catch {
            throw APICtlError(.outputFailed, "cannot write the index: \(error.message)")
        }
        defer { IndexFolder.remove(staging) }
        do {
            try AtomicFile.writeNew(Array(lines[min(headerEnd + 1, lines.endIndex)...]), to: staging + "/operations.jsonl", mode: 0o600)
            try AtomicFile.writeNew(Array(table.utf8), to: staging + "/catalog.tsv", mode: 0o600)
            try OperationRoutes.write(routes, into: staging)
            AtomicFile.syncFolder(staging)
        } catch {
            throw APICtlError(.outputFailed, "cannot write the index: \(error.message)")
        }
        try IndexFolder.swapIn(staging, for: directory)
        AtomicFile.syncFolder(PathText.directory(of: directory))
        return header
    }

    /// Forgets a profile's synced description (its index and what `api sync` noted of it).
    public static func forget(profile: String, cacheDirectory: String) {
        IndexFolder.remove(directory(profile: profile, cacheDirectory: cacheDirectory))
        SyncRecord.remove(profile: profile, cacheDirectory: cacheDirectory)
    }

    static func operation(_ entry: JSONValue) -> Operation? {
        typealias Key = IndexFormat.OperationKey
        typealias ParameterKey = IndexFormat.ParameterKey
        typealias SecurityKey = IndexFormat.SecurityKey
        guard let method = entry[Key.method.rawValue]?.stringValue, let path = entry[Key.path.rawValue]?.stringValue else { return nil }
        let parameters = (entry[Key.parameters.rawValue]?.arrayValue ?? []).compactMap { parameter -> Parameter? in
            guard let name = parameter[ParameterKey.name.rawValue]?.stringValue else { return nil }
            return Parameter(name: name, location: parameter[ParameterKey.location.rawValue]?.stringValue ?? "query",
                             required: parameter[ParameterKey.required.rawValue] == .bool(true), schema: parameter[ParameterKey.schema.rawValue],
                             description: parameter[ParameterKey.description.rawValue]?.stringValue)
        }
        let security = (entry[Key.security.rawValue]?.arrayValue ?? []).map { alternative in
            (alternative.arrayValue ?? []).map { scheme in
                (scheme: scheme[SecurityKey.scheme.rawValue]?.stringValue ?? "",
                 scopes: (scheme[SecurityKey.scopes.rawValue]?.arrayValue ?? []).compactMap(\.stringValue))
            }
        }
        return Operation(method: method, path: path, summary: entry[Key.summary.rawValue]?.stringValue, parameters: parameters,
                         body: entry[Key.body.rawValue], bodyRequired: entry[Key.bodyRequired.rawValue] == .bool(true), security: security,
                         responses: (entry[Key.responses.rawValue]?.arrayValue ?? []).compactMap(\.stringValue).sorted())
    }

    /// The operation a request goes to: its method, and a path whose `{name}` segments
    /// match any one segment. A literal segment wins over a template at the same place.
    public func operation(method: String, path: String) -> Operation? {
        let wanted = PathTemplate.segments(path)
        let candidates = operations.filter { $0.method == method.uppercased() && PathTemplate.matches(PathTemplate.segments($0.path), wanted) }
        return candidates.min { PathTemplate.isMoreSpecific($0.path, than: $1.path) }.flatMap(operation)
    }

    /// Operations on a path, any method.
    public func operations(onPath path: String) -> [Entry] {
        let wanted = PathTemplate.segments(path)
        return operations.filter { PathTemplate.matches(PathTemplate.segments($0.path), wanted) }
    }

    /// An operation's path relative to the profile's base URL: the description's own
    /// server path plus the operation's path, less the base URL's path; when that is not
    /// under the base URL's path, the operation's own path.
    static func relativePath(_ path: String, server: String, basePath: String) -> String {
        let serverPath = URLParts.parse(server)?.path ?? (server.hasPrefix("/") ? server : "")
        let full = (serverPath.hasSuffix("/") ? String(serverPath.dropLast()) : serverPath) + path
        guard basePath != "/" && !basePath.isEmpty, let relative = Self.path(full, under: basePath) else {
            return path   // the server is the base URL under another name (a real host, say)
        }
        return relative
    }

    /// A base path as requests are placed under it: `/v1/` is `/v1`, `/` is "".
    static func trimmedBase(_ basePath: String) -> String {
        basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
    }

    /// `fullPath` relative to `basePath` ("/v1/requests" under "/v1" is "/requests"); nil when
    /// it is not under it ("/v10" is not under "/v1").
    public static func path(_ fullPath: String, under basePath: String) -> String? {
        let base = trimmedBase(basePath)
        guard fullPath == base || fullPath.hasPrefix(base + "/") else { return nil }
        let rest = String(fullPath.dropFirst(base.count))
        return rest.isEmpty ? "/" : rest
    }
}
