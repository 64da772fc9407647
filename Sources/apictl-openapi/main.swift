// apictl-openapi DESCRIPTION [INDEX]: reads an OpenAPI 3.0 or 3.1 description (JSON or YAML), resolves
// its $refs with OpenAPIKit, and writes apictl's compact index of it as JSON to INDEX (or stdout).
// `apictl api sync` runs it; every other command reads only the index, so apictl itself
// never loads OpenAPIKit, Yams or Foundation. A description that is not OpenAPI, or is
// broken, is one line on stderr saying what is wrong and where, and exit 3.
import Foundation
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat
import Yams

struct Failure: Error {
    let message: String
}

/// The description as JSON bytes: JSON as it is; YAML through Yams' node tree and
/// JSONSerialization, since Yams' own Codable decoder took 8 s over a 2.6 MB description.
func jsonBytes(_ data: Data) throws -> Data {
    let isJSON = data.first { !" \t\r\n".utf8.contains($0) } == UInt8(ascii: "{")
    if isJSON { return data }
    guard let text = String(data: data, encoding: .utf8) else { throw Failure(message: "not UTF-8 text") }
    let node: Node?
    do { node = try Yams.compose(yaml: text) } catch { throw Failure(message: "not YAML: \(describe(error))") }
    guard let node else { throw Failure(message: "an empty document") }
    return try JSONSerialization.data(withJSONObject: plain(node))
}

func load(_ path: String) throws -> (OpenAPIKit.OpenAPI.Document, version: String) {
    guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "cannot read \(path)") }
    let t0 = Date()
    let json = try jsonBytes(data)
    if ProcessInfo.processInfo.environment["APICTL_OPENAPI_TIMES"] != nil {
        FileHandle.standardError.write(Data("yaml to json \(Date().timeIntervalSince(t0))\n".utf8))
    }
    let top: Any
    do { top = try JSONSerialization.jsonObject(with: json) } catch { throw Failure(message: "not JSON or YAML: \(describe(error))") }
    guard let fields = top as? [String: Any] else { throw Failure(message: "not an object at the top: this is not an OpenAPI description") }
    if let swagger = fields["swagger"] { throw Failure(message: "a Swagger \(swagger) description; apictl reads OpenAPI 3.0 and 3.1") }
    guard let version = fields["openapi"] as? String else { throw Failure(message: "no 'openapi' field: this is not an OpenAPI description") }
    do {
        if version.hasPrefix("3.0") {
            return (try JSONDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: json).convert(to: .v3_1_1), version)
        }
        if version.hasPrefix("3.1") { return (try JSONDecoder().decode(OpenAPIKit.OpenAPI.Document.self, from: json), version) }
    } catch {
        throw Failure(message: "OpenAPI \(version): \(describe(error))")
    }
    throw Failure(message: "OpenAPI \(version); apictl reads 3.0 and 3.1")
}

/// OpenAPIKit's errors say where ("at path: .paths['/x'].get.responses"); one line of it.
func describe(_ error: Error) -> String {
    OpenAPIKit.OpenAPI.Error(from: error).localizedDescription.split(whereSeparator: \.isNewline).joined(separator: " ")
}

/// A YAML node as JSONSerialization takes it. Scalars are typed as YAML 1.2's core schema
/// reads them; a timestamp (unquoted 2024-01-01 in an example) stays the text it was.
func plain(_ node: Node) throws -> Any {
    switch node {
    case .scalar(let scalar):
        if scalar.style != .plain { return scalar.string }
        switch scalar.string {
        case "null", "Null", "NULL", "~", "": return NSNull()
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            if let integer = Int(scalar.string) { return integer }
            if let number = Double(scalar.string), scalar.string.contains(where: { $0.isNumber }) { return number }
            return scalar.string
        }
    case .mapping(let mapping):
        var object: [String: Any] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw Failure(message: "a mapping key that is not text, at line \(key.mark?.line ?? 0)") }
            object[name] = try plain(value)
        }
        return object
    case .sequence(let sequence):
        return try sequence.map(plain)
    case .alias(let alias):
        throw Failure(message: "a YAML alias (*\(alias.anchor)), which apictl does not follow")
    }
}


/// The JSON Schema keywords apictl checks (docs/openapi.md), nested to a limited depth.
func schema(_ value: OpenAPIKit.DereferencedJSONSchema, depth: Int = 0) -> [String: Any] {
    let given = value
    var out: [String: Any] = [:]
    if let description = given.description { out["description"] = String(description.prefix(200)) }
    if let values = given.allowedValues { out["enum"] = values.map { $0.value } }
    guard depth < 8 else { return out }
    func typed(_ name: String) {
        out["type"] = given.nullable ? [name, "null"] : name
    }
    switch given {
    case .null: out["type"] = "null"
    case .boolean: typed("boolean")
    case .number: typed("number")
    case .integer: typed("integer")
    case .string: typed("string")
    case .object(_, let context):
        typed("object")
        var properties: [String: Any] = [:]
        for (name, property) in context.properties { properties[name] = schema(property, depth: depth + 1) }
        if !properties.isEmpty { out["properties"] = properties }
        let required = context.requiredProperties
        if !required.isEmpty { out["required"] = required }
        if case .a(false)? = context.additionalProperties { out["additionalProperties"] = false }
    case .array(_, let context):
        typed("array")
        if let items = context.items { out["items"] = schema(items, depth: depth + 1) }
    case .all(of: let parts, core: _):
        // allOf: the union of its parts' properties and required names, as most APIs use it.
        var properties: [String: Any] = [:]
        var required: [String] = []
        for part in parts {
            let piece = schema(part, depth: depth + 1)
            if let more = piece["properties"] as? [String: Any] { properties.merge(more) { $1 } }
            if let more = piece["required"] as? [String] { required += more }
            if let type = piece["type"] { out["type"] = type }
        }
        if !properties.isEmpty { out["properties"] = properties }
        if !required.isEmpty { out["required"] = Array(Set(required)).sorted() }
    case .one, .any, .not, .fragment:
        break   // not checked: any value passes
    }
    return out
}

/// The first JSON body a request takes (application/json or any +json), else the first body.
func bodySchema(_ request: OpenAPIKit.DereferencedRequest) -> OpenAPIKit.DereferencedJSONSchema? {
    let json = request.content.first { $0.key.rawValue.contains("json") }
    return (json ?? request.content.first)?.value.schema
}

func index(_ document: OpenAPIKit.OpenAPI.Document, version: String) throws -> [String: Any] {
    let resolved: OpenAPIKit.ResolvedDocument
    do { resolved = try document.locallyDereferenced().resolved() } catch {
        throw Failure(message: "its references do not resolve: \(describe(error))")
    }
    var operations: [[String: Any]] = []
    for endpoint in resolved.endpoints {
        var operation: [String: Any] = ["method": endpoint.method.rawValue.uppercased(), "path": endpoint.path.rawValue]
        if let summary = endpoint.endpointSummary ?? endpoint.routeSummary ?? endpoint.operationId {
            operation["summary"] = String(summary.prefix(200))
        }
        var parameters: [[String: Any]] = []
        for parameter in endpoint.parameters {
            var entry: [String: Any] = ["name": parameter.name, "in": parameter.context.location.rawValue,
                                        "required": parameter.required]
            if case .a(let context) = parameter.schemaOrContent { entry["schema"] = schema(context.schema) }
            if let description = parameter.description { entry["description"] = String(description.prefix(200)) }
            parameters.append(entry)
        }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body = endpoint.requestBody {
            operation["body_required"] = body.required
            if let bodySchema = bodySchema(body) { operation["body"] = schema(bodySchema) }
        }
        let security = endpoint.security.map { requirement in
            requirement.schemes.map { name, scoped in ["scheme": name, "scopes": scoped.requiredScopes] as [String: Any] }
        }
        if !security.isEmpty { operation["security"] = security }
        operation["responses"] = endpoint.responses.keys.map(\.rawValue)
        operations.append(operation)
    }
    return ["version": 1, "title": document.info.title, "openapi": version,
            "servers": document.servers.map { $0.urlTemplate.absoluteString }, "operations": operations]
}

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: apictl-openapi DESCRIPTION [INDEX] (run by 'apictl api sync')\n".utf8))
    exit(2)
}
do {
    let started = Date()
    let (document, version) = try load(arguments[1])
    let loaded = Date()
    let built = try index(document, version: version)
    let indexed = Date()
    if ProcessInfo.processInfo.environment["APICTL_OPENAPI_TIMES"] != nil {
        FileHandle.standardError.write(Data("load \(loaded.timeIntervalSince(started)) index \(indexed.timeIntervalSince(loaded))\n".utf8))
    }
    let data = try JSONSerialization.data(withJSONObject: built, options: [.sortedKeys, .withoutEscapingSlashes])
    if arguments.count == 3 {
        try data.write(to: URL(fileURLWithPath: arguments[2]))
    } else {
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
} catch let failure as Failure {
    FileHandle.standardError.write(Data((failure.message + "\n").utf8))
    exit(3)
} catch {
    FileHandle.standardError.write(Data("\(describe(error))\n".utf8))
    exit(3)
}
