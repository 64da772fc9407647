import Glibc

/// What `apictl api sync` keeps of an API's OpenAPI description, under
/// `$XDG_CACHE_HOME/apictl/openapi/PROFILE/`: `catalog.tsv` (one line per operation:
/// method, path relative to the base URL, summary) and `operations/N.json` (each one's
/// parameters, body schema, responses and security). A Tab reads the catalog and at most
/// one operation, never the whole description, so it stays fast for thousands of them.
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
        public var number: Int
    }

    public var title: String
    public var openapi: String
    public var operations: [Entry]
    let directory: String

    /// The folder of a profile's index.
    public static func directory(profile: String, cacheDirectory: String) -> String {
        cacheDirectory + "/openapi/" + profile
    }

    /// The catalog of a profile's synced description; nil when none was synced.
    public static func load(profile: String, cacheDirectory: String) -> OpenAPIIndex? {
        let directory = directory(profile: profile, cacheDirectory: cacheDirectory)
        guard let bytes = FileBytes.contents(of: directory + "/catalog.tsv", limit: 64 << 20) else { return nil }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let head = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let entries = lines.enumerated().compactMap { number, line -> Entry? in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { return nil }
            return Entry(method: String(fields[0]), path: String(fields[1]),
                         summary: fields.count > 2 && !fields[2].isEmpty ? String(fields[2]) : nil, number: number)
        }
        return OpenAPIIndex(title: head.first ?? "", openapi: head.count > 1 ? head[1] : "", operations: entries, directory: directory)
    }

    /// The whole of one catalog entry's operation.
    public func operation(_ entry: Entry) -> Operation? {
        guard let bytes = FileBytes.contents(of: directory + "/operations/\(entry.number).json", limit: 64 << 20),
              let value = JSONValue(parsing: bytes) else { return nil }
        return Self.operation(value)
    }

    /// Writes the index of a parsed description (`apictl-openapi`'s output, paths already
    /// relative) in place of the profile's old one, which a reader never sees half-replaced.
    public static func save(_ index: JSONValue, profile: String, cacheDirectory: String) throws(APICtlError) -> Int {
        let directory = directory(profile: profile, cacheDirectory: cacheDirectory)
        let staging = directory + ".new-\(getpid())"
        let operations = index["operations"]?.arrayValue ?? []
        func clean(_ text: String) -> String { String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 }) }
        var catalog = clean(index["title"]?.stringValue ?? "") + "\t" + clean(index["openapi"]?.stringValue ?? "") + "\n"
        // Plain writes into a fresh folder: it takes its place whole, by one rename, only once complete.
        func write(_ text: String, to path: String) throws(APICtlError) {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw APICtlError(.outputFailed, "cannot write \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let failed = Array(text.utf8).withUnsafeBytes { FileBytes.writeAll(fd, $0) }
            if let failed { throw APICtlError(.outputFailed, "cannot write \(path): \(String(cString: strerror(failed)))") }
        }
        do {
            remove(staging)
            try AtomicFile.makeDirectory(cacheDirectory + "/openapi", mode: 0o700)
            try AtomicFile.makeDirectory(staging, mode: 0o700)
            try AtomicFile.makeDirectory(staging + "/operations", mode: 0o700)
        } catch {
            throw APICtlError(.outputFailed, "cannot write the index: \(error.message)")
        }
        do throws(APICtlError) {
            for (number, operation) in operations.enumerated() {
                catalog += clean(operation["method"]?.stringValue ?? "") + "\t" + clean(operation["path"]?.stringValue ?? "") + "\t"
                    + clean(operation["summary"]?.stringValue ?? "") + "\n"
                try write(operation.rendered(), to: staging + "/operations/\(number).json")
            }
            try write(String(catalog.dropLast()), to: staging + "/catalog.tsv")
        } catch {
            remove(staging)
            throw error
        }
        let old = directory + ".old-\(getpid())"
        _ = rename(directory, old)
        guard rename(staging, directory) == 0 else {
            _ = rename(old, directory)
            remove(staging)
            throw APICtlError(.outputFailed, "cannot put the index in place at \(directory): \(String(cString: strerror(errno)))")
        }
        remove(old)
        return operations.count
    }

    /// Forgets a profile's synced description (its index and what `api sync` noted of it).
    public static func forget(profile: String, cacheDirectory: String) {
        let folder = directory(profile: profile, cacheDirectory: cacheDirectory)
        remove(folder)
        unlink(folder + ".meta.json")
    }

    /// Removes an index folder (operation files and the catalog; nothing else is in it).
    private static func remove(_ folder: String) {
        for name in FileBytes.names(inDirectory: folder + "/operations") { unlink(folder + "/operations/" + name) }
        rmdir(folder + "/operations")
        unlink(folder + "/catalog.tsv")
        rmdir(folder)
    }

    static func operation(_ entry: JSONValue) -> Operation? {
        guard let method = entry["method"]?.stringValue, let path = entry["path"]?.stringValue else { return nil }
        let parameters = (entry["parameters"]?.arrayValue ?? []).compactMap { parameter -> Parameter? in
            guard let name = parameter["name"]?.stringValue else { return nil }
            return Parameter(name: name, location: parameter["in"]?.stringValue ?? "query",
                             required: parameter["required"] == .bool(true), schema: parameter["schema"],
                             description: parameter["description"]?.stringValue)
        }
        let security = (entry["security"]?.arrayValue ?? []).map { alternative in
            (alternative.arrayValue ?? []).map { scheme in
                (scheme: scheme["scheme"]?.stringValue ?? "", scopes: (scheme["scopes"]?.arrayValue ?? []).compactMap(\.stringValue))
            }
        }
        return Operation(method: method, path: path, summary: entry["summary"]?.stringValue, parameters: parameters,
                         body: entry["body"], bodyRequired: entry["body_required"] == .bool(true), security: security,
                         responses: (entry["responses"]?.arrayValue ?? []).compactMap(\.stringValue).sorted())
    }

    /// The operation a request goes to: its method, and a path whose `{name}` segments
    /// match any one segment. A literal segment wins over a template at the same place.
    public func operation(method: String, path: String) -> Operation? {
        let wanted = Self.segments(path)
        let candidates = operations.filter { $0.method == method.uppercased() && Self.matches(Self.segments($0.path), wanted) }
        return candidates.min { Self.templateCount($0.path) < Self.templateCount($1.path) }.flatMap(operation)
    }

    /// Operations on a path, any method.
    public func operations(onPath path: String) -> [Entry] {
        let wanted = Self.segments(path)
        return operations.filter { Self.matches(Self.segments($0.path), wanted) }
    }

    static func segments(_ path: String) -> [Substring] {
        let bare = path.prefix { $0 != "?" && $0 != "#" }
        return bare.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        template.count == path.count && zip(template, path).allSatisfy { $0 == $1 || ($0.hasPrefix("{") && $0.hasSuffix("}")) }
    }

    static func templateCount(_ path: String) -> Int { path.filter { $0 == "{" }.count }

    /// Rewrites each operation's path to be relative to the profile's base URL: the
    /// description's own server path plus the operation's path, less the base URL's path;
    /// when that is not under the base URL's path, the operation's own path.
    public static func relativePaths(_ index: JSONValue, basePath: String) -> JSONValue {
        guard case .object(var root) = index, let operations = root["operations"]?.arrayValue else { return index }
        let server = root["servers"]?.arrayValue?.first?.stringValue ?? ""
        let serverPath = URLParts.parse(server)?.path ?? (server.hasPrefix("/") ? server : "")
        let base = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
        let trimmedServer = serverPath.hasSuffix("/") ? String(serverPath.dropLast()) : serverPath
        root["operations"] = .array(operations.map { operation in
            guard case .object(var fields) = operation, let path = fields["path"]?.stringValue else { return operation }
            let full = trimmedServer + path
            if !base.isEmpty, full.hasPrefix(base + "/") || full == base {
                let rest = String(full.dropFirst(base.count))
                fields["path"] = .string(rest.isEmpty ? "/" : rest)
            } else {
                fields["path"] = .string(path)   // the server is the base URL under another name (a real host, say)
            }
            return .object(fields)
        })
        return .object(root)
    }
}
