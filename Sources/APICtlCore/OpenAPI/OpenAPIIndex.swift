/// What `apictl api sync` keeps of an API's OpenAPI description: each operation's
/// method, path (relative to the profile's base URL), parameters, body schema and
/// security, in one JSON file under `$XDG_CACHE_HOME/apictl/openapi/`. Completion,
/// `api list`/`show` and the checks before sending read only this, never the description.
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

    public var title: String
    public var openapi: String
    public var operations: [Operation]

    /// The index file of a profile.
    public static func path(profile: String, cacheDirectory: String) -> String {
        cacheDirectory + "/openapi/" + profile + ".json"
    }

    public static func load(profile: String, cacheDirectory: String) -> OpenAPIIndex? {
        guard let bytes = FileBytes.contents(of: path(profile: profile, cacheDirectory: cacheDirectory), limit: 256 << 20),
              let value = JSONValue(parsing: bytes) else { return nil }
        return OpenAPIIndex(value)
    }

    /// The index as the parser wrote it (`apictl-openapi`), or as apictl re-wrote it.
    public init?(_ value: JSONValue) {
        guard let operations = value["operations"]?.arrayValue else { return nil }
        title = value["title"]?.stringValue ?? ""
        openapi = value["openapi"]?.stringValue ?? ""
        self.operations = operations.compactMap { entry in
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
                             responses: (entry["responses"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }

    /// The operation a request goes to: its method, and a path whose `{name}` segments
    /// match any one segment. A literal segment wins over a template at the same place.
    public func operation(method: String, path: String) -> Operation? {
        let wanted = Self.segments(path)
        let candidates = operations.filter { $0.method == method.uppercased() && Self.matches(Self.segments($0.path), wanted) }
        return candidates.min { Self.templateCount($0.path) < Self.templateCount($1.path) }
    }

    /// Operations on a path, any method.
    public func operations(onPath path: String) -> [Operation] {
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
