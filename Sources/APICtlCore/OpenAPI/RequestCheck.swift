/// Checks a request against the API's description before it is sent (`--no-validate`
/// skips them). An unknown path or method only warns, with the nearest known one: the
/// description may be older than the API. What the description rules out for a known
/// operation is a usage error (exit 2), one line, before anything is sent.
///
/// The JSON Schema keywords checked are exactly these (docs/openapi.md): `type`
/// (with OpenAPI 3.0's `nullable`), `enum`, `required`, `properties`, `items` and
/// `additionalProperties: false`; `allOf` is checked as the union of its parts.
/// Anything else (`oneOf`, `anyOf`, formats, lengths, patterns, ranges) passes.
public enum RequestCheck {
    public struct Outcome: Sendable {
        public var warnings: [String] = []
    }

    public static func check(method: String, path: String, query: [(String, String)], body: JSONValue?,
                             index: OpenAPIIndex) throws(APICtlError) -> Outcome {
        var outcome = Outcome()
        guard let operation = index.operation(method: method, path: path) else {
            let onPath = index.operations(onPath: path)
            if !onPath.isEmpty {
                outcome.warnings.append("the API's description has no \(method.uppercased()) \(bare(path)); it has "
                                        + onPath.map(\.method).joined(separator: ", ") + " there")
            } else {
                let known = index.operations.map(\.path)
                let nearest = suggestion(bare(path), among: Array(Set(known))).map { "; did you mean \($0)?" } ?? ""
                outcome.warnings.append("the API's description has no path \(bare(path))\(nearest)")
            }
            return outcome
        }
        var found = try check(operation, query: query, body: body)
        if let warning = trailingSlashWarning(operation, path: path) { found.warnings.append(warning) }
        return found
    }

    /// Paths match with or without a final `/`, but servers do not: Django answers 404 or
    /// redirects (dropping a POST's body) when it is missing, others when it is there.
    public static func trailingSlashWarning(_ operation: OpenAPIIndex.Operation, path: String) -> String? {
        let written = operation.path.hasSuffix("/"), sent = bare(path).hasSuffix("/")
        guard written != sent, operation.path != "/", bare(path) != "/" else { return nil }
        return "the API's description writes this path \(written ? "with" : "without") a final '/' (\(operation.path)); "
            + "the server may answer 404 or redirect \(written ? "without" : "with") it"
    }

    /// What `operation`'s description rules out of a request's query and body.
    public static func check(_ operation: OpenAPIIndex.Operation, query: [(String, String)],
                             body: JSONValue?) throws(APICtlError) -> Outcome {
        let outcome = Outcome()
        let label = "\(operation.method) \(operation.path)"
        let queryParameters = operation.queryParameters
        for (name, value) in query {
            guard let parameter = queryParameters.first(where: { $0.name == name }) else {
                let known = queryParameters.map(\.name)
                throw .usage("\(label) takes no query parameter '\(name)'",
                             hint: (suggestion(name, among: known).map { "did you mean '\($0)'?" }
                                 ?? (known.isEmpty ? "it takes none" : "it takes \(known.joined(separator: ", "))")) + "; " + skip)
            }
            if let schema = parameter.schema, let problem = problem(with: .string(value), against: schema, at: "", queryText: true) {
                throw .usage("\(label): query parameter \(name)\(problem)", hint: skip)
            }
        }
        for parameter in queryParameters where parameter.required && !query.contains(where: { $0.0 == parameter.name }) {
            throw .usage("\(label) needs the query parameter '\(parameter.name)'", hint: "add --query \(parameter.name)=VALUE; " + skip)
        }
        if let schema = operation.body, let body {
            if let problem = problem(with: body, against: schema, at: "") { throw .usage("\(label): body\(problem)", hint: skip) }
        } else if operation.bodyRequired && body == nil {
            throw .usage("\(label) needs a body", hint: "give fields with -f/-F, or -d; " + skip)
        }
        return outcome
    }

    static let skip = "--no-validate sends it anyway"

    /// The first way `value` breaks `schema`, as ".field: what is wrong", or nil.
    /// `queryText`: the value came as text in a query string, so numbers and booleans are read from it.
    static func problem(with value: JSONValue, against schema: JSONValue, at path: String, queryText: Bool = false) -> String? {
        let place = path.isEmpty ? "" : (path.hasPrefix("[") || path.hasPrefix(".") ? path : "." + path)
        var value = value
        if queryText, case .string(let text) = value, let typed = JSONValue(parsing: Array(text.utf8)), typed.kind != "string" {
            if allowedTypes(schema).contains(where: { $0 == typed.kind || ($0 == "number" && typed.kind == "integer") }) { value = typed }
        }
        let types = allowedTypes(schema)
        if !types.isEmpty, !types.contains(where: { $0 == value.kind || ($0 == "number" && value.kind == "integer") }) {
            return "\(place): expected \(types.joined(separator: " or ")), got \(value.kind)"
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.isEmpty, !allowed.contains(value) {
            return "\(place): \(value.rendered()) is not one of \(allowed.map { $0.rendered() }.joined(separator: ", "))"
        }
        if case .object(let members) = value {
            let properties = schema["properties"]?.objectValue ?? [:]
            for name in members.keys.sorted() {
                guard let member = members[name] else { continue }
                if let property = properties[name] {
                    if let problem = problem(with: member, against: property, at: place + "." + name) { return problem }
                } else if schema["additionalProperties"] == .bool(false) {
                    let hint = suggestion(name, among: Array(properties.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                    return "\(place): unknown field '\(name)'\(hint)"
                }
            }
            // After the fields given: a misspelled one is named before the one it stands for is missed.
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[name] == nil {
                return "\(place): the field '\(name)' is required"
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (offset, item) in items.enumerated() {
                if let problem = problem(with: item, against: itemSchema, at: place + "[\(offset)]") { return problem }
            }
        }
        return nil
    }

    /// "string", "integer or null", "array of string": a schema's type in words.
    public static func typeText(_ schema: JSONValue) -> String? {
        let types = allowedTypes(schema)
        guard !types.isEmpty else { return nil }
        var text = types.joined(separator: " or ")
        if types.contains("array"), let items = schema["items"], let itemText = typeText(items) { text += " of \(itemText)" }
        return text
    }

    static func allowedTypes(_ schema: JSONValue) -> [String] {
        if let one = schema["type"]?.stringValue { return [one] }
        return (schema["type"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    static func bare(_ path: String) -> String { String(path.prefix { $0 != "?" && $0 != "#" }) }
}

extension JSONValue {
    /// The JSON Schema type name of this value; a number without a fraction or exponent is an "integer".
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let text): return text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? "number" : "integer"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
